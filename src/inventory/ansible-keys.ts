/**
 * Ansible inventory variables that cortex-deploy does not read, and what to write instead: such a
 * key is an error that names its replacement. The connection variables it does read (ansible_host,
 * ansible_user, ansible_winrm_transport, …) are in schema.ts (AnsibleVarsShape) and ansible.ts.
 */
export const ANSIBLE_EQUIVALENTS: Record<string, string> = {
  ansible_become: 'nothing: cortex-deploy connects as an administrator and does not elevate',
  ansible_become_method: 'nothing: cortex-deploy connects as an administrator and does not elevate',
  ansible_become_user: 'nothing: cortex-deploy connects as an administrator and does not elevate',
  ansible_become_password: 'nothing: cortex-deploy connects as an administrator and does not elevate',
  ansible_winrm_message_encryption: 'winrm.scheme (http is encrypted by NTLM sealing; https by TLS); remove the key',
  ansible_psrp_protocol: 'ansible_winrm_scheme or winrm.scheme (http | https)',
  ansible_psrp_auth: 'ansible_winrm_transport or winrm.auth (ntlm | basic | kerberos | negotiate | certificate)',
  ansible_psrp_cert_validation: 'ansible_winrm_server_cert_validation or winrm.tls.insecure: true (for ignore)',
};

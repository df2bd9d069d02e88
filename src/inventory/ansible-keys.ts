/**
 * Ansible inventory variables and what cortex-deploy calls them, so an Ansible inventory moves over
 * with a few renames: an `ansible_*` key is an error that names its replacement.
 */
export const ANSIBLE_EQUIVALENTS: Record<string, string> = {
  ansible_host: 'address',
  ansible_port: 'port',
  ansible_connection: 'transport (winrm | ssh | local)',
  ansible_user: 'winrm.user (or ssh.user)',
  ansible_password: 'winrm.password: env:NAME | file:PATH | prompt (or ssh.password)',
  ansible_become_password: 'nothing: cortex-deploy connects as an administrator and does not elevate',
  ansible_winrm_transport: 'winrm.auth (ntlm | basic | kerberos | certificate)',
  ansible_winrm_scheme: 'winrm.scheme (http | https)',
  ansible_winrm_server_cert_validation: 'winrm.tls.insecure: true (for ignore)',
  ansible_winrm_ca_trust_path: 'winrm.tls.ca: file:PATH',
  ansible_winrm_operation_timeout_sec: 'winrm.operationTimeoutSec',
  ansible_winrm_read_timeout_sec: 'winrm.requestTimeoutMs (milliseconds)',
  ansible_winrm_message_encryption: 'winrm.scheme (http is encrypted by NTLM/Kerberos sealing)',
  ansible_ssh_private_key_file: 'ssh.key: file:PATH',
  ansible_ssh_pass: 'ssh.password: env:NAME | file:PATH | prompt',
  ansible_ssh_user: 'ssh.user',
  ansible_ssh_port: 'ssh.port',
  ansible_shell_type: 'nothing: PowerShell is implied',
};

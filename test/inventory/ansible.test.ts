import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory, InventoryError } from '../../src/inventory/loader.js';
import { checkConnectionSettings, SCHEME_PORT } from '../../src/inventory/connection-check.js';
import { clearSecretsForTests } from '../../src/secrets/registry.js';

const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/ansible', name));

function problems(text: string): string[] {
  try {
    parseInventory(text, 'hosts.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as InventoryError).problems.map((p) => `${p.position.line}:${p.position.col} ${p.field}: ${p.message} ${p.hint ?? ''}`);
  }
  throw new Error('parsed without error');
}

afterEach(() => clearSecretsForTests());

describe('Ansible connection variables', () => {
  it('an Ansible Windows inventory loads as written, each ansible_* key read as ours', async () => {
    const inv = await loadInventory(fixture('single/hosts.yml'));
    const host = (n: string) => inv.hosts.find((h) => h.name === n)!;
    expect(inv.hosts.map((h) => h.name)).toEqual(['web01', 'web02', 'app01', 'app02', 'app03', 'db01', 'lb01']);
    expect(host('web01')).toMatchObject({ address: '10.20.0.11', transport: 'winrm', roles: ['web'], webApps: ['gateway'] });
    // ansible_port 5986 with no scheme: https, as in Ansible.
    expect(host('web01').winrm).toMatchObject({
      scheme: 'https',
      port: 5986,
      auth: 'ntlm',
      user: 'CORP\\svc-cortex',
      password: 'env:CORTEX_WINRM_PASSWORD',
      tls: { ca: 'file:certs/corp-ca.pem', serverName: null, insecure: false },
    });
    expect(host('app02').winrm).toMatchObject({ auth: 'kerberos', spn: 'HTTP/app.corp.example.com', scheme: 'https' });
    // psrp is WinRM.
    expect(host('db01')).toMatchObject({ transport: 'winrm', address: '10.20.0.31' });
    // ssh: user and port go to ssh, the private key becomes a file: reference.
    const lb = host('lb01');
    expect(lb).toMatchObject({ transport: 'ssh', address: '10.20.0.41' });
    expect(lb.ssh).toMatchObject({ user: 'cortexadm', port: 2222, key: 'file:~/.ssh/id_ed25519' });
    // Errors and positions point at the ansible_* line that set a value.
    expect(inv.positionOf(host('app01').varSources!['winrm.auth']!)).toMatchObject({ line: 23 });
    expect(inv.positionOf(host('lb01').varSources!['ssh.user']!)).toMatchObject({ line: 39 });
  });

  it('maps the certificate, validation, timeout and ssh keys', () => {
    const text = [
      'all:',
      '  vars:',
      '    ansible_winrm_scheme: https',
      '    ansible_winrm_transport: certificate',
      '    ansible_winrm_cert_pem: certs/client.pem',
      '    ansible_winrm_cert_key_pem: certs/client.key',
      '    ansible_winrm_server_cert_validation: ignore',
      '    ansible_winrm_operation_timeout_sec: 30',
      '    ansible_winrm_read_timeout_sec: 40',
      '  hosts:',
      '    h1: { ansible_host: 10.0.0.1, ansible_port: "15986" }',
      '    h2: { ansible_host: 10.0.0.2, ansible_connection: ssh, ansible_ssh_user: admin, ansible_ssh_pass: prompt, ansible_ssh_port: 2200 }',
      '',
    ].join('\n');
    const [h1, h2] = parseInventory(text, 'hosts.yml').hosts;
    expect(h1!.winrm).toMatchObject({ scheme: 'https', port: 15986, auth: 'certificate', certificate: { cert: 'file:certs/client.pem', key: 'file:certs/client.key' }, tls: { insecure: true }, operationTimeoutSec: 30, requestTimeoutMs: 40_000 });
    expect(h2!.ssh).toMatchObject({ user: 'admin', password: 'prompt', port: 2200 });
  });

  it("Ansible's precedence: a host's ansible_* key wins over a group's cortex-deploy key, and ours wins at the same level", () => {
    const text = [
      'all:',
      "  vars: { winrm: { user: 'CORP\\a', password: env:PW } }",
      '  hosts:',
      "    h1: { address: 10.0.0.1, ansible_user: 'CORP\\b' }",
      "    h2: { address: 10.0.0.2, ansible_user: 'CORP\\b', winrm: { user: 'CORP\\c' } }",
      '',
    ].join('\n');
    const inv = parseInventory(text, 'hosts.yml');
    expect(inv.hosts.map((h) => h.winrm.user)).toEqual(['CORP\\b', 'CORP\\c']);
  });

  it('ansible_user follows the transport set at another level', () => {
    const text = ['all:', '  vars: { ansible_user: admin, ansible_ssh_private_key_file: k }', '  hosts:', '    h1: { address: 10.0.0.1, ansible_connection: ssh }', ''].join('\n');
    const [h1] = parseInventory(text, 'hosts.yml').hosts;
    expect(h1!.ssh).toMatchObject({ user: 'admin', key: 'file:k' });
    expect(h1!.winrm.user).toBeUndefined();
  });

  it('wrong values are refused where written', () => {
    const text = ['all:', '  hosts:', '    h1: { ansible_connection: paramiko, ansible_winrm_transport: credssp, ansible_password: hunter2 }', ''].join('\n');
    const out = problems(text);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^3:31 all\.hosts\.h1\.ansible_connection: a string "paramiko" is not allowed\. .*winrm \| psrp \| ssh \| local/);
    expect(out[1]).toMatch(/^3:66 all\.hosts\.h1\.ansible_winrm_transport: a string "credssp" is not allowed/);
    expect(out[2]).toMatch(/^3:93 all\.hosts\.h1\.ansible_password: secrets are never written literally/);
    expect(out.join('\n')).not.toContain('hunter2');
  });
});

describe('port 5986 and the scheme', () => {
  const load = (vars: string) => parseInventory(['all:', `  vars: { winrm: { user: u, password: env:PW }, ${vars} }`, '  hosts:', '    h1: { address: 10.0.0.1 }', ''].join('\n'), 'hosts.yml');

  it('port 5986 with no scheme means https (also for our own port keys)', () => {
    expect(load('port: 5986').hosts[0]!.winrm).toMatchObject({ scheme: 'https', port: 5986 });
    expect(load('ansible_port: 5986').hosts[0]!.winrm).toMatchObject({ scheme: 'https', port: 5986 });
    expect(load('ansible_port: 5985').hosts[0]!.winrm).toMatchObject({ scheme: 'http', port: 5985 });
    expect(load('port: 15986').hosts[0]!.winrm).toMatchObject({ scheme: 'http', port: 15986 });
  });

  it("ansible_connection: winrm with neither port nor scheme is Ansible's default, https on 5986; transport: winrm keeps ours", () => {
    expect(load('ansible_connection: winrm').hosts[0]!.winrm).toMatchObject({ scheme: 'https', port: 5986 });
    expect(load('ansible_connection: psrp').hosts[0]!.winrm).toMatchObject({ scheme: 'https', port: 5986 });
    expect(load('ansible_connection: winrm, ansible_winrm_scheme: http').hosts[0]!.winrm).toMatchObject({ scheme: 'http', port: 5985 });
    expect(load('transport: winrm').hosts[0]!.winrm).toMatchObject({ scheme: 'http', port: 5985 });
  });

  it('a scheme that disagrees with the port is a warning at check time', () => {
    const http5986 = load('ansible_port: 5986, ansible_winrm_scheme: http');
    expect(http5986.hosts[0]!.winrm).toMatchObject({ scheme: 'http', port: 5986 });
    const findings = checkConnectionSettings(http5986.hosts);
    expect(findings).toEqual([expect.objectContaining({ id: SCHEME_PORT, severity: 'warning', hosts: ['h1'], message: expect.stringContaining('winrm.scheme is http but the port is 5986') })]);
    const https5985 = load('ansible_port: 5985, ansible_winrm_scheme: https');
    expect(checkConnectionSettings(https5985.hosts)[0]!.message).toContain('winrm.scheme is https but the port is 5985');
    expect(checkConnectionSettings(load('ansible_port: 5986').hosts).filter((f) => f.id === SCHEME_PORT)).toEqual([]);
  });
});

describe('Jinja and Ansible Vault', () => {
  it("{{ lookup('env', 'NAME') }} is env:NAME, in either quoting and with ansible.builtin.env", () => {
    const text = ['all:', '  vars:', '    ansible_user: u', `    ansible_password: '{{ lookup("ansible.builtin.env", "PW_1") }}'`, '  hosts:', `    h1: { address: 10.0.0.1, winrm: { password: "{{lookup('env','PW_2')}}" } }`, '    h2: { address: 10.0.0.2 }', ''].join('\n');
    expect(parseInventory(text, 'hosts.yml').hosts.map((h) => h.winrm.password)).toEqual(['env:PW_2', 'env:PW_1']);
  });

  it('a vault-encrypted value outside a secret field and other Jinja name file:line, without echoing the value', () => {
    const text = [
      'all:',
      '  vars:',
      '    ansible_user: !vault |',
      '      $ANSIBLE_VAULT;1.1;AES256',
      '      62313365396662343061393464336163383764373764613633653634306231386433626436623361',
      '    ansible_password: env:PW',
      '  hosts:',
      '    h1: { ansible_host: "{{ inventory_hostname }}.corp.example.com" }',
      '',
    ].join('\n');
    const out = problems(text);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^3:\d+ all\.vars\.ansible_user: is an Ansible Vault-encrypted value \(!vault\) in a field that is not a secret/);
    expect(out[1]).toMatch(/^8:25 all\.hosts\.h1\.ansible_host: is a Jinja expression/);
    expect(out.join('\n')).not.toMatch(/62313365|inventory_hostname/);
  });
});

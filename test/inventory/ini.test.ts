import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory, InventoryError } from '../../src/inventory/loader.js';
import { looksLikeIni } from '../../src/inventory/ini.js';
import { clearSecretsForTests } from '../../src/secrets/registry.js';

afterEach(() => clearSecretsForTests());

function problems(text: string): string[] {
  try {
    parseInventory(text, 'hosts.ini');
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as InventoryError).problems.map((p) => `${p.position.line}:${p.position.col} ${p.field}: ${p.message}`);
  }
  throw new Error('parsed without error');
}

describe("Ansible's INI inventory form", () => {
  it('is recognised by .ini or a [section] first line, never for .yml', () => {
    expect(looksLikeIni('hosts.ini', 'all:\n')).toBe(true);
    expect(looksLikeIni('hosts', '# site\n\n[web]\nweb01\n')).toBe(true);
    expect(looksLikeIni('hosts', 'all:\n  hosts: {}\n')).toBe(false);
    expect(looksLikeIni('hosts.yml', '[web]\n')).toBe(false);
  });

  it('sections, :vars and :children become groups; values are read as Ansible reads them', () => {
    const text = [
      'bastion ansible_host=10.0.0.9 ansible_connection=ssh ansible_user=admin ansible_ssh_private_key_file=~/.ssh/id',
      '[app]',
      'app1 ansible_host=10.0.0.1 ansible_port=5986',
      "app2 ansible_host=10.0.0.2 ansible_user='CORP\\other'",
      '[site:children]',
      'app',
      '[site:vars]',
      'ansible_user=CORP\\svc',
      'ansible_password=env:PW',
      'ansible_winrm_operation_timeout_sec=45',
      '[all:vars]',
      'ansible_winrm_server_cert_validation=ignore',
      '',
    ].join('\n');
    const inv = parseInventory(text, 'hosts.ini');
    expect(inv.hosts.map((h) => h.name)).toEqual(['bastion', 'app1', 'app2']);
    expect(inv.groups.site).toEqual(['app1', 'app2']);
    const [bastion, app1, app2] = inv.hosts;
    expect(bastion).toMatchObject({ transport: 'ssh', address: '10.0.0.9', ssh: { user: 'admin', key: 'file:~/.ssh/id' } });
    expect(app1!.winrm).toMatchObject({ scheme: 'https', port: 5986, user: 'CORP\\svc', password: 'env:PW', operationTimeoutSec: 45, tls: { insecure: true } });
    expect(app2!.winrm).toMatchObject({ scheme: 'http', port: 5985, user: 'CORP\\other' });
    expect(app1!.groups).toEqual(['site', 'app']);
    // Positions point into the INI file.
    expect(inv.positionOf(app2!.varSources!['winrm.user']!)).toEqual({ file: 'hosts.ini', line: 4, col: 41 });
    expect(inv.positionOf(app1!.varSources!['winrm.operationTimeoutSec']!)).toEqual({ file: 'hosts.ini', line: 10, col: 37 });
  });

  it('errors name the INI line and column', () => {
    expect(problems(['[app]', 'app1 ansible_host=10.0.0.1 ansible_connection=paramiko', '[app:vars]', 'ansible_user=u', 'ansible_password=hunter2', ''].join('\n'))).toEqual([
      '2:47 all.children.app.hosts.app1.ansible_connection: a string "paramiko" is not allowed.',
      '5:18 all.children.app.vars.ansible_password: secrets are never written literally in the inventory. Write a reference instead: env:NAME (an environment variable), file:PATH (a file holding only the secret) or prompt (asked on the terminal).',
    ]);
    expect(problems(['[app]', 'app1 ansible_host 10.0.0.1', '[app:vars]', 'novalue', ''].join('\n'))).toEqual([
      '2:1 app.hosts.app1: a host line is a host name followed by key=value pairs.',
      '4:1 app:vars: a [group:vars] line must be key=value.',
    ]);
    // Unquoted, the shell-like split drops the inner quotes and Ansible reads the string "[gateway]": so do we.
    expect(problems(['[web]', "web1 ansible_user=u ansible_password=env:PW webApps=['gateway']", ''].join('\n'))).toEqual(['2:53 all.children.web.hosts.web1.webApps: expected a list, got a string "[gateway]".']);
    expect(problems(['[web]', 'web[03:01] ansible_user=u', ''].join('\n'))).toEqual(["2:1 web.hosts.web[03:01]: host range 'web[03:01]': begin 03 is greater than end 01."]);
  });

  it('an Ansible INI inventory with group_vars/ loads unedited', async () => {
    const file = relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/ansible/ini/hosts'));
    const inv = await loadInventory(file);
    expect(inv.hosts.map((h) => `${h.name} ${h.address} ${h.roles.join()} ${h.webApps.join()}`)).toEqual([
      'web01 10.20.0.11 web gateway', 'web02 10.20.0.12 web liveportal', 'app01 10.20.0.21 app ', 'app02 10.20.0.22 app ', 'app03 10.20.0.23 app ', 'db01 10.20.0.31 db ', 'lb01 10.20.0.41 lb ',
    ]);
    const db = inv.hosts.find((h) => h.name === 'db01')!;
    expect(db.winrm).toMatchObject({ scheme: 'https', port: 5986, auth: 'ntlm', user: 'CORP\\svc-cortex', password: 'env:CORTEX_WINRM_PASSWORD', operationTimeoutSec: 60, tls: { ca: 'file:certs/corp-ca.pem' } });
  });
});

/**
 * Our reading of Ansible inventories against Ansible's own: Debian's ansible-inventory (ansible-core,
 * installed by scripts/setup.sh) lists each fixture's merged host vars, and every host cortex-deploy
 * loads must have the same address, transport, user, password, port, scheme, auth and other settings.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/loader.js';

const ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory';
if (!existsSync(ANSIBLE_INVENTORY)) {
  const why = "test/inventory/ansible-conformance.test.ts needs Debian's ansible-core (scripts/setup.sh installs it)";
  if (process.env.CI === 'true') throw new Error(`${why}: missing under CI=true`);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
}

const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/ansible', name));

function ansibleHostvars(file: string): Record<string, Record<string, unknown>> {
  const out = execFileSync(ANSIBLE_INVENTORY, ['-i', file, '--list'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False', ANSIBLE_LOCALHOST_WARNING: 'False' } });
  return (JSON.parse(out) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
}

describe.skipIf(!existsSync(ANSIBLE_INVENTORY))('Ansible inventories: what ansible-inventory reads, cortex-deploy reads', () => {
  it.each(['single/hosts.yml', 'site/hosts.yml', 'ini/hosts', 'scheme-mismatch.yml', 'ranges-ini/hosts', 'ranges-yaml/hosts.yml'])('%s', async (name) => {
    const hostvars = ansibleHostvars(fixture(name));
    const inv = await loadInventory(fixture(name));
    expect(inv.hosts.map((h) => h.name).sort()).toEqual(Object.keys(hostvars).sort());
    for (const h of inv.hosts) {
      const a = hostvars[h.name]!;
      const connection = a.ansible_connection === 'psrp' ? 'winrm' : (a.ansible_connection ?? 'ssh');
      expect(h.transport, h.name).toBe(connection);
      expect(h.address, h.name).toBe(a.ansible_host ?? h.name);
      if (h.webApps.length || a.webApps) expect(h.webApps, h.name).toEqual(a.webApps);
      if (h.transport === 'ssh') {
        expect(h.ssh.user, h.name).toBe(a.ansible_user);
        expect(h.ssh.port, h.name).toBe(a.ansible_port ?? 22);
        expect(h.ssh.key, h.name).toBe(`file:${String(a.ansible_ssh_private_key_file)}`);
        continue;
      }
      // Ansible's winrm connection: port 5986 by default; the scheme is http on 5985, else https.
      const port = Number(a.ansible_port ?? 5986);
      expect(h.winrm.port, h.name).toBe(port);
      expect(h.winrm.scheme, h.name).toBe(a.ansible_winrm_scheme ?? (port === 5985 ? 'http' : 'https'));
      expect(h.winrm.user, h.name).toBe(a.ansible_user);
      expect(h.winrm.password, h.name).toBe(`env:${/lookup\('env', '(\w+)'\)/.exec(String(a.ansible_password))![1]}`);
      expect(h.winrm.auth, h.name).toBe(a.ansible_winrm_transport ?? 'ntlm');
      expect(h.winrm.tls.insecure, h.name).toBe(a.ansible_winrm_server_cert_validation === 'ignore');
      expect(h.winrm.tls.ca, h.name).toBe(a.ansible_winrm_ca_trust_path === undefined ? null : `file:${String(a.ansible_winrm_ca_trust_path)}`);
      expect(h.winrm.spn, h.name).toBe(a.ansible_winrm_kerberos_hostname_override === undefined ? undefined : `HTTP/${String(a.ansible_winrm_kerberos_hostname_override)}`);
      expect(h.winrm.operationTimeoutSec, h.name).toBe(a.ansible_winrm_operation_timeout_sec ?? 20);
    }
  });

  it.each(['custom-vars/hosts.yml', 'custom-vars-ini/hosts'])("your own variables (%s): each host's are Ansible's host vars less the ansible_* and cortex-deploy keys", async (name) => {
    // YAML: a mapping replaces a mapping, as in Ansible; INI: values typed as Ansible types them.
    const file = relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory', name));
    const hostvars = ansibleHostvars(file);
    const inv = await loadInventory(file);
    const ours = new Set(['webApps', 'address', 'transport', 'winrm', 'ssh', 'versions', 'installPath', 'lab', 'waivers', 'port']);
    for (const h of inv.hosts) {
      const expected = Object.fromEntries(Object.entries(hostvars[h.name]!).filter(([k]) => !k.startsWith('ansible_') && !ours.has(k)));
      expect(h.vars, h.name).toEqual(expected);
    }
  });
});

/** src/connection/settings.ts: inventory hosts → plain connection settings, secrets resolved and registered up front. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { redact, clearSecretsForTests } from '../../src/secrets/registry.js';
import { connectionSettingsOf, insecureTlsWarning, resolveConnections, settingsOrThrow, sshSettingsOf, unusableConnectionsError, winrmSettingsOf } from '../../src/connection/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-connect-'));
writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
writeFileSync(join(dir, 'id_test'), 'PRIVATE KEY TEXT\n');
const file = join(dir, 'site.yaml');
writeFileSync(
  file,
  `all:
  vars:
    transport: winrm
    winrm: { scheme: https, auth: ntlm, user: 'CORP\\svc', password: env:CORTEX_CONNECT_TEST_PW, tls: { ca: file:ca.pem, serverName: win.corp.example } }
  children:
    app:
      hosts:
        app1: { address: 127.0.40.31 }
        app2: { address: 127.0.40.32, winrm: { tls: { ca: null, insecure: true } } }
        app3: { address: 127.0.40.33, transport: ssh, ssh: { user: svc, key: file:id_test, agent: false } }
`,
);

afterEach(() => {
  delete process.env.CORTEX_CONNECT_TEST_PW;
  clearSecretsForTests();
});

describe('session factory', () => {
  it('maps the winrm vars, resolves the password and reads the CA file relative to the inventory', async () => {
    process.env.CORTEX_CONNECT_TEST_PW = 'Winrm-Secret-1';
    const inv = await loadInventory(file);
    const s = await winrmSettingsOf(inv.hosts[0]!, inv);
    expect(s).toMatchObject({ scheme: 'https', port: 5986, auth: 'ntlm', user: 'CORP\\svc', password: 'Winrm-Secret-1', allowUnencrypted: false });
    expect(s.tls).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE'), serverName: 'win.corp.example', insecure: false });
    expect(redact('pw Winrm-Secret-1')).toBe('pw ********');
  });

  it('a missing password variable is an input error naming host and field', async () => {
    const inv = await loadInventory(file);
    await expect(winrmSettingsOf(inv.hosts[0]!, inv)).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringMatching(/site\.yaml:4:\d+, host app1.*field winrm.password.*CORTEX_CONNECT_TEST_PW is not set/),
    });
    await expect(connectionSettingsOf(inv.hosts[0]!, inv)).rejects.toMatchObject({ kind: 'input' });
  });

  it('warns only for hosts with tls.insecure over https', async () => {
    const inv = await loadInventory(file);
    expect(insecureTlsWarning(inv.hosts[0]!)).toBeNull();
    expect(insecureTlsWarning(inv.hosts[1]!)).toMatch(/^WARNING: app2: TLS certificate verification is OFF/);
    expect(insecureTlsWarning(inv.hosts[2]!)).toBeNull();
  });

  it('maps the ssh vars: the key file read as the private key, known_hosts defaulted', async () => {
    const inv = await loadInventory(file);
    const s = await sshSettingsOf(inv.hosts[2]!, inv);
    expect(s).toMatchObject({ port: 22, user: 'svc', privateKey: 'PRIVATE KEY TEXT', password: null, agent: null, jumpHost: null });
    expect(s.knownHostsPath).toMatch(/\.ssh\/known_hosts$/);
  });

  it('resolves every host up front: a host whose secret cannot be resolved keeps its error, the others their settings', async () => {
    const inv = await loadInventory(file);
    const resolved = await resolveConnections(inv, inv.hosts);
    expect([...resolved.keys()]).toEqual(['app1', 'app2', 'app3']);
    expect(resolved.get('app1')).toMatchObject({ ok: false, error: { kind: 'input', message: expect.stringMatching(/CORTEX_CONNECT_TEST_PW is not set/) } });
    expect(() => settingsOrThrow(resolved, 'app2')).toThrow(/host app2.*CORTEX_CONNECT_TEST_PW is not set/);
    // SSH needs no WinRM password: its settings are plain values, the key file already read.
    const ssh = settingsOrThrow(resolved, 'app3');
    expect(ssh).toMatchObject({ transport: 'ssh', host: { name: 'app3', address: '127.0.40.33' }, ssh: { privateKey: 'PRIVATE KEY TEXT' } });
    expect(redact('PRIVATE KEY TEXT')).toBe('********');
    expect(() => settingsOrThrow(resolved, 'nope')).toThrow(/no connection settings were resolved/);
  });

  it('unusableConnectionsError: each distinct problem once, with where it is written and the hosts it hits; null when every host has settings', async () => {
    const inv = await loadInventory(file);
    const resolved = await resolveConnections(inv, inv.hosts);
    const err = unusableConnectionsError(resolved, ['app1', 'app2', 'app3']);
    expect(err).toMatchObject({ kind: 'input', exitCode: 3 });
    const lines = err!.message.split('\n');
    expect(lines[0]).toBe('the connection settings of 2 hosts cannot be used, so no host was touched:');
    // Written once in the inventory, so one problem (no host name in it), then the hosts.
    expect(lines[1]).toMatch(/^ {2}.*site\.yaml:\d+:\d+, field winrm\.password: environment variable CORTEX_CONNECT_TEST_PW is not set.*Export it/);
    expect(lines[1]).not.toMatch(/host app/);
    expect(lines[2]).toBe('    hosts: app1, app2');
    expect(lines).toHaveLength(3);
    // Only the hosts of the run count: app3 (SSH) has its settings.
    expect(unusableConnectionsError(resolved, ['app3'])).toBeNull();
    const many = new Map([...Array(8).keys()].map((i) => [`h${i}`, resolved.get('app1')!]));
    expect(unusableConnectionsError(many, [...many.keys()])!.message).toMatch(/\n {4}hosts: h0, h1, h2, h3, h4 and 3 more$/);
  });

  it('once resolved, the settings carry the secrets in plain values for the transport', async () => {
    process.env.CORTEX_CONNECT_TEST_PW = 'Winrm-Secret-2';
    const inv = await loadInventory(file);
    const resolved = await resolveConnections(inv, inv.hosts);
    const s = settingsOrThrow(resolved, 'app2');
    expect(s).toMatchObject({ transport: 'winrm', host: { name: 'app2', address: '127.0.40.32' }, winrm: { password: 'Winrm-Secret-2', tls: { insecure: true, ca: null } } });
  });
});

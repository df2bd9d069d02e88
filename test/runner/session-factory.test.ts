/** src/transport/connect.ts: inventory host → transport settings, secrets resolved and registered. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { redact, clearSecretsForTests } from '../../src/secrets/registry.js';
import { insecureTlsWarning, openSession, sshSettingsOf, winrmSettingsOf } from '../../src/transport/connect.js';

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
    const s = await winrmSettingsOf(inv.hosts[0]!, { inventoryFile: inv.file });
    expect(s).toMatchObject({ scheme: 'https', port: 5986, auth: 'ntlm', user: 'CORP\\svc', password: 'Winrm-Secret-1', allowUnencrypted: false });
    expect(s.tls).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE'), serverName: 'win.corp.example', insecure: false });
    expect(redact('pw Winrm-Secret-1')).toBe('pw ********');
  });

  it('a missing password variable is an input error naming host and field', async () => {
    const inv = await loadInventory(file);
    await expect(winrmSettingsOf(inv.hosts[0]!, { inventoryFile: inv.file })).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringMatching(/host app1.*field winrm.password.*CORTEX_CONNECT_TEST_PW is not set/),
    });
    await expect(openSession(inv.hosts[0]!, { inventoryFile: inv.file })).rejects.toMatchObject({ kind: 'input' });
  });

  it('warns only for hosts with tls.insecure over https', async () => {
    const inv = await loadInventory(file);
    expect(insecureTlsWarning(inv.hosts[0]!)).toBeNull();
    expect(insecureTlsWarning(inv.hosts[1]!)).toMatch(/^WARNING: app2: TLS certificate verification is OFF/);
    expect(insecureTlsWarning(inv.hosts[2]!)).toBeNull();
  });

  it('maps the ssh vars: the key file read as the private key, known_hosts defaulted', async () => {
    const inv = await loadInventory(file);
    const s = await sshSettingsOf(inv.hosts[2]!, { inventoryFile: inv.file });
    expect(s).toMatchObject({ port: 22, user: 'svc', privateKey: 'PRIVATE KEY TEXT', password: null, agent: null, jumpHost: null });
    expect(s.knownHostsPath).toMatch(/\.ssh\/known_hosts$/);
  });
});

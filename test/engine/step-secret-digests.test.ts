/**
 * Secret digests (src/engine/agent/step-secrets.ts): an erlang_cookie step's diff compares the cookie
 * files' SHA-256 with the SHA-256 of the resolved cookie, which the params get as cookieSha256; the
 * cookie itself stays out of everything but the Set's params. The same for nservicebus_license's licence.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStepSecrets, withSecretDigests, DIGEST_TYPES } from '../../src/engine/agent/step-secrets.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { diffStep } from '../../src/engine/plan/plan.js';
import { loadInventory } from '../../src/inventory/index.js';

const COOKIE = 'ZXCVBNMASDFGHJKLQWERTYUIOP987654';
const SYS = 'C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie';

async function load() {
  const dir = mkdtempSync(join(tmpdir(), 'cookie-digest-'));
  writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 }, app2: { address: 127.0.0.2 } }\n');
  writeFileSync(join(dir, 'cookie.txt'), `${COOKIE}\n`);
  const inv = await loadInventory(join(dir, 'inv.yaml'));
  const text = [
    'name: t',
    'phases:',
    '  - name: p',
    '    targets: { roles: [app] }',
    '    steps:',
    '      - id: cookie',
    `        erlang_cookie: { cookie: 'file:cookie.txt', paths: ['${SYS}'] }`,
    '      - id: sf',
    "        scheduled_task: { name: sf, command: powershell.exe, runAs: { user: 'CORP\\\\sf', password: env:DIGEST_TEST_UNSET_PW }, token: '1' }",
    '',
  ].join('\n');
  return parsePlaybook(text, join(dir, 'pb.yaml'), inv);
}

describe('secret digests', () => {
  it('the digest of the resolved cookie goes into the params; the cookie only into the Set params', async () => {
    const pb = await load();
    // A plan resolves only the secrets a diff needs: the unset env: of the scheduled task is not read.
    const secrets = await resolveStepSecrets(pb, ['app1', 'app2'], DIGEST_TYPES);
    expect(secrets.count).toBe(2);
    const withDigest = withSecretDigests(pb, secrets);
    const want = createHash('sha256').update(COOKIE).digest('hex');
    const step = withDigest.phases[0]!.steps[0]!;
    expect(step.params.app1).toMatchObject({ cookie: 'file:cookie.txt', cookieSha256: want });
    expect(JSON.stringify(withDigest.phases)).not.toContain(COOKIE);
    // The loaded playbook is left as it was.
    expect(pb.phases[0]!.steps[0]!.params.app1).not.toHaveProperty('cookieSha256');
    expect((secrets.paramsFor('cookie', 'app1', step.params.app1) as { cookie: string }).cookie).toBe(COOKIE);

    const inSync = diffStep(step, 'app1', { files: [{ path: SYS, sha256: want }] });
    expect(inSync).toEqual({ change: { resource: 'erlang_cookie 1 file', action: 'none', from: null, to: null }, upgrades: {} });
    const other = diffStep(step, 'app1', { files: [{ path: SYS, sha256: 'a'.repeat(64) }] });
    expect(other).toEqual({ change: { resource: 'erlang_cookie 1 file', action: 'update', from: { [SYS]: 'differs' }, to: { [SYS]: 'cookie' } }, upgrades: {} });
  });

  it("nservicebus_license: the licence file (several lines) read whole, only its last newline stripped; plans and Tests see its SHA-256", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'license-digest-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 } }\n');
    const LICENSE = '<?xml version="1.0"?>\n<license id="t">\n  <name>Secret Customer</name>\n</license>';
    writeFileSync(join(dir, 'license.xml'), `${LICENSE}\n`);
    const inv = await loadInventory(join(dir, 'inv.yaml'));
    const pb = parsePlaybook("name: t\nphases:\n  - name: p\n    targets: { roles: [app] }\n    steps:\n      - id: nsb\n        nservicebus_license: { license: 'file:license.xml' }\n", join(dir, 'pb.yaml'), inv);
    const secrets = await resolveStepSecrets(pb, ['app1'], DIGEST_TYPES);
    const step = withSecretDigests(pb, secrets).phases[0]!.steps[0]!;
    const want = createHash('sha256').update(LICENSE).digest('hex');
    expect(step.params.app1).toEqual({ license: 'file:license.xml', path: 'C:\\ProgramData\\ParticularSoftware\\license.xml', licenseSha256: want });
    expect((secrets.paramsFor('nsb', 'app1', step.params.app1) as { license: string }).license).toBe(LICENSE);
    expect(diffStep(step, 'app1', { exists: true, sha256: want })).toEqual({ change: { resource: 'nservicebus_license C:\\ProgramData\\ParticularSoftware\\license.xml', action: 'none', from: null, to: null }, upgrades: {} });
    const created = diffStep(step, 'app1', { exists: false, sha256: null });
    expect(created).toEqual({ change: { resource: 'nservicebus_license C:\\ProgramData\\ParticularSoftware\\license.xml', action: 'create', from: null, to: { sha256: want } }, upgrades: {} });
    expect(JSON.stringify(created)).not.toContain('Secret Customer');
  });

  it('resolving every secret (apply) fails on the unset reference, naming it', async () => {
    const pb = await load();
    await expect(resolveStepSecrets(pb, ['app1'])).rejects.toThrow(/DIGEST_TEST_UNSET_PW is not set/);
  });
});

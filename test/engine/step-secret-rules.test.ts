/**
 * Rules a step secret's value must keep (src/engine/agent/step-secrets.ts, SECRET_VALUE_RULES): the
 * Erlang cookie is 20 to 255 ASCII letters and digits. A value that breaks the rule stops the run as it is
 * resolved, on the workstation, with an input error (exit 3) naming the step's file:line, the step, the
 * field and the reference, never the value.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST_TYPES, resolveStepSecrets } from '../../src/engine/agent/step-secrets.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { InputError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { loadInventory } from '../../src/inventory/index.js';

const VAR = 'CX_RULES_TEST_ERLANG_COOKIE';
const SYS = 'C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie';

async function load() {
  const dir = mkdtempSync(join(tmpdir(), 'cookie-rules-'));
  writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 }, app2: { address: 127.0.0.2 } }\n');
  const text = ['name: t', 'phases:', '  - name: p', '    targets: { roles: [app] }', '    steps:', '      - id: dir', "        directory: { path: 'C:\\Cortex' }", '      - id: cookie', `        erlang_cookie: { cookie: env:${VAR}, paths: ['${SYS}'] }`, ''].join('\n');
  return { pb: parsePlaybook(text, join(dir, 'pb.yaml'), await loadInventory(join(dir, 'inv.yaml'))) };
}

/** What resolving the playbook's secrets throws with the cookie set to `value`. */
async function refusal(value: string, only?: typeof DIGEST_TYPES): Promise<InputError> {
  process.env[VAR] = value;
  const { pb } = await load();
  const err = await resolveStepSecrets(pb, ['app1', 'app2'], only).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

afterEach(() => {
  delete process.env[VAR];
});

describe('step secret rules: the Erlang cookie', () => {
  it('a cookie of 20 to 255 letters and digits resolves', async () => {
    for (const cookie of ['A1'.repeat(10), 'x'.repeat(255)]) {
      process.env[VAR] = cookie;
      const { pb } = await load();
      const secrets = await resolveStepSecrets(pb, ['app1', 'app2']);
      expect(secrets.count).toBe(2);
      expect((secrets.paramsFor('cookie', 'app1', pb.phases[0]!.steps[1]!.params.app1) as { cookie: string }).cookie).toBe(cookie);
    }
  });

  it.each([
    ['too short', 'ABCDEFGHIJ123456789', 'the cookie is 19 characters; use at least 20'],
    ['too long', 'A'.repeat(256), 'the cookie is 256 characters; Erlang takes at most 255'],
    ['punctuation', 'Cookie-With-Dashes-2026', 'the cookie holds characters other than ASCII letters and digits'],
    ['a trailing newline', `${'C'.repeat(24)}\n`, 'the cookie holds a line break (a file written with a trailing newline)'],
    ['non-ASCII', `${'C'.repeat(24)}é`, 'the cookie holds non-ASCII characters'],
  ])('%s: an input error (exit 3) naming file:line, step, field and reference; never the value', async (_name, value, why) => {
    const err = await refusal(value);
    expect(err.exitCode).toBe(ExitCode.InvalidInput);
    expect(err.context).toMatchObject({ step: 'cookie', field: 'erlang_cookie.cookie', position: { line: 8 } });
    expect(err.message).toMatch(/pb\.yaml:8:\d+, host app1, step cookie, field erlang_cookie\.cookie: /);
    expect(err.message).toContain(`${why} (the value of env:${VAR}).`);
    expect(err.message).toContain('20 to 255 ASCII letters and digits');
    expect(err.message).not.toContain(value.trim());
  });

  it('plan resolves only the digest types, the cookie among them: it refuses the same cookie', async () => {
    const err = await refusal('short', DIGEST_TYPES);
    expect(err.message).toContain(`the cookie is 5 characters; use at least 20 (the value of env:${VAR}).`);
  });
});

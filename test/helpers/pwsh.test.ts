import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupPwsh } from './pwsh.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-pwsh-helper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeExe(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('lookupPwsh', () => {
  const root = join(dir, 'repo');
  const onPath = join(dir, 'bin');
  fakeExe(join(onPath, 'pwsh'));

  it('prefers CORTEX_PWSH, and says so when it is not executable', () => {
    const own = fakeExe(join(dir, 'own', 'pwsh'));
    expect(lookupPwsh({ CORTEX_PWSH: own, PATH: onPath }, root).path).toBe(own);
    const bad = lookupPwsh({ CORTEX_PWSH: join(dir, 'nope'), PATH: onPath }, root);
    expect(bad.path).toBeNull();
    expect(bad.reason).toMatch(/CORTEX_PWSH=.*nope is not an executable file/);
  });

  it('then <repo>/.tools/bin/pwsh, then PATH, else a reason naming setup.sh', () => {
    expect(lookupPwsh({ PATH: onPath }, root).path).toBe(join(onPath, 'pwsh'));
    const tool = fakeExe(join(root, '.tools', 'bin', 'pwsh'));
    expect(lookupPwsh({ PATH: onPath }, root).path).toBe(tool);
    const none = lookupPwsh({ PATH: join(dir, 'empty') }, join(dir, 'other'));
    expect(none.path).toBeNull();
    expect(none.reason).toContain('scripts/setup.sh');
  });
});

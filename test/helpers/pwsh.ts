/**
 * The real pwsh for tests that run PowerShell (the resident runner, the lab's real-pwsh endpoints,
 * differential tests). Found as: $CORTEX_PWSH, else <repo>/.tools/bin/pwsh (scripts/setup.sh puts it
 * there), else `pwsh` on PATH.
 *
 * When there is none, a PowerShell test is never silently skipped: under CI=true it FAILS (naming what is
 * missing and how to install it); elsewhere it is skipped loudly, the reason in the test name and on
 * stderr.
 *
 *     import { describeWithPwsh } from '../helpers/pwsh.js';
 *     describeWithPwsh('resident runner', (pwsh) => { it('...', async () => { ... }) });
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { describe, it } from 'vitest';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface PwshLookup {
  /** Absolute path of the pwsh to use, or null. */
  path: string | null;
  /** Where it came from, or why there is none (for messages). */
  reason: string;
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Look pwsh up (pure apart from the file checks; `env` and `root` are parameters for testing). */
export function lookupPwsh(env: NodeJS.ProcessEnv = process.env, root: string = REPO_ROOT): PwshLookup {
  const fromEnv = env.CORTEX_PWSH;
  if (fromEnv) {
    return executable(fromEnv)
      ? { path: resolve(fromEnv), reason: `CORTEX_PWSH=${fromEnv}` }
      : { path: null, reason: `CORTEX_PWSH=${fromEnv} is not an executable file` };
  }
  const tool = join(root, '.tools', 'bin', 'pwsh');
  if (executable(tool)) return { path: tool, reason: tool };
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'pwsh');
    if (executable(candidate)) return { path: candidate, reason: `${candidate} (PATH)` };
  }
  return {
    path: null,
    reason: `no pwsh: CORTEX_PWSH is unset, ${tool} is missing and PATH has none (run scripts/setup.sh, which installs pwsh 7.6.9 with the .NET SDK)`,
  };
}

export const pwshLookup: PwshLookup = lookupPwsh();

/** The pwsh path, or null when there is none. */
export const PWSH: string | null = pwshLookup.path;

export const isCI = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === 'true' || env.CI === '1';

let warned = false;

/**
 * A describe block that needs a real pwsh; `body` gets its path. Without one: under CI a failing test
 * saying why; otherwise a skipped block whose name carries the reason (and a line on stderr).
 */
export function describeWithPwsh(name: string, body: (pwsh: string) => void): void {
  const path = pwshLookup.path;
  if (path) {
    describe(name, () => body(path));
    return;
  }
  if (isCI()) {
    describe(name, () => {
      it('needs pwsh (CI=true: PowerShell tests are never skipped)', () => {
        throw new Error(`${name}: ${pwshLookup.reason}`);
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    process.stderr.write(`\n*** SKIPPING PowerShell tests: ${pwshLookup.reason} ***\n\n`);
  }
  describe.skip(`${name} [SKIPPED: ${pwshLookup.reason}]`, () => body('pwsh'));
}

/** For code outside a describe (beforeAll, fixtures): the pwsh path, or an error saying why there is none. */
export function requirePwsh(): string {
  if (!pwshLookup.path) throw new Error(pwshLookup.reason);
  return pwshLookup.path;
}

/**
 * For a file whose tests all need pwsh and decide themselves how to skip (`describe.skipIf(!pwsh)`):
 * the pwsh path; null (with a loud line on stderr) when there is none outside CI; under CI=true an error.
 */
export function pwshForTests(what: string): string | null {
  if (pwshLookup.path) return pwshLookup.path;
  const why = `${what} needs pwsh 7: ${pwshLookup.reason}`;
  if (isCI()) throw new Error(`${why} (CI=true: PowerShell tests are never skipped)`);
  process.stderr.write(`\n*** SKIPPING: ${why} ***\n\n`);
  return null;
}

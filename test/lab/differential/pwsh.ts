/**
 * pwsh for the differential tests (local helper: test/helpers/pwsh.ts did not exist on main when these
 * were written). Under CI=true a missing pwsh fails the run; elsewhere the tests are skipped, loudly.
 */
import { findPwsh } from '../../../src/lab/shim/shim-runner.js';

export function pwshForTests(what: string): string | null {
  const pwsh = findPwsh();
  if (pwsh) return pwsh;
  const why = `${what} needs pwsh 7 (scripts/setup.sh installs it as .tools/bin/pwsh; or set CORTEX_PWSH)`;
  if (process.env.CI === 'true') throw new Error(`${why}: missing under CI=true`);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  return null;
}

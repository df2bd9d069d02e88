/**
 * The package's root folder: the one holding cortex-deploy's package.json, with ps1/, src/lab/shim/,
 * examples/ and dist/ beside it. Code that reads the package's own files starts here.
 *
 * Found by walking up from this module, never by a fixed number of `..`: the same code runs as
 * src/*.ts (vitest), as dist/*.js (tsc's output: tests, lint:ps1, the lab's SSH entry) and inlined
 * into the bundled CLI (dist/cli/main.js and dist/cli/chunks/, rolldown.config.mjs), where
 * import.meta.url is the bundle file's, not the source module's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from './errors.js';

export const PACKAGE_NAME = 'cortex-deploy';

export interface PackageRoot {
  dir: string;
  /** The parsed package.json (name and version are what is read from it). */
  manifest: { name?: unknown; version?: unknown };
}

let cached: PackageRoot | null | undefined;

/** The nearest ancestor of `from` whose package.json names cortex-deploy; null when there is none. */
export function findPackageRoot(from: string): PackageRoot | null {
  let dir = from;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageRoot['manifest'];
        if (manifest && manifest.name === PACKAGE_NAME) return { dir, manifest };
      } catch {
        // an unreadable package.json is not ours: keep walking
      }
    }
    const parent = resolve(dir, '..');
    if (parent === dir) return null;
    dir = parent;
  }
}

/** This installation's root, looked up once; null when this module is not inside the package. */
export function packageRoot(): PackageRoot | null {
  if (cached === undefined) cached = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

/** This installation's root folder; `what` names the file that was wanted, for the error. */
export function packageDir(what: string): string {
  const root = packageRoot();
  if (!root) throw new InternalError(`cannot find ${what}: no package.json of ${PACKAGE_NAME} above ${dirname(fileURLToPath(import.meta.url))}`);
  return root.dir;
}

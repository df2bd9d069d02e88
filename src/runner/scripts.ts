/**
 * The PowerShell scripts shipped under ps1/, found by the id in their header line
 * (`# cortex-script: <id>`), and the library text (ps1/lib/*.ps1) that travels with every script.
 *
 * The ps1/ folder sits beside src/ and dist/ in the package root (src/package-root.ts), wherever this
 * module runs from: src/ under vitest, dist/ as tsc builds it, or inlined in the bundled CLI.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError, InternalError } from '../errors.js';
import { packageDir } from '../package-root.js';
import { scriptIdOf } from '../protocol/script-frames.js';

export interface LoadedScript {
  id: string;
  text: string;
  /** Path relative to the ps1/ folder (for messages), absent for inline scripts. */
  file?: string;
}

/** Locate ps1/ in the package root. */
export function ps1Dir(): string {
  const dir = join(packageDir('the ps1/ folder'), 'ps1');
  if (!existsSync(dir)) throw new InternalError(`cannot find the ps1/ folder of cortex-deploy: ${dir} is missing`);
  return dir;
}

function walkPs1(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkPs1(p));
    else if (name.endsWith('.ps1')) out.push(p);
  }
  return out;
}

let index: Map<string, LoadedScript> | null = null;

/** Every script under ps1/ by id. Two files with one id are a packaging bug. */
export function scriptIndex(): Map<string, LoadedScript> {
  if (index) return index;
  const root = ps1Dir();
  const map = new Map<string, LoadedScript>();
  for (const abs of walkPs1(root)) {
    const text = readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
    const file = relative(root, abs).split(sep).join('/');
    const id = headerIdOf(text);
    if (!id) continue;
    const seen = map.get(id);
    if (seen) throw new InternalError(`script id ${id} is declared twice: ps1/${seen.file} and ps1/${file}`);
    map.set(id, { id, text, file });
  }
  index = map;
  return map;
}

/** The id from the header, only when the header is the first line (as the envelope rules require). */
export function headerIdOf(text: string): string | null {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  return scriptIdOf(firstLine);
}

/** Load a shipped script by id, e.g. `loadScript('probes.ping')`. */
export function loadScript(id: string): LoadedScript {
  const script = scriptIndex().get(id);
  if (!script) {
    throw new InputError(`no script with id ${id} under ps1/`, { script: id, hint: 'Each ps1/ file starts with "# cortex-script: <id>".' });
  }
  return script;
}

let libText: string | null = null;

/**
 * The text of ps1/lib/*.ps1, in file-name order, sent in every run request's `lib` field and executed
 * in the script's runspace before the script (see ps1/lib/envelope.ps1).
 */
export function libraryText(): string {
  libText ??= libraryFiles().join('\n');
  return libText;
}

/** The texts of ps1/lib/*.ps1, in file-name order (the runner makes each one's wire text on its own). */
export function libraryFiles(): string[] {
  const dir = join(ps1Dir(), 'lib');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ps1'))
    .sort()
    .map((n) => readFileSync(join(dir, n), 'utf8').replace(/^\uFEFF/, ''));
}

/**
 * Ansible's `group_vars/` and `host_vars/` folders beside the inventory file: per group (or host) a
 * file NAME.yml / NAME.yaml / NAME.json / NAME, or a folder NAME/ of such files (read in name order,
 * later files win). Each file is kept as its own YamlSource: the loader validates it where written
 * and merges it right after the inline vars of the same group or host (docs/inventory.md).
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readBoundedFile, readFailureText } from './bounded-file.js';
import { INVENTORY_LIMITS } from './limits.js';
import { YamlSource, type YamlPath } from './source.js';
import type { InventoryProblem } from './types.js';

/** Marks a YAML path as one into a vars file: [VARS_FILE + 'group_vars/web.yml', ...path in that file]. */
export const VARS_FILE = '\u0001';

export interface VarsFile {
  kind: 'group' | 'host';
  /** The group or host it applies to. */
  name: string;
  /** The file as shown to the user (the inventory's folder as given, then group_vars/…). */
  display: string;
  source: YamlSource;
  data: unknown;
  /** The first segment of every YAML path into this file. */
  key: string;
}

export interface VarsDirs {
  files: VarsFile[];
  problems: InventoryProblem[];
}

const EXTENSIONS = new Set(['.yml', '.yaml', '.json', '']);
const MAX_FILES = 1000;

/** Names in a folder, hidden ones left out, in name order; null (and a problem) when it cannot be listed. */
async function list(path: string, display: string, problems: InventoryProblem[]): Promise<string[] | null> {
  try {
    return (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    problems.push({ position: { file: display, line: 1, col: 1 }, field: '(file)', message: `the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, hint: 'Check its permissions.' });
    return null;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads group_vars/ and host_vars/ in `dir` (shown as `displayDir`); absent folders give nothing. */
export async function readVarsDirs(dir: string, displayDir: string): Promise<VarsDirs> {
  const files: VarsFile[] = [];
  const problems: InventoryProblem[] = [];
  for (const kind of ['group', 'host'] as const) {
    const folder = `${kind}_vars`;
    if (!(await isDir(join(dir, folder)))) continue;
    const entries = (await list(join(dir, folder), join(displayDir, folder), problems)) ?? [];
    for (const entry of entries) {
      const rel = `${folder}/${entry}`;
      if (await isDir(join(dir, rel))) {
        const inner = (await list(join(dir, rel), join(displayDir, rel), problems)) ?? [];
        for (const f of inner) await add(kind, entry, `${rel}/${f}`);
      } else {
        const ext = extname(entry);
        await add(kind, EXTENSIONS.has(ext) ? entry.slice(0, entry.length - ext.length) : entry, rel);
      }
      if (files.length > MAX_FILES) {
        problems.push({ position: { file: join(displayDir, folder), line: 1, col: 1 }, field: '(file)', message: `more than ${MAX_FILES} vars files.`, hint: 'Keep group_vars/ and host_vars/ to the groups and hosts of this inventory.' });
        return { files, problems };
      }
    }
  }
  return { files, problems };

  async function add(kind: 'group' | 'host', name: string, rel: string): Promise<void> {
    const display = join(displayDir, rel);
    const position = { file: display, line: 1, col: 1 };
    if (!EXTENSIONS.has(extname(rel))) {
      // Ansible skips such files; saying so beats a setting that silently never applies.
      problems.push({ position, field: '(file)', message: `${kind}_vars files are YAML (.yml, .yaml, .json or no extension); this one is not read.`, hint: 'Rename it, or move it out of the folder.' });
      return;
    }
    let text: string;
    try {
      text = await readBoundedFile(join(dir, rel), INVENTORY_LIMITS.maxBytes);
    } catch (err) {
      problems.push({ position, field: '(file)', message: readFailureText(`${kind}_vars file`, display, err).detail });
      return;
    }
    const { source, data, problems: syntax } = YamlSource.parse(text, display);
    if (syntax.length) {
      problems.push(...syntax.map((s) => ({ position: s.position, field: '(yaml)', message: s.message })));
      return;
    }
    files.push({ kind, name, display, source, data: data ?? {}, key: VARS_FILE + rel });
  }
}

/** positionOf across the inventory file and its vars files (paths into a vars file start with its key). */
export function combinedPositions(main: Pick<YamlSource, 'positionOf'>, files: readonly VarsFile[]): Pick<YamlSource, 'positionOf'> {
  const byKey = new Map(files.map((f) => [f.key, f.source]));
  return {
    positionOf(path: YamlPath, opts?: { key?: boolean }) {
      const first = path[0];
      if (typeof first === 'string' && first.startsWith(VARS_FILE)) return byKey.get(first)?.positionOf(path.slice(1), opts);
      return main.positionOf(path, opts);
    },
  };
}

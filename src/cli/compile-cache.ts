/**
 * A V8 code cache for the bundled CLI's chunks (dist/cli/chunks/*.cjs, rolldown.config.mjs). Node 20
 * compiles every loaded file from source on every run, and compiles each function again the first time
 * it runs: for a short command (exec, plan) that was about a third of its start (docs/benchmarks.md,
 * "The code cache"). Node 22 has this built in (module.enableCompileCache); this is the same idea for
 * Node 20, for our own chunks only.
 *
 * - A chunk is compiled with the cache its previous run left, if any; V8 checks that the cache was made
 *   by the same V8, with the same flags, and rejects it otherwise (then the chunk compiles from source).
 * - The cache is written when the process exits, after the run, so it holds the functions the run used,
 *   not only the chunk's top level. A chunk already served from its cache is not written again.
 * - A cache file is named after the SHA-256 of the chunk's text: after an upgrade a chunk never meets the
 *   cache of another text (V8's own check compares lengths only). Writing a chunk's cache removes the
 *   files of its other texts written more than a week before: two installations used in turn keep
 *   theirs, and an old one's files go after a week.
 * - The folder is the user's own: created 0700, used only when it is a real folder (not a link) owned by
 *   this user and writable by no one else (POSIX), since code read from it runs as the user. Files are
 *   written 0600, under a temporary name, then renamed: a run beside another never reads half a file.
 * - Nothing here may stop the CLI: an unusable folder or file means compiling from source, as without it.
 * - Code read back from a cache cannot run a dynamic import (V8 drops what Node needs for it): the
 *   bundle has none, a build check says so (scripts/bundle.mjs), and its packages come by require().
 *   Code compiled from source gets Node's loader for one all the same (Node 20.12 and later).
 *
 * CORTEX_COMPILE_CACHE: unset, the per-user cache folder (below); `off`, no cache; otherwise the folder.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import vm from 'node:vm';

export interface CompileCacheStats {
  /** The folder in use; null when the cache is off. */
  dir: string | null;
  /** Why the cache is off (null when on). */
  off: string | null;
  /** Chunks compiled with their cache. */
  hits: number;
  /** Chunks with no cache yet (written at exit). */
  misses: number;
  /** Chunks whose cache V8 refused (another V8 or other flags; rewritten at exit). */
  rejected: number;
  /** Cache files written at exit. */
  written: number;
}

/** The per-user cache folder for this Node and V8: null when the platform's home is unknown. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | null {
  const leaf = join('cortex-deploy', `compile-cache-v8-${process.versions.v8}-${process.arch}`);
  if (platform === 'win32') return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, leaf) : null;
  if (!home) return null;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', leaf);
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), leaf);
}

/** The folder CORTEX_COMPILE_CACHE asks for, or why there is none. */
export function cacheDirFrom(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string = safeHomedir()): { dir: string | null; off: string | null } {
  const v = env.CORTEX_COMPILE_CACHE?.trim();
  if (v && /^(off|0|false|no)$/i.test(v)) return { dir: null, off: 'CORTEX_COMPILE_CACHE=off' };
  const dir = v || defaultCacheDir(env, platform, home);
  return dir ? { dir, off: null } : { dir: null, off: 'no home or cache folder' };
}

function safeHomedir(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** Create the folder (0700) and say why it must not be used, or null when it is safe. */
export function prepareCacheDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a folder`;
    if (process.platform !== 'win32') {
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${dir} belongs to another user`;
      if ((st.mode & 0o022) !== 0) return `${dir} is writable by others`;
    }
    return null;
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
}

interface Pending {
  script: vm.Script;
  file: string;
  chunk: string;
}

const CJS_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})'] as const;

type Loader = (module: Module, filename: string) => void;

/**
 * Serve the .cjs files under `scope` (the bundle's folder) through the cache. Call it before the first
 * chunk is required. Returns what the cache does, counted as it goes (`written` at exit).
 */
export function enableCompileCache(scope: string, env: NodeJS.ProcessEnv = process.env): Readonly<CompileCacheStats> {
  const { dir, off } = cacheDirFrom(env);
  const dynamicImport = (vm.constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const why = off ?? (dir ? prepareCacheDir(dir) : null);
  const stats: CompileCacheStats = { dir: why ? null : dir, off: why, hits: 0, misses: 0, rejected: 0, written: 0 };
  if (why || !dir) return stats;
  const prefix = scope.endsWith(sep) ? scope : scope + sep;
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const plain = extensions['.cjs'] ?? extensions['.js']!;
  const pending: Pending[] = [];
  extensions['.cjs'] = function cachedLoad(module: Module, filename: string): void {
    if (!filename.startsWith(prefix)) return plain(module, filename);
    const bytes = readFileSync(filename);
    const chunk = basename(filename, '.cjs');
    const file = join(dir, `${chunk}-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.v8`);
    const source = bytes.toString('utf8');
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(CJS_WRAPPER[0] + source + CJS_WRAPPER[1], { filename, cachedData, ...(dynamicImport ? { importModuleDynamically: dynamicImport as never } : {}) });
    if (!cachedData) stats.misses++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.hits++;
    if (!cachedData || script.cachedDataRejected) pending.push({ script, file, chunk });
    const fn = script.runInThisContext() as (...a: unknown[]) => void;
    fn.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (pending.length === 0) return;
    const written = pending.filter((p) => writeCache(p));
    stats.written = written.length;
    pruneOtherTexts(dir, written);
  });
  return stats;
}

/** Files of a chunk's other texts are removed once they are this old (see the module comment). */
export const OTHER_TEXT_KEPT_MS = 7 * 24 * 3600 * 1000;

/** Write one chunk's cache: a temporary name, then rename. Never throws. */
function writeCache(p: Pending): boolean {
  const tmp = `${p.file}.${process.pid}.tmp`;
  try {
    const data = p.script.createCachedData();
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, p.file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

/** Remove the week-old files of other texts of the chunks just written (one listing of the folder). Never throws. */
function pruneOtherTexts(dir: string, written: readonly Pending[]): void {
  if (written.length === 0) return;
  const before = Date.now() - OTHER_TEXT_KEPT_MS;
  const mine = new Set(written.map((p) => basename(p.file)));
  const chunks = new Set(written.map((p) => p.chunk));
  try {
    for (const f of readdirSync(dir)) {
      const m = /^(.+)-[0-9a-f]{32}\.v8$/.exec(f);
      if (!m || !chunks.has(m[1]!) || mine.has(f)) continue;
      try {
        if (statSync(join(dir, f)).mtimeMs < before) unlinkSync(join(dir, f));
      } catch {
        // another run removed it first: nothing to do
      }
    }
  } catch {
    // the folder cannot be listed now: an old file only costs space
  }
}

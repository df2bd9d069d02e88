/**
 * The code cache of the bundled CLI (src/cli/compile-cache.ts). The mechanism is run in child processes
 * (it hooks Node's CommonJS loader, so not inside vitest's), through tsc's build of the module
 * (dist/cli/compile-cache.js), on small chunks written here; then the built CLI itself, as users run it.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cacheDirFrom, defaultCacheDir, OTHER_TEXT_KEPT_MS, prepareCacheDir } from '../../src/cli/compile-cache.js';
import { cliEnv, runCli } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const built = pathToFileURL(join(root, 'dist/cli/compile-cache.js')).href;
const work = mkdtempSync(join(tmpdir(), 'cortex-compile-cache-'));
const leaf = `compile-cache-v8-${process.versions.v8}-${process.arch}`;

describe('where the cache lives', () => {
  it('is the per-user cache folder of each platform, for this V8', () => {
    expect(defaultCacheDir({}, 'linux', '/home/ann')).toBe(join('/home/ann/.cache/cortex-deploy', leaf));
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/ann' }, 'linux', '/home/ann')).toBe(join('/var/cache/ann/cortex-deploy', leaf));
    expect(defaultCacheDir({}, 'darwin', '/Users/ann')).toBe(join('/Users/ann/Library/Caches/cortex-deploy', leaf));
    expect(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', '')).toBe(join('C:\\Users\\ann\\AppData\\Local', 'cortex-deploy', leaf));
    expect(defaultCacheDir({}, 'win32', 'C:\\Users\\ann')).toBeNull();
    expect(defaultCacheDir({}, 'linux', '')).toBeNull();
  });

  it('CORTEX_COMPILE_CACHE names another folder, or turns the cache off', () => {
    expect(cacheDirFrom({ CORTEX_COMPILE_CACHE: '/tmp/x' }, 'linux', '/home/ann')).toEqual({ dir: '/tmp/x', off: null });
    for (const v of ['off', 'OFF', '0', 'false', 'no']) expect(cacheDirFrom({ CORTEX_COMPILE_CACHE: v }, 'linux', '/home/ann')).toEqual({ dir: null, off: 'CORTEX_COMPILE_CACHE=off' });
    expect(cacheDirFrom({}, 'linux', '/home/ann').dir).toBe(join('/home/ann/.cache/cortex-deploy', leaf));
    expect(cacheDirFrom({}, 'linux', '')).toEqual({ dir: null, off: 'no home or cache folder' });
  });

  it.skipIf(process.platform === 'win32')('is used only when it is a real folder of this user that no one else can write', () => {
    const fresh = join(work, 'fresh', 'a', 'b');
    expect(prepareCacheDir(fresh)).toBeNull();
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    const open = join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(prepareCacheDir(open)).toBe(`${open} is writable by others`);
    const link = join(work, 'link');
    symlinkSync(fresh, link);
    expect(prepareCacheDir(link)).toBe(`${link} is not a folder`);
    const file = join(work, 'file');
    writeFileSync(file, '');
    expect(prepareCacheDir(file)).toMatch(/^.*file: EEXIST|is not a folder/);
  });
});

interface ChildResult {
  out: { answer: number; helper: string; required: string };
  stats: { dir: string | null; off: string | null; hits: number; misses: number; rejected: number; written: number };
}

/** Load `bundle/main.cjs` through the cache in a fresh node, with CORTEX_COMPILE_CACHE=`cache`. */
function loadChunks(bundle: string, cache: string): Promise<ChildResult> {
  const script = `
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
const { enableCompileCache } = await import(${JSON.stringify(built)});
const stats = enableCompileCache(${JSON.stringify(bundle)});
const m = createRequire(import.meta.url)(${JSON.stringify(join(bundle, 'main.cjs'))});
const out = { answer: m.answer(), helper: m.helper(), required: typeof (await m.later()).join };
process.on('exit', () => writeSync(1, JSON.stringify({ out, stats })));
`;
  return new Promise((done, fail) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, CORTEX_COMPILE_CACHE: cache }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stderr}`)) : done(JSON.parse(stdout) as ChildResult),
    ),
  );
}

function writeBundle(dir: string, answer: string): void {
  mkdirSync(join(dir, 'chunks'), { recursive: true });
  writeFileSync(
    join(dir, 'main.cjs'),
    `const helper = require('./chunks/helper.cjs');\nexports.answer = () => ${answer};\nexports.helper = () => helper.where(__filename);\nexports.later = () => Promise.resolve().then(() => require('node:path'));\n`,
  );
  writeFileSync(join(dir, 'chunks', 'helper.cjs'), `exports.where = (f) => require('node:path').basename(f) + ' ' + require('node:path').basename(__dirname);\n`);
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8')).sort();

describe('the code cache', () => {
  it('is written at the first run, used by the next, and the code runs the same', async () => {
    const bundle = join(work, 'b1');
    const cache = join(work, 'c1');
    writeBundle(bundle, '42');
    const first = await loadChunks(bundle, cache);
    expect(first.out).toEqual({ answer: 42, helper: 'main.cjs chunks', required: 'function' });
    expect(first.stats).toMatchObject({ dir: cache, off: null, hits: 0, misses: 2, rejected: 0, written: 2 });
    const files = cacheFiles(cache);
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(/^(main|helper)-[0-9a-f]{32}\.v8$/);
    if (process.platform !== 'win32') for (const f of files) expect(statSync(join(cache, f)).mode & 0o777).toBe(0o600);
    const mtimes = files.map((f) => statSync(join(cache, f)).mtimeMs);

    const second = await loadChunks(bundle, cache);
    expect(second.out).toEqual(first.out);
    expect(second.stats).toMatchObject({ hits: 2, misses: 0, rejected: 0, written: 0 });
    expect(cacheFiles(cache)).toEqual(files);
    expect(files.map((f) => statSync(join(cache, f)).mtimeMs)).toEqual(mtimes);
  });

  it('never serves the cache of another text, even of the same length; an old text\'s file goes after a week', async () => {
    const bundle = join(work, 'b2');
    const cache = join(work, 'c2');
    writeBundle(bundle, '42');
    await loadChunks(bundle, cache);
    const mainOf = (files: string[]) => files.filter((f) => f.startsWith('main-'));
    const first = mainOf(cacheFiles(cache));
    const helper = cacheFiles(cache).filter((f) => f.startsWith('helper-'));
    // Same length, other code: V8's own check (the length) would accept the old cache.
    writeBundle(bundle, '17');
    const second = await loadChunks(bundle, cache);
    expect(second.out.answer).toBe(17);
    expect(second.stats).toMatchObject({ hits: 1, misses: 1, written: 1 });
    // The first text's file is a day old: kept (two installations used in turn keep their caches).
    const day = Date.now() / 1000 - 24 * 3600;
    utimesSync(join(cache, first[0]!), day, day);
    const both = mainOf(cacheFiles(cache));
    expect(both).toHaveLength(2);
    writeBundle(bundle, '42');
    expect((await loadChunks(bundle, cache)).stats).toMatchObject({ hits: 2, misses: 0 });
    // Eight days old, and the other text's cache is written again: it is removed.
    const old = Date.now() / 1000 - (OTHER_TEXT_KEPT_MS / 1000 + 24 * 3600);
    utimesSync(join(cache, first[0]!), old, old);
    rmSync(join(cache, both.find((f) => f !== first[0])!));
    writeBundle(bundle, '17');
    const third = await loadChunks(bundle, cache);
    expect(third.stats).toMatchObject({ misses: 1, written: 1 });
    expect(mainOf(cacheFiles(cache))).toEqual(both.filter((f) => f !== first[0]));
    expect(cacheFiles(cache).filter((f) => f.startsWith('helper-'))).toEqual(helper);
  });

  it('a damaged cache file is refused by V8 and written again; the code still runs', async () => {
    const bundle = join(work, 'b3');
    const cache = join(work, 'c3');
    writeBundle(bundle, '42');
    await loadChunks(bundle, cache);
    const main = cacheFiles(cache).find((f) => f.startsWith('main-'))!;
    writeFileSync(join(cache, main), Buffer.alloc(400, 7));
    const damaged = await loadChunks(bundle, cache);
    expect(damaged.out.answer).toBe(42);
    expect(damaged.stats).toMatchObject({ hits: 1, rejected: 1, written: 1 });
    expect(readFileSync(join(cache, main)).equals(Buffer.alloc(400, 7))).toBe(false);
    expect((await loadChunks(bundle, cache)).stats).toMatchObject({ hits: 2, rejected: 0 });
  });

  it('off, or an unsafe folder: the code runs, compiled from source, and nothing is written', async () => {
    const bundle = join(work, 'b4');
    writeBundle(bundle, '42');
    const off = await loadChunks(bundle, 'off');
    expect(off.out.answer).toBe(42);
    expect(off.stats).toMatchObject({ dir: null, off: 'CORTEX_COMPILE_CACHE=off', hits: 0, misses: 0, written: 0 });
    if (process.platform === 'win32') return;
    const open = join(work, 'c4-open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const unsafe = await loadChunks(bundle, open);
    expect(unsafe.out.answer).toBe(42);
    expect(unsafe.stats).toMatchObject({ dir: null, off: `${open} is writable by others`, written: 0 });
    expect(cacheFiles(open)).toEqual([]);
  });
});

describe('the built CLI', () => {
  it('is CommonJS chunks with no import(), which code read back from a code cache cannot run', () => {
    const dist = join(root, 'dist/cli');
    const files = ['start.cjs', ...readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.cjs')).map((f) => join('chunks', f))];
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => /(?<![\w$.])import\(/.test(readFileSync(join(dist, f), 'utf8')))).toEqual([]);
    expect(readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js'))).toEqual([]);
  });

  it('fills its cache folder at the first run and reuses it after; a damaged file does not stop it', async () => {
    const cache = join(work, 'cli-cache');
    const env = cliEnv({ CORTEX_COMPILE_CACHE: cache });
    const first = await runCli(['--version'], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const files = cacheFiles(cache);
    // main (yargs and the CLI's wiring) and the chunks --version needs, each named by its text's hash.
    expect(files.some((f) => /^main-[0-9a-f]{32}\.v8$/.test(f))).toBe(true);
    const mtimes = files.map((f) => statSync(join(cache, f)).mtimeMs);
    const again = await runCli(['--version'], { env });
    expect(again.stdout).toBe(first.stdout);
    expect(cacheFiles(cache)).toEqual(files);
    expect(files.map((f) => statSync(join(cache, f)).mtimeMs)).toEqual(mtimes);
    for (const f of files) writeFileSync(join(cache, f), 'not a code cache');
    const damaged = await runCli(['--version'], { env });
    expect(damaged.code).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);
    expect(readFileSync(join(cache, files[0]!), 'utf8')).not.toBe('not a code cache');
  });

  it('runs with the cache off, and writes no cache', async () => {
    const r = await runCli(['--version'], { env: cliEnv({ CORTEX_COMPILE_CACHE: 'off', XDG_CACHE_HOME: join(work, 'xdg'), HOME: join(work, 'home') }) });
    expect(r.code).toBe(0);
    expect(existsSync(join(work, 'xdg'))).toBe(false);
    expect(existsSync(join(work, 'home', '.cache'))).toBe(false);
  });
});

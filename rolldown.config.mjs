/**
 * The bundled CLI (`npm run build`: tsc, then this config through scripts/bundle.mjs). Why a bundle:
 * most of a short command's start was Node's ES module loader resolving and reading ~320 files one by
 * one, and zod's locales, which zod's index always loads and a bundle drops (docs/benchmarks.md, "The
 * bundled CLI").
 *
 * - The entry stays dist/cli/main.js (package.json "bin", the docs, every test that spawns the CLI): a
 *   few lines scripts/bundle.mjs writes over tsc's file of that name, which load dist/cli/start.cjs.
 *   tsc still builds the rest of dist/, which the tests, lint:ps1 (dist/ps1lint/cli.js) and the lab's
 *   SSH entry (dist/lab/ssh/entry.js, run by sshd) use.
 * - The bundle is CommonJS (.cjs, as the package is "type": "module"): Node 20 can run CommonJS code
 *   from a V8 code cache, ES modules not (src/cli/compile-cache.ts; "The code cache" in
 *   docs/benchmarks.md). start.cjs turns the cache on; everything else is a chunk it serves.
 * - Each command's module stays a chunk of its own, loaded when that command runs
 *   (src/cli/commands/catalog.ts): dist/cli/chunks/command-<name>.cjs; zod and yaml have a chunk each,
 *   so `--version` and `--help` load neither; other shared code goes in chunks named by their content.
 * - The sources are bundled (src/, TypeScript), not tsc's output, so re-running this step alone gives
 *   the same files.
 * - Code that reads the package's own files finds them from the package root (src/package-root.ts),
 *   never from its own location: inlined here, import.meta.url is the chunk's.
 * - yargs is bundled (about 45 files of the start). It finds two things from its own location, neither
 *   of which the CLI uses once bundled: the package.json above it (only for a version the CLI gives
 *   itself, and pkgConf, unused) and its translations (the CLI sets its locale to English: its own texts
 *   are English, and yargs' locales/ is not in the bundle). Its `extends` of a config file, unused too,
 *   calls import.meta.resolve, which CommonJS lacks: scripts/bundle.mjs expects that one warning.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';

// Paths from this file, not from the working folder: scripts/bundle.mjs runs it from anywhere.
const root = dirname(fileURLToPath(import.meta.url));
const here = (path) => join(root, path);

/**
 * Left to Node at run time, loaded from node_modules as they are:
 * - kerberos (native), ssh2 (optional native crypto; CommonJS that requires its own files);
 * - web-tree-sitter and tree-sitter-powershell: .wasm files found beside their modules;
 * - typescript: the lab's SSH entry is transpiled with it, from a source checkout only;
 * - ansible-vault: loaded only for inventories with vault values; CommonJS with its own dependencies.
 * pino is bundled: loaded from node_modules it was 29 files and ~18 ms of every command that logs (exec
 * included). Its transports would start worker threads from files beside pino's; the CLI uses none
 * (src/log/run-logger.ts writes with pino.destination and pino.multistream), so nothing looks for them.
 */
const external = [/^node:/, 'kerberos', 'ssh2', 'web-tree-sitter', 'tree-sitter-powershell', 'typescript', 'ansible-vault'];

/**
 * string-width (three copies, under yargs' help layout: cliui and wrap-ansi) builds an Intl.Segmenter as
 * it loads. The first one costs about 11 ms of ICU data on every start of every command, shell
 * completion included, for text that only `--help` lays out. Each is built on first use instead. The
 * build fails if a new version no longer has the line, so the saving is never lost silently.
 */
const lazySegmenter = {
  name: 'lazy-intl-segmenter',
  transform(code, id) {
    if (!/[\\/]node_modules[\\/](?:.+[\\/]node_modules[\\/])?string-width[\\/]index\.js$/.test(id)) return null;
    const line = /^const segmenter = new Intl\.Segmenter\(\);$/m;
    if (!line.test(code)) this.error(`${id}: no "const segmenter = new Intl.Segmenter();" to defer (lazySegmenter, rolldown.config.mjs)`);
    // On the same line, so the lines of the package's source map still hold (map: null keeps them).
    return { code: code.replace(line, 'let realSegmenter; const segmenter = { segment: (text) => (realSegmenter ??= new Intl.Segmenter()).segment(text) };'), map: null };
  },
};

// The chunks' names are stable (no hashes), so the old ones are removed before each build.
rmSync(here('./dist/cli/chunks'), { recursive: true, force: true });

export default defineConfig({
  input: { start: here('./src/cli/start.ts') },
  platform: 'node',
  external,
  plugins: [lazySegmenter],
  tsconfig: here('./tsconfig.json'),
  resolve: {
    // The sources import each other as './x.js' (NodeNext); the files are x.ts.
    extensionAlias: { '.js': ['.ts', '.js'] },
  },
  output: {
    dir: here('./dist/cli'),
    format: 'cjs',
    // import() of a package left to Node (ansible-vault, typescript: both CommonJS) becomes require():
    // V8 drops what import() needs from code it reads back from a code cache (src/cli/compile-cache.ts).
    dynamicImportInCjs: false,
    entryFileNames: '[name].cjs',
    chunkFileNames: (chunk) =>
      chunk.isDynamicEntry && /[\\/]src[\\/]cli[\\/]commands[\\/][^\\/]+\.ts$/.test(chunk.facadeModuleId ?? '') ? 'chunks/command-[name].cjs' : 'chunks/[name].cjs',
    codeSplitting: {
      groups: [
        { name: 'zod', test: /[\\/]node_modules[\\/]zod[\\/]/ },
        { name: 'yaml', test: /[\\/]node_modules[\\/]yaml[\\/]/ },
      ],
    },
    sourcemap: true,
  },
});

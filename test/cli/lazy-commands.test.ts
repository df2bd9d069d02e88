/**
 * The CLI loads only the module of the command that runs (src/cli/commands/catalog.ts): the built CLI is
 * spawned with hooks that list every file it loads (an ES module hook for its entry, dist/cli/main.js,
 * and one on CommonJS loads for the bundle it loads, start.cjs and its chunks). Other commands stay names
 * and descriptions for --help and completion; a line the up-front guess misreads still runs its command.
 *
 * The built CLI is a bundle (rolldown.config.mjs): a file it loads is a chunk holding many modules. Each
 * chunk's source map names them, so the checks read source modules (cli/commands/plan.ts) and packages
 * (zod) whatever the files' layout.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandNamed } from '../../src/cli/commands/catalog.js';
import { CLI, cliEnv, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-lazy-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.LOADED_LIST, url + '\\n'); return next(url, context); }
`,
);
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
// CommonJS loads (the bundle is CommonJS) pass through Module._load, whichever loader compiles them.
writeFileSync(
  join(dir, 'require-hook.cjs'),
  `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const { isAbsolute } = require('node:path');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let file = null;
  try { file = Module._resolveFilename(request, parent, isMain); } catch {}
  if (file && isAbsolute(file)) appendFileSync(process.env.LOADED_LIST, pathToFileURL(file).href + '\\n');
  return load.apply(this, arguments);
};
`,
);

const SRC = resolve(import.meta.dirname, '../../src');
const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.split(sep).join('/'))?.[1];

/** The files a loaded file was built from: the sources its source map names, else the file itself. */
function sourcesOf(file: string): string[] {
  if (!existsSync(`${file}.map`)) return [file];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; sourceRoot?: string };
  return map.sources.map((s) => resolve(dirname(file), map.sourceRoot ?? '', s));
}

let runs = 0;
/**
 * What the built CLI loads for `args`: the files (dist/ paths), the source modules in them (src/ paths),
 * the packages (loaded from node_modules, or bundled), and its exit code.
 */
function loadedBy(args: string[]): Promise<{ code: number; stdout: string; dist: string[]; src: string[]; packages: string[] }> {
  const list = join(dir, `loaded-${++runs}.txt`);
  writeFileSync(list, '');
  return new Promise((done) =>
    execFile(process.execPath, ['--require', join(dir, 'require-hook.cjs'), '--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args], { cwd: dir, env: cliEnv({ LOADED_LIST: list }), timeout: 60_000 }, (err, stdout) => {
      const files = [...new Set(readFileSync(list, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)))];
      const sources = files.flatMap((f) => (/[\\/]dist[\\/]/.test(f) ? sourcesOf(f) : [f]));
      done({
        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
        stdout,
        dist: files.flatMap((f) => /[\\/]dist[\\/](.+)$/.exec(f)?.[1]?.split(sep).join('/') ?? []),
        src: [...new Set(sources.filter((f) => f.startsWith(SRC + sep)).map((f) => relative(SRC, f).split(sep).join('/')))],
        packages: [...new Set(sources.flatMap((f) => packageOf(f) ?? []))],
      });
    }),
  );
}

describe('commandNamed', () => {
  it('reads the first word that is not an option, when it is a command', () => {
    expect(commandNamed(['plan', '-i', 'x.yaml'])).toBe('plan');
    expect(commandNamed(['-v', '--no-color', 'exec', '--', 'hostname'])).toBe('exec');
    expect(commandNamed(['runs', 'show', 'plan'])).toBe('runs');
    expect(commandNamed(['--version'])).toBeUndefined();
    expect(commandNamed(['plna'])).toBeUndefined();
    expect(commandNamed(['--', 'plan'])).toBeUndefined();
    // An inherited property is no command.
    expect(commandNamed(['constructor'])).toBeUndefined();
  });

  it('shell completion: the first command word after the program name', () => {
    expect(commandNamed(['--get-yargs-completions', 'cortex-deploy', 'preflight', '--fail'])).toBe('preflight');
    expect(commandNamed(['--get-yargs-completions', 'cortex-deploy', 'ru'])).toBeUndefined();
    expect(commandNamed(['--get-yargs-completions', 'cortex-deploy', ''])).toBeUndefined();
  });
});

describe('the built CLI loads only the command that runs', () => {
  const commandModules = (src: string[]) => src.filter((f) => f.startsWith('cli/commands/') && f !== 'cli/commands/catalog.ts');

  it('is a bundle: a few chunks, not a file per module', async () => {
    const r = await loadedBy(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.dist[0]).toBe('cli/main.js');
    expect(r.dist[1]).toBe('cli/start.cjs');
    expect(r.dist.every((f) => f === 'cli/main.js' || f === 'cli/start.cjs' || f.startsWith('cli/chunks/'))).toBe(true);
    // plan's command needs well over a hundred of our modules; a bundle loads them in far fewer files.
    expect(r.src.length).toBeGreaterThan(100);
    expect(r.dist.length).toBeLessThan(r.src.length / 3);
  });

  it('--version and the root --help load no command module, nor zod, pino or ssh2', async () => {
    for (const args of [['--version'], ['--help']]) {
      const r = await loadedBy(args);
      expect(r.code).toBe(0);
      expect(commandModules(r.src)).toEqual([]);
      expect(r.src).toContain('cli/commands/catalog.ts');
      expect(r.packages).toContain('yargs');
      for (const heavy of ['zod', 'pino', 'ssh2', 'yaml']) expect(r.packages).not.toContain(heavy);
    }
    // The root help still lists every command with (the start of) its description.
    const help = await runCli(['--help']);
    for (const entry of Object.values(COMMANDS)) expect(help.stdout).toContain(`cortex-deploy ${entry.command}`);
    for (const entry of Object.values(COMMANDS)) expect(help.stdout).toContain(entry.describe.split(' ').slice(0, 3).join(' '));
  });

  it('a command loads its own module and not the others (nor the lab, for plan)', async () => {
    const r = await loadedBy(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--detailed-exitcode');
    expect(commandModules(r.src)).toEqual(['cli/commands/plan.ts']);
    expect(r.src.filter((f) => f.startsWith('lab/'))).toEqual([]);
    expect(r.packages).not.toContain('ssh2');
    // Bundled packages are seen too (through the chunks' source maps): plan's schemas need zod.
    expect(r.packages).toEqual(expect.arrayContaining(['zod', 'yaml', 'yargs']));
  });

  it('completing a command\'s options loads that command', async () => {
    const r = await loadedBy(['--get-yargs-completions', 'cortex-deploy', 'runs', '']);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['list', 'show']);
    expect(commandModules(r.src)).toEqual(['cli/commands/runs.ts']);
  });

  it('a line the up-front reading misses (a global flag with a value) still runs its command', async () => {
    const r = await loadedBy(['--color', 'false', 'runs', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('runs');
    expect(commandModules(r.src)).toEqual(['cli/commands/runs.ts']);
  });
});

describe("the help layout's Intl.Segmenter (about 11 ms of ICU data) is built only when text is laid out", () => {
  // Counts constructions in the spawned CLI (rolldown.config.mjs, lazySegmenter).
  const counter = join(dir, 'segmenter-count.cjs');
  writeFileSync(
    counter,
    `const { writeSync } = require('node:fs');
let built = 0;
const Real = Intl.Segmenter;
Intl.Segmenter = function Segmenter(...a) { built++; return new Real(...a); };
process.on('exit', () => writeSync(2, '@@segmenters ' + built + '\\n'));
`,
  );
  const run = (args: string[]) =>
    new Promise<{ stdout: string; built: number }>((done) =>
      execFile(process.execPath, ['--require', counter, CLI, ...args], { env: cliEnv(), timeout: 60_000 }, (_err, stdout, stderr) =>
        done({ stdout, built: Number(/@@segmenters (\d+)/.exec(stderr)?.[1] ?? -1) }),
      ),
    );

  it('not by --version, nor by completion', async () => {
    expect((await run(['--version'])).built).toBe(0);
    expect((await run(['--get-yargs-completions', 'cortex-deploy', 'ru'])).built).toBe(0);
  });

  it('by --help, which still measures its columns with it', async () => {
    const help = await run(['--help']);
    expect(help.built).toBeGreaterThan(0);
    expect(help.stdout).toMatch(/^ {2}cortex-deploy exec \[script\.\.\] +Run ad-hoc PowerShell/m);
  });
});

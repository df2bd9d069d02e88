/**
 * The CLI loads only the module of the command that runs (src/cli/commands/catalog.ts): the built CLI is
 * spawned with a module-load hook that lists every module it loads. Other commands stay names and
 * descriptions for --help and completion; a line the up-front guess misreads still runs its command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

let runs = 0;
/** The modules the built CLI loads for `args` (dist/ paths and package names), with its exit code. */
function loadedBy(args: string[]): Promise<{ code: number; stdout: string; dist: string[]; packages: string[] }> {
  const list = join(dir, `loaded-${++runs}.txt`);
  writeFileSync(list, '');
  return new Promise((done) =>
    execFile(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args], { cwd: dir, env: cliEnv({ LOADED_LIST: list }), timeout: 60_000 }, (err, stdout) => {
      const urls = readFileSync(list, 'utf8').split('\n').filter(Boolean);
      done({
        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
        stdout,
        dist: urls.flatMap((u) => /\/dist\/(.+)$/.exec(u)?.[1] ?? []),
        packages: [...new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))],
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
  const commandModules = (dist: string[]) => dist.filter((f) => f.startsWith('cli/commands/') && f !== 'cli/commands/catalog.js');

  it('--version and the root --help load no command module, nor zod, pino or ssh2', async () => {
    for (const args of [['--version'], ['--help']]) {
      const r = await loadedBy(args);
      expect(r.code).toBe(0);
      expect(commandModules(r.dist)).toEqual([]);
      expect(r.dist).toContain('cli/commands/catalog.js');
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
    expect(commandModules(r.dist)).toEqual(['cli/commands/plan.js']);
    expect(r.dist.filter((f) => f.startsWith('lab/'))).toEqual([]);
    expect(r.packages).not.toContain('ssh2');
  });

  it('completing a command\'s options loads that command', async () => {
    const r = await loadedBy(['--get-yargs-completions', 'cortex-deploy', 'runs', '']);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['list', 'show']);
    expect(commandModules(r.dist)).toEqual(['cli/commands/runs.js']);
  });

  it('a line the up-front reading misses (a global flag with a value) still runs its command', async () => {
    const r = await loadedBy(['--color', 'false', 'runs', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('runs');
    expect(commandModules(r.dist)).toEqual(['cli/commands/runs.js']);
  });
});

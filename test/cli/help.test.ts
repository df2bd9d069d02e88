/** Every command and subcommand of the built CLI answers --help with usage, examples and exit 0. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const help = (args: string[]) => runCli([...args, '--help'], { timeoutMs: 30_000 });

const commands = [
  [],
  ['inventory'],
  ['inventory', 'check'],
  ['inventory', 'schema'],
  ['preflight'],
  ['plan'],
  ['apply'],
  ['exec'],
  ['lab'],
  ['lab', 'up'],
  ['lab', 'down'],
  ['lab', 'status'],
  ['lab', 'reset'],
  ['lab', 'reset-counters'],
  ['lab', 'fault'],
  ['runs'],
  ['runs', 'list'],
  ['runs', 'show'],
  ['completion'],
  ['artifacts'],
  ['artifacts', 'add'],
  ['artifacts', 'verify'],
];

describe.concurrent('--help', () => {
  it.each(commands.map((c) => [c.join(' ') || '(root)', c] as const))('%s: usage and examples', async (_name, args) => {
    const { code, stdout } = await help([...args]);
    expect(code).toBe(0);
    expect(stdout).toContain('cortex-deploy');
    expect(stdout).toContain('Examples:');
  });

  it('every command that runs on hosts shows the one --forks default (docs/hosts.md)', async () => {
    for (const cmd of ['preflight', 'plan', 'apply', 'exec']) {
      const { stdout } = await help([cmd]);
      expect(stdout.replace(/\s+/g, ' '), cmd).toMatch(/--forks .*docs\/hosts\.md\) \[number\] \[default: 50\]/);
    }
  });

  it('the root help lists the exit codes', async () => {
    const { stdout } = await help([]);
    for (const code of ['0', '1', '2', '3', '4']) expect(stdout).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  });

  it('an unknown command is invalid input (exit 3) with a suggestion', async () => {
    const r = await runCli(['prefligth'], { env: process.env, timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/preflight/);
  });
});

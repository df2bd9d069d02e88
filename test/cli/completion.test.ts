/**
 * Shell completion, for real: the bash script is sourced in bash and its function called as bash's
 * Tab would; the PowerShell script is loaded in pwsh and asked through TabExpansion2. Both reach the
 * built CLI through a `cortex-deploy` on PATH. zsh is not on the test machines: its script is checked
 * for its contract, and the zsh-format answer (name:description) it relies on, from the CLI.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../src/cli/completion.js';
import { describeWithPwsh } from '../helpers/pwsh.js';

const cli = resolve(import.meta.dirname, '../../dist/cli/main.js');
const bin = mkdtempSync(join(tmpdir(), 'cortex-completion-'));
writeFileSync(join(bin, 'cortex-deploy'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
chmodSync(join(bin, 'cortex-deploy'), 0o755);
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1', SHELL: '/bin/bash' };

function run(file: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(file, args, { env: { ...env, ...extraEnv }, timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

/** COMPREPLY after bash's completion function runs on `words` (the last one being completed). */
async function bashComplete(words: string[]): Promise<string[]> {
  const script = join(bin, 'completion.bash');
  const printed = await run(process.execPath, [cli, 'completion', 'bash']);
  expect(printed.code).toBe(0);
  writeFileSync(script, printed.stdout);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = await run('bash', ['--norc', '--noprofile', '-c', `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _cortex_deploy_completions; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('completion', () => {
  it('bash: commands, subcommands and options, filtered by what is typed', async () => {
    expect(await bashComplete(['cortex-deploy', 'ru'])).toEqual(['runs']);
    expect(await bashComplete(['cortex-deploy', 'runs', ''])).toEqual(['list', 'show']);
    expect(await bashComplete(['cortex-deploy', 'preflight', '--fail'])).toEqual(['--fail-on']);
    expect(await bashComplete(['cortex-deploy', 'lab', 'st'])).toEqual(['status']);
  });

  it('zsh: the script completes through the CLI in zsh format', async () => {
    const script = completionScript('zsh');
    expect(script.startsWith('#compdef cortex-deploy\n')).toBe(true);
    expect(script).toContain('compdef _cortex_deploy_completions cortex-deploy');
    expect(script).toContain('SHELL=zsh cortex-deploy --get-yargs-completions');
    const r = await run(process.execPath, [cli, '--get-yargs-completions', 'cortex-deploy', ''], { SHELL: 'zsh' });
    expect(r.stdout).toMatch(/^runs:Past runs/m);
    expect(r.stdout).toMatch(/^completion:Print a shell completion script/m);
  });

  it('an unknown shell is a usage error (exit 3) naming the choices', async () => {
    const r = await run(process.execPath, [cli, 'completion', 'fish']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bash.*zsh.*powershell/);
  });
});

describeWithPwsh('completion in PowerShell', (pwsh) => {
  async function psComplete(line: string): Promise<string[]> {
    const script = join(bin, 'completion.ps1');
    const printed = await run(process.execPath, [cli, 'completion', 'powershell']);
    writeFileSync(script, printed.stdout);
    const ps = `$ErrorActionPreference = 'Stop'; . '${script}'; $r = TabExpansion2 -inputScript '${line}' -cursorColumn ${line.length}; $r.CompletionMatches | ForEach-Object { $_.CompletionText }`;
    const r = await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', ps]);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  }

  it('Register-ArgumentCompleter: commands, subcommands and options', async () => {
    expect(await psComplete('cortex-deploy ru')).toEqual(['runs']);
    expect(await psComplete('cortex-deploy runs ')).toEqual(['list', 'show']);
    expect(await psComplete('cortex-deploy preflight --fail')).toEqual(['--fail-on']);
  });
});

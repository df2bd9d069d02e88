/**
 * The built CLI (dist/cli/main.js, as scripts/test.sh builds it), spawned as a user runs it. One place
 * for the path, the default environment and how an exit becomes a code, so every CLI test reads alike.
 */
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** The child's whole environment; defaults to cliEnv(). */
  env?: NodeJS.ProcessEnv;
  /** Generous: the cores are shared. */
  timeoutMs?: number;
}

/** This process's environment with colour off (NO_COLOR) and `extra` on top. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...extra };
}

/** Runs the CLI to its end; a non-zero exit is a result, not a rejection (a kill without a code is 1). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env ?? cliEnv(), timeout: options.timeoutMs ?? 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number | null }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** runCli, synchronously: spawnSync's own result (status, signal, stdout, stderr as text). */
export function runCliSync(args: string[], options: CliOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: options.cwd, env: options.env ?? cliEnv(), timeout: options.timeoutMs ?? 60_000 });
}

#!/usr/bin/env node
/**
 * `node dist/ps1lint/cli.js [paths...]` (npm run lint:ps1): lints ps1/ by default, all files in one
 * process. Prints `file:line:col  rule  message` per finding, the suppressions used, and a summary.
 * Exit 0 when clean, 1 on findings, 3 when a path does not exist, 4 on an internal error.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../exit-codes.js';
import { formatReport } from './format.js';
import { REPO_ROOT, lintFiles, type LintOptions } from './lint.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runCli(args: string[], io: CliIo, options: LintOptions = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out('usage: ps1lint [paths...]   (default: ps1/)\nRules and suppressions: docs/powershell-lint.md\n');
    return ExitCode.Ok;
  }
  const paths = args.length > 0 ? args : [path.join(REPO_ROOT, 'ps1')];
  try {
    const report = await lintFiles(paths, options);
    io.out(formatReport(report));
    return report.findings.length > 0 ? ExitCode.Failed : ExitCode.Ok;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      io.err(`ps1lint: no such file or directory: ${e.path ?? ''}\n`);
      return ExitCode.InvalidInput;
    }
    io.err(`ps1lint: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.Internal;
  }
}

function isMain(): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

const invokedDirectly = isMain();
if (invokedDirectly) {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  void runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}

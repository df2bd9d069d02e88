#!/usr/bin/env node
/**
 * `node dist/ps1lint/cli.js [paths...]` (npm run lint:ps1): lints ps1/ by default.
 * Exit 0 when clean, 1 on findings, 3 when a path does not exist.
 */
import path from 'node:path';
import { formatReport } from './format.js';
import { REPO_ROOT, lintFiles } from './lint.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: ps1lint [paths...]   (default: ps1/)\nRules and suppressions: docs/powershell-lint.md\n');
    return 0;
  }
  const paths = args.length > 0 ? args : [path.join(REPO_ROOT, 'ps1')];
  try {
    const report = await lintFiles(paths);
    process.stdout.write(formatReport(report));
    return report.findings.length > 0 ? 1 : 0;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      process.stderr.write(`ps1lint: no such file or directory: ${e.path ?? ''}\n`);
      return 3;
    }
    throw err;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ps1lint: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 4;
  },
);

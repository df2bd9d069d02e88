// The CLI's output, summary and exit codes, run in-process (npm run lint:ps1 runs the built one in scripts/test.sh).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/ps1lint/cli.js';
import { lintFiles } from '../../src/ps1lint/lint.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ps1lint');
const LIB = path.join(FIXTURES, 'lib');
const options = { libDirs: [LIB], cwd: FIXTURES };

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) }, options);
  return { code, out, err };
}

describe('ps1lint CLI', () => {
  it('prints file:line:col  rule  message and exits 1 on findings', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'json-depth', 'bad')]);
    expect(code).toBe(1);
    expect(out).toMatch(/^json-depth\/bad\/no-depth\.ps1:9:23 {2}json-depth {2}ConvertTo-Json without -Depth .*pass -Depth/m);
    expect(out).toMatch(/^ps1lint: 1 file, 2 findings, 0 suppressions$/m);
  });

  it('exits 0 on clean files and counts them', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'json-depth', 'good'), path.join(FIXTURES, 'dates', 'good')]);
    expect(code).toBe(0);
    expect(out).toBe('ps1lint: 2 files, 0 findings, 0 suppressions\n');
  });

  it('lists the suppressions it applied, with their reasons, in the summary', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'suppression', 'good')]);
    expect(code).toBe(0);
    expect(out).toContain('suppression/good/suppressed.ps1:6  known-command  (1x) the fixture shows a justified exception on the next line');
    expect(out).toContain('suppression/good/suppressed.ps1:9  dates  (1x) the registry value is a yyyyMMdd string');
    expect(out).toContain('suppression/good/file-level.ps1:3  envelope  (1x) standalone script');
    expect(out).toMatch(/^ps1lint: 2 files, 0 findings, 3 suppressions$/m);
  });

  it('exits 3 for a path that does not exist', async () => {
    const { code, err } = await run([path.join(FIXTURES, 'no-such-dir')]);
    expect(code).toBe(3);
    expect(err).toContain('no such file or directory');
  });

  it('lints a whole tree in one call, each file once', async () => {
    const report = await lintFiles([FIXTURES, path.join(FIXTURES, 'dates')], options);
    expect(new Set(report.files).size).toBe(report.files.length);
    expect(report.files.length).toBeGreaterThan(20);
    expect(new Set(report.findings.map((f) => f.rule))).toEqual(new Set([
      'syntax', 'json-depth', 'no-write-host', 'known-command', 'ps7-parameter', 'no-alias', 'native-exit-code', 'envelope', 'dates', 'file-encoding', 'ps7-syntax', 'suppression',
    ]));
  });
});

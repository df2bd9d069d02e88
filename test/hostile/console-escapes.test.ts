/**
 * Defect 9 (issue 14): terminal escape sequences from a host (fault text, script output) or from the
 * inventory (a name quoted in an error) reached the console raw. Every console writer now passes
 * such text through consoleText (src/report/console-text.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliSync } from '../helpers/cli.js';
import { consoleLine, consoleText } from '../../src/report/console-text.js';
import { renderHostBlock, type ExecHostOutcome } from '../../src/cli/commands/exec.js';
import { renderPreflightConsole } from '../../src/report/preflight-console.js';
import { preflightHostLine } from '../report/preflight-lines.js';
import { renderCheck } from '../../src/cli/commands/inventory.js';
import { checkInventoryFile } from '../../src/inventory/check.js';
import { formatLine } from '../../src/log/pretty.js';
import { finding } from '../../src/preflight/finding.js';
import { summarize, type PreflightReport } from '../../src/preflight/outcome.js';
import pc from 'picocolors';

const EVIL = 'a\u001b[2Jb\u001b]0;pwned\u0007c\u009b31m\rd';
// Raw controls other than newline and tab (our own colour codes are off in these renders).
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('consoleText', () => {
  it('makes every control character but newline and tab visible', () => {
    expect(consoleText(EVIL)).toBe('a\\x1b[2Jb\\x1b]0;pwned\\x07c\\x9b31m\\x0dd');
    expect(consoleText('line1\r\nline2\tx')).toBe('line1\nline2\tx');
    expect(consoleLine('a\nb')).toBe('a\\nb');
  });
});

describe('console writers', () => {
  it('exec: host output, warnings, errors and the failure reason', () => {
    const o: ExecHostOutcome = { name: 'app1', address: '127.0.0.1', status: 'failed', exitCode: null, output: [EVIL], errors: [{ message: EVIL, category: 'x', fullyQualifiedErrorId: 'y' }], warnings: [EVIL], error: EVIL, durationMs: 1, resultCode: 1, tlsInsecure: false };
    const text = renderHostBlock(o, false, 4);
    expect(text).toContain('pwned');
    expect(text).not.toMatch(RAW);
  });

  it('preflight: the table, the findings and the per-host progress line', () => {
    const host = { name: 'app1', address: '127.0.0.1', roles: ['app' as const], installPath: null };
    const outcomes = [{ host, reachable: true, durationMs: 5, findings: [finding('os.version', 'fail', EVIL, EVIL, EVIL, EVIL)] }];
    const report: PreflightReport = { startedAt: new Date().toISOString(), hosts: outcomes, matrix: { hosts: ['app1'], cells: {} } as never, summary: summarize(outcomes, 5) };
    for (const width of [100, 60]) {
      const text = renderPreflightConsole(report, { color: false, width });
      expect(text).toContain('pwned');
      expect(text).not.toMatch(RAW);
    }
    const down = { host, reachable: false, durationMs: 5, findings: [finding('host.reachable', 'error', 'x', 'y', EVIL, 'z')] };
    expect(preflightHostLine(down)).toContain('pwned');
    expect(preflightHostLine(down)).not.toMatch(RAW);
  });

  it('-v log lines on the terminal', () => {
    const line = formatLine({ level: 50, time: Date.now(), msg: EVIL, host: 'app1', detail: EVIL, err: { message: EVIL } }, false);
    expect(line).toContain('pwned');
    expect(line).not.toMatch(RAW);
  });

  it('inventory check: a name with escape codes, quoted in the finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-esc-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, 'all:\n  children:\n    app:\n      hosts:\n        "evil\\e[2J\\e]0;pwned\\a": { address: 127.0.0.1 }\n');
    const doc = await checkInventoryFile(file);
    expect(doc.valid).toBe(false);
    const text = renderCheck(doc, pc.createColors(false));
    expect(text).toContain('pwned');
    expect(text).not.toMatch(RAW);
  });

  it('the CLI error line (main): the same inventory through preflight', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-esc-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, 'all:\n  children:\n    app:\n      hosts:\n        "evil\\e[2J\\e]0;pwned\\a": { address: 127.0.0.1 }\n');
    const r = runCliSync(['preflight', '-i', file], { cwd: dir, env: process.env, timeoutMs: 30_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('pwned');
    expect(r.stderr).not.toMatch(RAW);
  });
});

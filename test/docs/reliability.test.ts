/**
 * docs/reliability.md shows the apply fault matrix as the last committed run of
 * test/e2e/fault-matrix.e2e.test.ts left it (test/e2e/fault-matrix.results.json): the page cannot go
 * stale, and the committed results must show every case survived or reported and then resumed.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/pwsh.js';

interface Results {
  cases: Array<{ id: string; run: { outcome: string; exitCode: number | null; signal: string | null }; resume: { exitCode: number | null }; doneOnce: boolean; problems: string[] }>;
}
const results = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'e2e', 'fault-matrix.results.json'), 'utf8')) as Results;

describe('docs/reliability.md', () => {
  it('matches the committed fault-matrix results (node scripts/render-reliability.mjs --check)', async () => {
    const r = await execa(process.execPath, [join(REPO_ROOT, 'scripts', 'render-reliability.mjs'), '--check'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const page = readFileSync(join(REPO_ROOT, 'docs', 'reliability.md'), 'utf8');
    const rows = page.split('\n').filter((l) => /^\| .* \| (survived|reported|killed)/.test(l));
    expect(rows).toHaveLength(results.cases.length);
  });

  it('the committed results: every lab fault and the kill -9, each survived or reported, then resumed with every step done once', () => {
    const ids = results.cases.map((c) => c.id);
    for (const id of ['drop-mid-command', 'http500', 'refuse-auth-on-reconnect', 'refuse-auth-after-reboot', 'host-down', 'reboot', 'latency', 'slow-script', 'failing-script', 'kill-9']) expect(ids).toContain(id);
    for (const c of results.cases) {
      expect(c.problems, c.id).toEqual([]);
      expect(['survived', 'reported', 'killed'], c.id).toContain(c.run.outcome);
      if (c.run.outcome !== 'survived') expect(c.resume.exitCode, c.id).toBe(0);
      expect(c.doneOnce, c.id).toBe(true);
    }
  });
});

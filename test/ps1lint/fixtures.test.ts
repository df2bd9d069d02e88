// Every rule against its fixtures: a bad fixture lists the findings it must produce as
// `# expect: <rule> <line>:<col>` comments and must produce exactly those; a good one produces none.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintFiles } from '../../src/ps1lint/lint.js';
import { RULE_IDS } from '../../src/ps1lint/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../fixtures/ps1lint');
const LIB = path.join(FIXTURES, 'lib');
const RULES_WITH_FIXTURES = RULE_IDS;

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? scripts(p) : name.endsWith('.ps1') ? [p] : [];
  });
}

function expected(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*# expect: (\S+) (\d+):(\d+)\s*$/gm)]
    .map((m) => `${m[1]} ${m[2]}:${m[3]}`)
    .sort();
}

async function lintOne(file: string) {
  return lintFiles([file], { libDirs: [LIB], cwd: FIXTURES });
}

describe.each(RULES_WITH_FIXTURES)('rule %s', (rule) => {
  const good = scripts(path.join(FIXTURES, rule, 'good'));
  const bad = scripts(path.join(FIXTURES, rule, 'bad'));

  it('has positive and negative fixtures', () => {
    expect(good.length).toBeGreaterThan(0);
    expect(bad.length).toBeGreaterThan(0);
  });

  it.each(good.map((f) => path.relative(FIXTURES, f)))('passes %s', async (rel) => {
    const report = await lintOne(path.join(FIXTURES, rel));
    expect(report.findings).toEqual([]);
    expect(report.files).toEqual([rel]);
  });

  it.each(bad.map((f) => path.relative(FIXTURES, f)))('fails %s with the expected rule and position', async (rel) => {
    const file = path.join(FIXTURES, rel);
    const want = expected(file);
    expect(want.length).toBeGreaterThan(0);
    expect(want.some((w) => w.startsWith(`${rule} `))).toBe(true);
    const report = await lintOne(file);
    const got = report.findings.map((f) => `${f.rule} ${f.line}:${f.col}`).sort();
    expect(got).toEqual(want);
    for (const f of report.findings) {
      expect(f.file).toBe(rel);
      expect(f.message.length).toBeGreaterThan(20);
    }
  });
});

/**
 * Fixture tests of every rule with no host (style.md: "one case a file"): each file under
 * test/fixtures/preflight/rules/ is a host, a patch over a captured-shape facts document, and the
 * findings it must produce. Checks not named in `expect` must pass; `ids`, when given, is the exact set.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probesFacts } from '../../src/scripts/catalog.js';
import { parseData } from '../../src/scripts/contract.js';
import { evaluateHost } from '../../src/preflight/rules/index.js';
import type { PreflightHost } from '../../src/preflight/finding.js';
import { CHECK_IDS } from '../../src/preflight/check-ids.js';

const dir = resolve(import.meta.dirname, '../fixtures/preflight');

interface Case {
  description: string;
  host: PreflightHost;
  base: string;
  patch: Record<string, unknown>;
  clock?: { skewMs: number; medianSkewMs: number };
  /** remediation: text(s) the remediation contains; remediationExcludes: text(s) it must not contain. */
  expect: Record<string, { status: string; actual?: string; expected?: string; message?: string; remediation?: string | string[]; remediationExcludes?: string | string[] }>;
  ids?: string[];
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out;
}

const files = readdirSync(join(dir, 'rules')).filter((f) => f.endsWith('.json')).sort();

describe('preflight rules (fixtures)', () => {
  it('has a fixture for every host check id', () => {
    const covered = new Set<string>();
    for (const f of files) {
      const c = JSON.parse(readFileSync(join(dir, 'rules', f), 'utf8')) as Case;
      for (const id of Object.keys(c.expect)) covered.add(id);
      for (const id of c.ids ?? []) covered.add(id);
    }
    const hostChecks = CHECK_IDS.filter((id) => !['host.reachable', 'probe.facts', 'net.reach', 'net.resolve'].includes(id));
    expect(hostChecks.filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const file of files) {
    const c = JSON.parse(readFileSync(join(dir, 'rules', file), 'utf8')) as Case;
    it(`${file.replace(/\.json$/, '')}: ${c.description}`, () => {
      const base = JSON.parse(readFileSync(join(dir, 'facts', `${c.base}.json`), 'utf8')) as unknown;
      const facts = parseData(probesFacts, c.host.name, merge(base, c.patch));
      const findings = evaluateHost({ host: c.host, facts, clock: c.clock ?? { skewMs: 0, medianSkewMs: 0 } });
      if (c.ids) expect(findings.map((f) => f.id)).toEqual(c.ids);
      for (const f of findings) {
        const want = c.expect[f.id];
        if (!want) {
          expect({ id: f.id, status: f.status, message: f.message }).toEqual({ id: f.id, status: 'pass', message: f.message });
          continue;
        }
        expect({ id: f.id, status: f.status }).toEqual({ id: f.id, status: want.status });
        if (want.actual) expect(f.actual).toContain(want.actual);
        if (want.expected) expect(f.expected).toContain(want.expected);
        if (want.message) expect(f.message).toContain(want.message);
        for (const text of [want.remediation ?? []].flat()) expect(f.remediation).toContain(text);
        for (const text of [want.remediationExcludes ?? []].flat()) expect(f.remediation).not.toContain(text);
        // Every non-pass finding tells the reader how to fix it.
        if (f.status !== 'pass') expect(f.remediation.length).toBeGreaterThan(10);
        else expect(f.remediation).toBe('');
      }
      for (const id of Object.keys(c.expect)) expect(findings.map((f) => f.id)).toContain(id);
    });
  }
});

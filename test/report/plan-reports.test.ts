/** plan's JSON (its zod schema, the design shape), JUnit (a testsuite per host, a testcase per step) and HTML, from real plans of the fixture site. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { buildPlan, type Plan } from '../../src/engine/plan/plan.js';
import { PlanJsonSchema, renderPlanHtml, renderPlanJson, renderPlanJunit } from '../../src/report/plan-reports.js';
import type { PlaybookRunMeta } from '../../src/report/meta.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/registry.js';
import { loadSite, readingsFor } from '../engine/support.js';

const META: PlaybookRunMeta = { inventory: '/srv/site.yaml', playbook: '/srv/cortex.yaml', toolVersion: '0.1.0', runId: 'r1', startedAt: '2026-12-02T06:50:00.000Z', operator: 'ops' };

let inv: Inventory;
let pb: Playbook;
let plan: Plan;
beforeAll(async () => {
  ({ inv, pb } = await loadSite());
  // Fresh everywhere but db1 (unreachable); web2 on 2012 R2 (a step skipped); app2's erlang Test failed.
  const readings = readingsFor(pb, 'fresh', {
    unreachable: { db1: 'connection refused (127.0.1.6:5985)' },
    facts: { web2: { os: { build: 9600, caption: 'Windows Server 2012 R2' }, dotnetRelease: 394802 } },
    testErrors: { app2: { erlang: 'Access to the registry key is denied <&>.' } },
  });
  plan = buildPlan(inv, pb, readings);
});
afterEach(() => clearSecretsForTests());

type Case = { name: string; skipped?: { message: string }; error?: { message: string; type: string }; 'system-out'?: string };
type Suite = { name: string; tests: string; errors: string; skipped: string; testcase: Case[] };

describe('plan reports', () => {
  it('JSON: the planDocument shape, validated, with meta', () => {
    const doc = PlanJsonSchema.strict().parse(JSON.parse(renderPlanJson(plan, META)));
    expect(Object.keys(doc)).toEqual(['changes', 'upgrades', 'summary', 'skipped', 'problems', 'meta']);
    expect(doc.summary).toEqual(plan.summary);
    expect(doc.changes).toHaveLength(plan.changes.length);
    for (const c of doc.changes) expect(Object.keys(c)).toEqual(['host', 'step', 'resource', 'action', 'from', 'to']);
    expect(doc.meta).toEqual(META);
  });

  it('JUnit: a testsuite per host, a testcase per planned, skipped or failed step; the unreachable host as an error', () => {
    const xml = renderPlanJunit(plan);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(xml) as { testsuites: { tests: string; errors: string; skipped: string; testsuite: Suite[] } }).testsuites;
    expect(Number(doc.tests)).toBe(plan.changes.length + plan.skipped.length + plan.problems.length);
    expect(Number(doc.errors)).toBe(plan.summary.errors + plan.summary.unreachable);
    expect(Number(doc.skipped)).toBe(plan.summary.skipped);
    const suite = (h: string) => doc.testsuite.find((s) => s.name === h)!;
    expect(suite('db1').testcase).toEqual([{ classname: 'plan.db1', name: 'host.reachable', time: '0', error: { type: 'unreachable', message: 'connection refused (127.0.1.6:5985)', '#text': 'connection refused (127.0.1.6:5985)' } }]);
    expect(suite('app2').testcase.find((c) => c.name === 'erlang')?.error?.message).toBe('Test failed: Access to the registry key is denied <&>.');
    expect(suite('web2').testcase.find((c) => c.skipped)?.skipped?.message).toMatch(/^when: /);
    const created = suite('app1').testcase.find((c) => c['system-out']?.includes('create: '));
    expect(created).toBeDefined();
  });

  it('HTML: self-contained, the verdict, every host’s steps; escaped and redacted', () => {
    registerSecret('Access to the registry key is denied <&>.');
    const html = renderPlanHtml(plan, META);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('Incomplete: some steps could not be planned');
    for (const h of ['app1', 'app2', 'db1', 'web2']) expect(html).toContain(`<h3>${h}</h3>`);
    expect(html).toContain('<td class="unreachable">unreachable</td><td class="msg">connection refused (127.0.1.6:5985)</td>');
    expect(html).not.toContain('denied &lt;&amp;&gt;');
    expect(html).toContain('Test failed: ********');
    expect(renderPlanJunit(plan)).toContain('Test failed: ********');
  });
});

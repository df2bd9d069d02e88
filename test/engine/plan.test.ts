/**
 * The planner, one case a file (test/fixtures/plans/<case>.json) over test/fixtures/playbooks/site.yaml:
 * a starting state for every host (in-sync or fresh), overrides of Test results, facts and
 * unreachable hosts → the changes in order, skips, problems, summary and both exit codes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { buildPlan, planDocument, stepsToTest } from '../../src/engine/plan/plan.js';
import { ConditionContext } from '../../src/engine/plan/conditions.js';
import { planExitCode } from '../../src/engine/plan/exit-code.js';
import { schedule, serialBatches } from '../../src/engine/plan/schedule.js';
import { planLines } from '../../src/engine/plan/text.js';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybook } from '../../src/engine/playbook/loader.js';
import { fixtures, loadSite, readingsFor } from './support.js';

interface Case {
  playbook?: string;
  expectedSome?: Record<string, unknown>;
  start: 'in-sync' | 'fresh';
  states?: Record<string, Record<string, unknown>>;
  facts?: Record<string, unknown>;
  unreachable?: Record<string, string>;
  testErrors?: Record<string, Record<string, string>>;
  expected: { changed: string[]; skipped?: string[]; problems?: string[]; summary: unknown; exitCode: number; detailedExitCode: number };
}

let inv: Inventory;
let pb: Playbook;
beforeAll(async () => ({ inv, pb } = await loadSite()));


const dir = join(import.meta.dirname, '../fixtures/plans');

describe('plan fixtures', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s', async (file) => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Case;
    if (c.playbook) {
      const other = await loadSite(c.playbook);
      const plan = buildPlan(other.inv, other.pb, readingsFor(other.pb, c.start, c));
      for (const [key, want] of Object.entries(c.expectedSome!)) {
        const got = plan.changes.find((x) => `${x.host} ${x.step}` === key);
        expect(got && { action: got.action, from: got.from, to: got.to }, key).toEqual(want);
      }
      expect(plan.problems).toEqual([]);
      return;
    }
    const plan = buildPlan(inv, pb, readingsFor(pb, c.start, c));
    const changed = plan.changes.filter((x) => x.action !== 'none').map((x) => `${x.host} ${x.step} ${x.action}${x.action === 'update' ? ` ${JSON.stringify(x.from)} -> ${JSON.stringify(x.to)}` : ''}`);
    expect(changed).toEqual(c.expected.changed);
    expect(plan.skipped.map((s) => `${s.host} ${s.step} ${s.reason}`)).toEqual(c.expected.skipped ?? []);
    expect(plan.problems.map((p) => `${p.host} ${p.step ?? '-'} ${p.kind} ${p.message}`)).toEqual(c.expected.problems ?? []);
    expect(plan.summary).toEqual(c.expected.summary);
    expect(planExitCode(plan, false)).toBe(c.expected.exitCode);
    expect(planExitCode(plan, true)).toBe(c.expected.detailedExitCode);
  });
});

describe('plan documents', () => {
  it("planDocument has design.md's shape: changes of {host, step, resource, action, from, to} and a summary", () => {
    const doc = planDocument(buildPlan(inv, pb, readingsFor(pb, 'fresh')));
    expect(Object.keys(doc)).toEqual(['changes', 'upgrades', 'summary', 'skipped', 'problems']);
    expect(doc.changes[0]).toEqual({ host: 'web1', step: 'install-dir', resource: 'directory D:\\Cortex', action: 'create', from: null, to: { exists: true } });
  });
  it('planLines: a change known only after earlier ones says so (a reboot an installer may ask for, a service a package brings)', async () => {
    const site = await loadSite('thirty-steps.yaml');
    const r = readingsFor(site.pb, 'in-sync', { states: { app1: { erlang: { installed: true, version: '26.2.5', view: '64', displayName: 'Erlang OTP' }, rabbitmq: { installed: false, version: null, view: null, displayName: null } } } });
    const lines = planLines(buildPlan(site.inv, site.pb, r));
    const app1 = lines.slice(lines.indexOf('app1:') + 1);
    expect(app1).toContain('  ~ pending-reboot: reboot (known after apply of erlang, rabbitmq; now: no reboot pending)');
    const app2 = lines.slice(lines.indexOf('app2:') + 1);
    expect(app2).toContain('  = pending-reboot: reboot');
  });

  it('planLines shows + create, ~ update (from → to), = unchanged per host, then a summary', () => {
    const r = readingsFor(pb, 'in-sync', { states: { app3: { erlang: { installed: true, version: '26.2.5', view: '64', displayName: 'Erlang OTP' } }, lb1: { 'lb-config': { exists: false, sha256: null } } } });
    const lines = planLines(buildPlan(inv, pb, r));
    expect(lines).toContain('  ~ erlang: package Erlang OTP (version=26.2.5 → version=27.3.4)');
    expect(lines).toContain('  + lb-config: file C:\\gobetween\\gobetween.toml (create: sha256=0000000000000000000000000000000000000000000000000000000000000000)');
    expect(lines).toContain('  = install-dir: directory D:\\Cortex');
    expect(lines.at(-1)).toBe('Plan: 1 to create, 1 to update, 23 unchanged, 0 skipped; 0 errors, 0 unreachable, on 7 hosts.');
    // Host by host: each host heads one block, with its steps in the order they run.
    const heads = lines.filter((l) => /^\S+:$/.test(l));
    expect(heads).toEqual([...new Set(heads)]);
    expect(heads).toHaveLength(7);
    const plan = buildPlan(inv, pb, r);
    const app3 = lines.slice(lines.indexOf('app3:') + 1);
    const block = app3.slice(0, app3.findIndex((l) => !l.startsWith('  ')));
    expect(block.map((l) => l.slice(4, l.indexOf(':')))).toEqual(plan.changes.filter((c) => c.host === 'app3').map((c) => c.step));
  });
});

describe('a Test whose tool an earlier step installs (nservicebus_queues: rabbitmqctl)', () => {
  const CTL = 'C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat';
  const NOT_YET = `${CTL} is not installed yet; the queues are created once an earlier step installs RabbitMQ (or fix rabbitmqctl)`;
  const load = async () => {
    const site = await loadInventory(join(fixtures, 'components', 'inventory.yaml'));
    return { site, nsb: await loadPlaybook(join(fixtures, 'components', 'nservicebus.yaml'), site) };
  };

  it("fresh: the queues are created, known after the host's earlier changes, not an error", async () => {
    const { site, nsb } = await load();
    const plan = buildPlan(site, nsb, readingsFor(nsb, 'fresh'));
    expect(plan.problems).toEqual([]);
    const c = plan.changes.find((x) => x.host === 'app1' && x.step === 'nsb-queues');
    expect(c && { action: c.action, from: c.from, to: c.to }).toEqual({ action: 'create', from: null, to: { knownAfter: ['nsb-license', 'nsb-tool-stage', 'nsb-tool'], now: NOT_YET } });
    expect(planLines(plan)).toContain(`  + nsb-queues: nservicebus_queues cortex (2 endpoints) (known after apply of nsb-license, nsb-tool-stage, nsb-tool; now: ${NOT_YET})`);
  });

  it('nothing earlier changes on the host: rabbitmqctl missing is an error naming host and step', async () => {
    const { site, nsb } = await load();
    const plan = buildPlan(site, nsb, readingsFor(nsb, 'in-sync', { states: { app1: { 'nsb-queues': { cliInstalled: false, queues: {}, delayInfrastructure: false } } } }));
    expect(plan.problems).toEqual([{ host: 'app1', step: 'nsb-queues', kind: 'error', message: NOT_YET }]);
  });

  it('a Test that could not run is an error, earlier changes or not', async () => {
    const { site, nsb } = await load();
    const plan = buildPlan(site, nsb, readingsFor(nsb, 'fresh', { testErrors: { app1: { 'nsb-queues': 'Access is denied.' } } }));
    expect(plan.problems).toEqual([{ host: 'app1', step: 'nsb-queues', kind: 'error', message: 'Test failed: Access is denied.' }]);
    expect(plan.changes.find((x) => x.step === 'nsb-queues')).toBeUndefined();
  });
});

describe('schedule', () => {
  it('serial batches: a count, a percentage rounded up, at least one host', () => {
    expect(serialBatches(['a', 'b', 'c', 'd', 'e'], { count: 2 })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(['a', 'b', 'c'], { percent: 50 })).toEqual([['a', 'b'], ['c']]);
    expect(serialBatches(['a', 'b', 'c'], { percent: 1 })).toEqual([['a'], ['b'], ['c']]);
    expect(serialBatches(['a', 'b'], undefined)).toEqual([['a', 'b']]);
  });
  it('a rolling phase runs all its steps per batch with a health gate; run_once runs with the batch that holds its host', () => {
    const s = schedule(pb);
    expect(s.map((p) => [p.phase, p.batches.map((b) => b.hosts.join('+'))])).toEqual([
      ['base', ['web1+web2+app1+app2+app3+db1+lb1']],
      ['app', ['app1', 'app2', 'app3']],
      ['cluster', ['app1+app2+app3+lb1']],
    ]);
    expect(s[1]!.batches.every((b) => b.healthGate && b.steps.map((r) => r.step.id).join() === 'erlang,rabbit-dir,rabbit-nodes')).toBe(true);
    const cluster = s[2]!.batches[0]!.steps;
    expect(cluster.map((r) => [r.step.id, r.hostBatches, r.barrier?.length])).toEqual([
      ['sf-cluster', [['app2']], 7],
      ['lb-config', [['lb1']], 3],
    ]);
  });
});

describe('stepsToTest', () => {
  it("lists a phase's steps for one host whose condition holds: what one batched Test round trip carries", () => {
    const cond = new ConditionContext(inv, pb);
    expect(stepsToTest(pb, cond, 'web2', 'base', { os: { build: 9600 } }).map((s) => s.id)).toEqual(['install-dir']);
    expect(stepsToTest(pb, cond, 'web2', 'base', { os: { build: 17763 } }).map((s) => s.id)).toEqual(['install-dir', 'tls12']);
    expect(stepsToTest(pb, cond, 'app2', 'cluster', {}).map((s) => s.id)).toEqual(['sf-cluster']);
    expect(stepsToTest(pb, cond, 'app1', 'cluster', {}).map((s) => s.id)).toEqual([]);
  });
});

/**
 * Plan's upgrades (docs/upgrades.md): a version a change moves shows as `component: from -> to` with
 * the hosts in apply's order and how many at once; a later step moving the same component to the same
 * version is known after the roll; a jump the cluster cannot take is refused (exit code 3).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { buildPlan, planDocument, type Readings } from '../../src/engine/plan/plan.js';
import { planExitCode } from '../../src/engine/plan/exit-code.js';
import { planLines } from '../../src/engine/plan/text.js';
import { PlanJsonSchema } from '../../src/report/plan-reports.js';
import { loadSite } from './support.js';

let inv: Inventory;
let pb: Playbook;
beforeAll(async () => ({ inv, pb } = await loadSite('upgrade.yaml')));

const node = (version: string, erlang: string, flags: string[] = []) => ({ installed: true, version, erlangVersion: erlang, nodeName: 'rabbit@x', running: true, featureFlagsDisabled: flags });
const pkg = (version: string) => ({ installed: true, version, view: '32', displayName: 'x' });

function readings(app: Record<string, ReturnType<typeof node>>, gateway = '1.0.0'): Readings {
  const out: Readings = {};
  for (const h of ['app1', 'app2', 'app3']) {
    const n = app[h] ?? node('4.1.4', '27.3.4');
    out[h] = { states: { 'rabbitmq-roll': n, erlang: pkg(n.erlangVersion), rabbitmq: pkg(n.version) } };
  }
  for (const h of ['web1', 'web2']) out[h] = { states: { gateway: pkg(gateway) } };
  return out;
}

describe('plan upgrades', () => {
  it('shows each component from -> to, the roll one host at a time, and the install steps known after it', () => {
    const plan = buildPlan(inv, pb, readings({}));
    expect(plan.problems).toEqual([]);
    expect(plan.upgrades.map((u) => [u.component, u.from, u.to, u.step, u.atOnce, u.hosts.map((h) => `${h.host}@${h.wave}`)])).toEqual([
      ['rabbitmq', ['4.1.4'], '4.2.1', 'rabbitmq-roll', 1, ['app1@0', 'app2@1', 'app3@2']],
      ['erlang', ['27.3.4'], '27.3.4.2', 'rabbitmq-roll', 1, ['app1@0', 'app2@1', 'app3@2']],
      ['cortexGateway', ['1.0.0'], '1.1.0', 'gateway', 2, ['web1@0', 'web2@0']],
    ]);
    const erlang = plan.changes.find((c) => c.host === 'app2' && c.step === 'erlang')!;
    expect(erlang.to).toEqual({ knownAfter: ['rabbitmq-roll'], now: { version: '27.3.4' } });
    const lines = planLines(plan);
    expect(lines.slice(0, 4)).toEqual([
      'Upgrades (in the order apply takes them):',
      '  rabbitmq: 4.1.4 -> 4.2.1 (phase rabbitmq-roll, step rabbitmq-roll): one host at a time: app1, then app2, then app3',
      '  erlang: 27.3.4 -> 27.3.4.2 (phase rabbitmq-roll, step rabbitmq-roll): one host at a time: app1, then app2, then app3',
      '  cortexGateway: 1.0.0 -> 1.1.0 (phase gateway, step gateway): all at once: [web1, web2]',
    ]);
    expect(PlanJsonSchema.safeParse(planDocument(plan)).success).toBe(true);
    expect(planExitCode(plan, true)).toBe(2);
  });

  it('a node already upgraded (a roll that stopped half way) is left out of the order', () => {
    const plan = buildPlan(inv, pb, readings({ app1: node('4.2.1', '27.3.4.2') }));
    expect(plan.upgrades[0]!.hosts.map((h) => h.host)).toEqual(['app2', 'app3']);
    expect(plan.changes.find((c) => c.host === 'app1' && c.step === 'rabbitmq-roll')!.action).toBe('none');
  });

  it('nothing to upgrade: no upgrades', () => {
    const plan = buildPlan(inv, pb, readings({ app1: node('4.2.1', '27.3.4.2'), app2: node('4.2.1', '27.3.4.2'), app3: node('4.2.1', '27.3.4.2') }, '1.1.0'));
    expect(plan.upgrades).toEqual([]);
    expect(planLines(plan)[0]).not.toMatch(/Upgrades/);
  });

  it('a skipped minor series is refused at plan time with the path, exit code 3', () => {
    const plan = buildPlan(inv, pb, readings({ app2: node('4.0.9', '27.3.4') }));
    expect(plan.problems).toEqual([{ host: 'app2', step: 'rabbitmq-roll', kind: 'refused', message: expect.stringMatching(/^refused: RabbitMQ 4\.0\.9 -> 4\.2\.1 skips a minor series.*upgrade to 4\.1\.x first/) }]);
    expect(plan.summary.refused).toBe(1);
    expect(planExitCode(plan, false)).toBe(3);
    expect(planExitCode(plan, true)).toBe(3);
    expect(planLines(plan).join('\n')).toMatch(/! app2, step rabbitmq-roll: refused: .*upgrade to 4\.1\.x first/);
  });

  it('feature flags not all enabled are refused, naming them', () => {
    const plan = buildPlan(inv, pb, readings({ app1: node('4.1.4', '27.3.4', ['khepri_db']) }));
    expect(plan.problems.map((p) => p.kind)).toEqual(['refused']);
    expect(plan.problems[0]!.message).toMatch(/khepri_db.*enable them first/);
  });
});

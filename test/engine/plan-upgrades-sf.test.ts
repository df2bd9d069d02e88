/**
 * Plan's upgrades for Service Fabric and the Cortex applications (docs/upgrades.md): the cluster's code
 * and the application's type version from -> to, run from the deploy node, in the order the monitored
 * upgrade walks the upgrade domains; before the new package is extracted, the inventory's version.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { buildPlan, planDocument, type Readings } from '../../src/engine/plan/plan.js';
import { planLines } from '../../src/engine/plan/text.js';
import { PlanJsonSchema } from '../../src/report/plan-reports.js';
import { upgradeDomainOrder } from '../../src/resources/service-fabric-cluster.js';
import { loadSite } from './support.js';

let inv: Inventory;
let pb: Playbook;
beforeAll(async () => ({ inv, pb } = await loadSite('upgrade-sf.yaml')));

const NODES = [
  { name: 'app2', status: 'Up', health: 'Ok', upgradeDomain: 'UD1' },
  { name: 'app1', status: 'Up', health: 'Ok', upgradeDomain: 'UD0' },
  { name: 'app3', status: 'Up', health: 'Ok', upgradeDomain: 'UD2' },
];

function cluster(codeVersion: string, pkg: { present: boolean; version: string | null }) {
  return { fabricHostService: true, fabricVersion: codeVersion, reachable: true, connectError: null, codeVersion, configVersion: '1.0.0', nodes: NODES, health: 'Ok', packageCodeVersion: pkg.version, packagePresent: pkg.present };
}

function app(typeVersion: string) {
  return {
    reachable: true,
    registeredVersions: [typeVersion],
    application: { typeName: 'CortexType', typeVersion, status: 'Ready', health: 'Ok', parameters: {} },
    nodes: NODES.map((n) => ({ name: n.name, upgradeDomain: n.upgradeDomain })),
  };
}

function readings(sf: ReturnType<typeof cluster>, application: ReturnType<typeof app>): Readings {
  return { app1: { states: { 'sf-cluster': sf, 'cortex-apps': application } } };
}

describe('plan upgrades: Service Fabric and the Cortex applications', () => {
  it('shows the cluster code and the application from -> to, from the deploy node, one upgrade domain at a time', () => {
    const plan = buildPlan(inv, pb, readings(cluster('10.1.1541.9590', { present: true, version: '10.1.2448.9590' }), app('1.0.0')));
    expect(plan.problems).toEqual([]);
    expect(plan.upgrades).toEqual([
      { component: 'serviceFabric', from: ['10.1.1541.9590'], to: '10.1.2448.9590', phase: 'service-fabric', step: 'sf-cluster', atOnce: 1, hosts: [{ host: 'app1', from: '10.1.1541.9590', wave: 0 }], within: { unit: 'upgrade domain', order: ['UD0 (app1)', 'UD1 (app2)', 'UD2 (app3)'] } },
      { component: 'cortex', from: ['1.0.0'], to: '1.1.0', phase: 'cortex-applications', step: 'cortex-apps', atOnce: 1, hosts: [{ host: 'app1', from: '1.0.0', wave: 0 }], within: { unit: 'upgrade domain', order: ['UD0 (app1)', 'UD1 (app2)', 'UD2 (app3)'] } },
    ]);
    expect(planLines(plan).slice(0, 3)).toEqual([
      'Upgrades (in the order apply takes them):',
      '  serviceFabric: 10.1.1541.9590 -> 10.1.2448.9590 (phase service-fabric, step sf-cluster): from app1, one upgrade domain at a time: UD0 (app1), then UD1 (app2), then UD2 (app3)',
      '  cortex: 1.0.0 -> 1.1.0 (phase cortex-applications, step cortex-apps): from app1, one upgrade domain at a time: UD0 (app1), then UD1 (app2), then UD2 (app3)',
    ]);
    expect(PlanJsonSchema.safeParse(planDocument(plan)).success).toBe(true);
  });

  it('before an earlier step extracts the package, the target is the version the inventory names', () => {
    const plan = buildPlan(inv, pb, readings(cluster('10.1.1541.9590', { present: false, version: null }), app('1.1.0')));
    expect(plan.upgrades.map((u) => [u.component, u.from, u.to])).toEqual([['serviceFabric', ['10.1.1541.9590'], '10.1.2448.9590']]);
  });

  it('nothing moves: no upgrades (the running code is the package\'s, the application at its version)', () => {
    const plan = buildPlan(inv, pb, readings(cluster('10.1.2448.9590', { present: true, version: '10.1.2448.9590' }), app('1.1.0')));
    expect(plan.upgrades).toEqual([]);
  });

  it('a parameter change alone is an application upgrade but moves no version', () => {
    const a = app('1.1.0');
    a.application.parameters = { ApiGateway_InstanceCount: '1' };
    const pb2 = structuredClone(pb);
    const step = pb2.phases[1]!.steps[0]!;
    step.params.app1 = { ...(step.params.app1 as object), parameters: { ApiGateway_InstanceCount: '-1' } };
    const plan = buildPlan(inv, pb2, readings(cluster('10.1.2448.9590', { present: true, version: '10.1.2448.9590' }), a));
    expect(plan.changes.find((c) => c.step === 'cortex-apps')!.action).toBe('update');
    expect(plan.upgrades).toEqual([]);
  });
});

describe('upgradeDomainOrder', () => {
  it('orders the domains as Service Fabric walks them (numbers as numbers), nodes grouped, a node without a domain its own', () => {
    const nodes = [
      { name: 'n10', upgradeDomain: 'UD10' },
      { name: 'n2a', upgradeDomain: 'UD2' },
      { name: 'n2b', upgradeDomain: 'UD2' },
      { name: 'solo', upgradeDomain: null },
    ];
    expect(upgradeDomainOrder(nodes).order).toEqual(['solo (solo)', 'UD2 (n2a, n2b)', 'UD10 (n10)']);
  });
});

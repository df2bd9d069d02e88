/**
 * Reboots after upgrades keep the quorum rule (issue 13, §6; docs/upgrades.md, "Reboots"): an upgrade step
 * that asks for a reboot (an installer's 3010) on two or three app servers never has two of them down at
 * once, whether the phase rolls one server at a time (the RabbitMQ roll), runs on every server at once (a
 * package upgrade) or runs from the deploy node (Service Fabric's code). The fake agent counts the members
 * of each group down at the same moment.
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/engine/apply/executor.js';
import { FakeWorld } from './fake-agent.js';
import { loadSite } from './support.js';

const APP = ['app1', 'app2', 'app3'];

async function upgradeWorld() {
  const { inv, pb } = await loadSite('upgrade-reboots.yaml');
  const world = new FakeWorld(pb, 'in-sync', inv.groups);
  world.rebootMs = 20;
  for (const h of APP) {
    const st = world.states.get(h)!;
    st.set('rabbitmq-roll', { installed: true, version: '4.1.4', erlangVersion: '27.3.4', nodeName: `rabbit@${h}`, running: true, featureFlagsDisabled: [] });
    st.set('dotnet', { installed: true, version: '4.8.03761', view: '64', displayName: 'Microsoft .NET Framework 4.8' });
  }
  world.states.get('app1')!.set('sf-cluster', { fabricHostService: true, fabricVersion: '10.1.1541.9590', reachable: true, connectError: null, codeVersion: '10.1.1541.9590', configVersion: '1.0.0', nodes: APP.map((name, i) => ({ name, status: 'Up', health: 'Ok', upgradeDomain: `UD${i}` })), health: 'Ok', packageCodeVersion: '10.1.2448.9590', packagePresent: true });
  // 3010 from the roll on two nodes, from the package on two (in the same parallel phase), from Service Fabric's upgrade on the deploy node.
  for (const h of ['app1', 'app2']) world.on(h, 'rabbitmq-roll', { rebootRequired: true });
  for (const h of ['app2', 'app3']) world.on(h, 'dotnet', { rebootRequired: true });
  world.on('app1', 'sf-cluster', { rebootRequired: true });
  return { inv, pb, world };
}

describe('reboots after upgrades', () => {
  it('never two app servers down at once; each asked-for reboot done; the roll waits for the rebooted node before the next', async () => {
    const { inv, pb, world } = await upgradeWorld();
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 10, sleep: async () => {} });
    expect(r.exitCode, r.reason).toBe(0);
    expect(world.maxDown.get('app')).toBe(1);
    expect(Object.fromEntries(world.bootCount)).toEqual({ app1: 2, app2: 2, app3: 1 });
    const at = (c: string) => world.calls.indexOf(c);
    // Serial roll: app1's reboot is over before app2 is rolled.
    expect(at('app1 reboot')).toBeGreaterThan(at('app1 set rabbitmq-roll'));
    expect(at('app1 reboot')).toBeLessThan(at('app2 set rabbitmq-roll'));
    expect(world.setsOf().filter((c) => c.endsWith('sf-cluster'))).toEqual(['app1 set sf-cluster']);
  });

  it('the same upgrade without the quorum rule takes two app servers down at once (what the rule prevents)', async () => {
    const { inv, pb, world } = await upgradeWorld();
    for (const h of APP) pb.reboots[h] = { policy: 'immediate', quorum: null };
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 10, sleep: async () => {} });
    expect(r.exitCode, r.reason).toBe(0);
    expect(world.maxDown.get('app')).toBe(2);
  });
});

/**
 * A phase's drain (src/engine/apply/drain.ts, docs/playbooks.md "Drain"): its steps run on the load
 * balancer around each host that changes, as Ansible's delegate_to; never around a host with nothing to
 * change; a host that fails stays drained. The fake load balancer keeps gobetween's backends as the
 * Test script reads them and records the most backends out of the pool at once.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { apply } from '../../src/engine/apply/executor.js';
import type { HostAgent, ResourceRequest, SetResult, TestResults } from '../../src/engine/apply/agent.js';
import type { RunEvent } from '../../src/engine/apply/events.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { buildPlan, type Readings } from '../../src/engine/plan/plan.js';
import { loadInventory } from '../../src/inventory/index.js';
import { fixtures } from './support.js';

const PLAYBOOK = `name: t
phases:
  - name: gateway
    targets: { roles: [web] }
    serial: 1
    drain:
      on: { roles: [lb] }
      before: { id: drain-web, gobetween_backend: { server: web_gateway, backend: '{{ host.address }}:443', state: drained } }
      after: { id: restore-web, gobetween_backend: { server: web_gateway, backend: '{{ host.address }}:443', state: live } }
    steps:
      - { id: site-dir, directory: { path: 'D:\\Gateway' } }
      - { id: site-env, env_var: { name: GATEWAY, value: '1.1.0' } }
`;

/** web hosts: step id -> in sync?; lb1: backend -> drained marker. A backend is live when not drained and its host is healthy. */
class World {
  readonly calls: string[] = [];
  readonly inSync = new Map<string, Set<string>>([['web1', new Set()], ['web2', new Set()]]);
  readonly drained = new Set<string>();
  readonly failSet = new Set<string>();
  maxOut = 0;
  private readonly addresses: Record<string, string> = { '127.0.1.1:443': 'web1', '127.0.1.2:443': 'web2' };

  out(): number {
    return Object.keys(this.addresses).filter((b) => !this.live(b)).length;
  }

  live(backend: string): boolean {
    return !this.drained.has(backend);
  }

  agents(): Record<string, HostAgent> {
    return Object.fromEntries(['web1', 'web2', 'lb1'].map((h) => [h, this.agent(h)]));
  }

  private agent(host: string): HostAgent {
    const stateOf = (r: ResourceRequest): unknown => {
      if (r.resource === 'gobetween_backend') {
        const b = (r.params as { backend: string }).backend;
        return { drained: this.drained.has(b), live: this.live(b), activeConnections: 0 };
      }
      const ok = this.inSync.get(host)!.has(r.step);
      if (r.resource === 'directory') return ok ? { exists: true, isDirectory: true } : { exists: false, isDirectory: false };
      return { value: ok ? '1.1.0' : '1.0.0' };
    };
    return {
      host,
      facts: async () => ({}),
      test: async (reqs): Promise<TestResults> => {
        this.calls.push(`${host} test ${reqs.map((r) => r.step).join(',')}`);
        return Object.fromEntries(reqs.map((r) => [r.step, { state: stateOf(r) }]));
      },
      set: async (r): Promise<SetResult> => {
        this.calls.push(`${host} set ${r.step}`);
        if (this.failSet.has(`${host}/${r.step}`)) return { ok: false, rebootRequired: false, message: 'the site did not start' };
        if (r.resource === 'gobetween_backend') {
          const p = r.params as { backend: string; state: string };
          if (p.state === 'drained') this.drained.add(p.backend);
          else this.drained.delete(p.backend);
          this.maxOut = Math.max(this.maxOut, this.out());
        } else this.inSync.get(host)!.add(r.step);
        return { ok: true, rebootRequired: false };
      },
      reboot: async () => undefined,
    };
  }
}

async function setup() {
  const inv = await loadInventory(join(fixtures, 'inventory.yaml'));
  const pb = parsePlaybook(PLAYBOOK, join(fixtures, 'drain.yaml'), inv);
  const world = new World();
  const events: RunEvent[] = [];
  const run = (hosts?: string[]) => apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, hosts, sleep: async () => undefined, onEvent: (e) => events.push(e) });
  return { inv, pb, world, events, run };
}

describe('phase drain', () => {
  it('loads: before/after rendered for each host of the phase, run on the lb', async () => {
    const { pb } = await setup();
    const d = pb.phases[0]!.drain!;
    expect(d.on).toEqual(['lb1']);
    expect(d.before.kind).toBe('drain');
    expect(d.before.params).toEqual({
      web1: { server: 'web_gateway', backend: '127.0.1.1:443', state: 'drained', timeoutSec: 300, installDir: 'C:\\Program Files\\gobetween', api: '127.0.0.1:8888' },
      web2: { server: 'web_gateway', backend: '127.0.1.2:443', state: 'drained', timeoutSec: 300, installDir: 'C:\\Program Files\\gobetween', api: '127.0.0.1:8888' },
    });
  });

  it('refuses a drain on a host the phase changes', async () => {
    const inv = await loadInventory(join(fixtures, 'inventory.yaml'));
    expect(() => parsePlaybook(PLAYBOOK.replace('on: { roles: [lb] }', 'on: { hosts: [web2] }'), join(fixtures, 'drain.yaml'), inv)).toThrow(/drain of phase 'gateway' runs on web2, which the phase also changes/);
  });

  it('drains each host just before its first Set and restores it after its last verified one; never two out at once', async () => {
    const { world, run, events } = await setup();
    const r = await run();
    expect(r.exitCode).toBe(0);
    expect(world.calls.filter((c) => !c.includes('facts'))).toEqual([
      'web1 test site-dir,site-env',
      'lb1 test drain-web@web1', 'lb1 set drain-web@web1', 'lb1 test drain-web@web1',
      'web1 set site-dir', 'web1 test site-dir,site-env', 'web1 set site-env', 'web1 test site-env',
      'lb1 test restore-web@web1', 'lb1 set restore-web@web1', 'lb1 test restore-web@web1',
      'web2 test site-dir,site-env',
      'lb1 test drain-web@web2', 'lb1 set drain-web@web2', 'lb1 test drain-web@web2',
      'web2 set site-dir', 'web2 test site-dir,site-env', 'web2 set site-env', 'web2 test site-env',
      'lb1 test restore-web@web2', 'lb1 set restore-web@web2', 'lb1 test restore-web@web2',
    ]);
    expect(world.maxOut).toBe(1);
    expect(world.drained.size).toBe(0);
    // Four changes on the web servers, four on the load balancer (two drains, two restores).
    expect(r.summary).toMatchObject({ changed: 8, failed: 0 });
    expect(r.hosts.find((h) => h.name === 'lb1')!.steps.map((s) => `${s.id} ${s.status}`)).toEqual(['drain-web@web1 changed', 'restore-web@web1 changed', 'drain-web@web2 changed', 'restore-web@web2 changed']);
    const drainEvent = events.find((e) => e.type === 'step-finished' && e.step === 'drain-web@web1');
    expect(drainEvent).toMatchObject({ host: 'lb1', for: 'web1', phase: 'gateway', status: 'changed' });
  });

  it('a re-run with nothing to change drains nothing: 0 changed, no Set, the lb not even tested', async () => {
    const { world, run } = await setup();
    await run();
    world.calls.length = 0;
    const r = await run();
    expect(r.summary).toMatchObject({ changed: 0, failed: 0 });
    expect(world.calls.filter((c) => c.includes(' set ') || c.startsWith('lb1 test'))).toEqual([]);
  });

  it('only the hosts that change are drained', async () => {
    const { world, run } = await setup();
    world.inSync.get('web1')!.add('site-dir').add('site-env');
    await run();
    expect(world.calls.filter((c) => c.startsWith('lb1 set'))).toEqual(['lb1 set drain-web@web2', 'lb1 set restore-web@web2']);
  });

  it('a host whose change fails stays drained, the run stops, and the report says so', async () => {
    const { world, run, events } = await setup();
    world.failSet.add('web1/site-env');
    const r = await run();
    expect(r.exitCode).not.toBe(0);
    expect(world.calls.filter((c) => c.startsWith('lb1 set'))).toEqual(['lb1 set drain-web@web1']);
    expect([...world.drained]).toEqual(['127.0.1.1:443']);
    expect(world.calls.some((c) => c.startsWith('web2 set'))).toBe(false);
    const web1 = r.hosts.find((h) => h.name === 'web1')!;
    expect(web1.status).toBe('failed');
    expect(events.find((e) => e.type === 'host-finished' && e.host === 'web1')).toMatchObject({ message: expect.stringMatching(/site-env: the site did not start .*left drained/) });
  });

  it('a drain that fails leaves the host unchanged', async () => {
    const { world, run } = await setup();
    world.failSet.add('lb1/drain-web@web1');
    const r = await run();
    expect(r.exitCode).not.toBe(0);
    expect(world.calls.filter((c) => c.startsWith('web1 set'))).toEqual([]);
    const web1 = r.hosts.find((h) => h.name === 'web1')!;
    expect(web1.steps.find((s) => s.id === 'site-dir')).toMatchObject({ status: 'failed', message: expect.stringMatching(/^not changed: drain drain-web on lb1 failed: the site did not start/) });
  });

  it('--limit without the load balancer: the drain cannot run, so the host is not changed', async () => {
    const { world, run, events } = await setup();
    const r = await run(['web1']);
    expect(r.exitCode).not.toBe(0);
    expect(world.calls.filter((c) => c.includes(' set '))).toEqual([]);
    expect(r.hosts.find((h) => h.name === 'web1')!.steps.find((s) => s.id === 'site-dir')).toMatchObject({ status: 'failed', message: expect.stringContaining('host lb1 is not in this run') });
    expect(events.find((e) => e.type === 'step-finished' && e.host === 'lb1')).toMatchObject({ step: 'drain-web@web1', status: 'failed', for: 'web1' });
  });

  it('plan shows the drain and restore around each changing host, and none when nothing changes', async () => {
    const { inv, pb } = await setup();
    const state = (ok: boolean) => ({ 'site-dir': ok ? { exists: true, isDirectory: true } : { exists: false, isDirectory: false }, 'site-env': { value: ok ? '1.1.0' : '1.0.0' } });
    const readings: Readings = { web1: { states: state(true) }, web2: { states: state(false) }, lb1: { states: {} } };
    const plan = buildPlan(inv, pb, readings);
    expect(plan.changes.filter((c) => c.action !== 'none').map((c) => `${c.host} ${c.step}`)).toEqual(['lb1 drain-web@web2', 'web2 site-dir', 'web2 site-env', 'lb1 restore-web@web2']);
    expect(plan.changes.find((c) => c.step === 'drain-web@web2')).toMatchObject({ resource: 'gobetween_backend web_gateway 127.0.1.2:443', to: { for: 'web2', before: 'site-dir' } });
    const none = buildPlan(inv, pb, { ...readings, web2: { states: state(true) } });
    expect(none.changes.some((c) => c.step.includes('@'))).toBe(false);
    expect(none.summary.update + none.summary.create).toBe(0);
  });
});

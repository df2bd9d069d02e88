/**
 * What plan reads from each host through its agent: facts only when asked for, ONE test batch per
 * host for every phase, and failures sorted into unreachable hosts and per-step Test errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHosts } from '../../src/engine/agent/read-hosts.js';
import type { HostAgent, ResourceRequest } from '../../src/engine/apply/agent.js';
import { buildPlan } from '../../src/engine/plan/plan.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { AuthError, ProtocolError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';

const dir = mkdtempSync(join(tmpdir(), 'read-hosts-'));
writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 }, app2: { address: 127.0.0.2 }, app3: { address: 127.0.0.3 } }\n');
const inv = await loadInventory(join(dir, 'inv.yaml'));
const pb = parsePlaybook(
  "name: t\nphases:\n  - name: one\n    targets: { roles: [app] }\n    steps:\n      - id: a\n        directory: { path: 'C:\\x' }\n  - name: two\n    targets: { roles: [app] }\n    steps:\n      - id: b\n        directory: { path: 'C:\\y' }\n",
  join(dir, 'pb.yaml'),
  inv,
);

function agent(host: string, behave: { test?: Error; facts?: Error } = {}) {
  const batches: ResourceRequest[][] = [];
  const a: HostAgent = {
    host,
    facts: async () => {
      if (behave.facts) throw behave.facts;
      return null;
    },
    test: async (reqs) => {
      batches.push(reqs);
      if (behave.test) throw behave.test;
      return Object.fromEntries(reqs.map((r) => [r.step, r.step === 'b' ? { error: 'access denied' } : { state: { exists: false, isDirectory: false } }]));
    },
    set: async () => ({ ok: true, rebootRequired: false }),
    reboot: async () => undefined,
  };
  return { a, batches };
}

describe('readHosts', () => {
  it('one batch per host across phases; unreachable and malformed replies kept apart', async () => {
    const ok = agent('app1');
    const down = agent('app2', { test: new AuthError('credentials refused', { host: 'app2' }) });
    const odd = agent('app3', { test: new ProtocolError('resources.test-batch returned an unexpected shape', { host: 'app3' }) });
    const readings = await readHosts({ inventory: inv, playbook: pb, agents: { app1: ok.a, app2: down.a, app3: odd.a }, hosts: ['app1', 'app2', 'app3'], forks: 2 });
    expect(ok.batches.map((b) => b.map((r) => r.step))).toEqual([['a', 'b']]);
    expect(readings.app1).toEqual({ facts: null, states: { a: { exists: false, isDirectory: false } }, testErrors: { b: 'access denied' } });
    expect(readings.app2!.unreachable).toBe('credentials refused');
    expect(readings.app3!.testErrors).toEqual({ a: 'resources.test-batch returned an unexpected shape', b: 'resources.test-batch returned an unexpected shape' });
    const plan = buildPlan(inv, pb, readings);
    expect(plan.summary).toMatchObject({ hosts: 3, create: 1, errors: 3, unreachable: 1 });
    expect(plan.problems).toContainEqual({ host: 'app1', step: 'b', kind: 'error', message: 'Test failed: access denied' });
  });

  it('a host whose session cannot open (facts) is unreachable, and no batch is sent', async () => {
    const x = agent('app1', { facts: new AuthError('login refused', { host: 'app1' }) });
    const readings = await readHosts({ inventory: inv, playbook: pb, agents: { app1: x.a }, hosts: ['app1'], forks: 1 });
    expect(readings.app1!.unreachable).toBe('login refused');
    expect(x.batches).toEqual([]);
  });
});

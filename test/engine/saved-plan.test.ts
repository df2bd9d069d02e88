import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/engine/playbook/types.js';
import { buildPlan } from '../../src/engine/plan/plan.js';
import { canonicalJson, digestOf, driftOf, paramsDigest, parseSavedPlan, savePlan, savedPlanText, type PlanInputs } from '../../src/engine/plan/saved-plan.js';
import { FACTS, loadSite, readingsFor } from './support.js';

let inv: Inventory;
let pb: Playbook;
beforeAll(async () => ({ inv, pb } = await loadSite()));

const inputs: PlanInputs = { playbook: { file: 'site.yaml', sha256: 'a'.repeat(64) }, inventory: { file: 'inventory.yaml', sha256: 'b'.repeat(64) } };
const at = new Date('2026-12-02T04:00:00Z');

function saved(overrides = {}) {
  const readings = readingsFor(pb, 'in-sync', overrides);
  const plan = buildPlan(inv, pb, readings);
  return parseSavedPlan(savedPlanText(savePlan(pb, plan, readings, inputs, at)), 'plan.json');
}

describe('saved plans', () => {
  it('canonical JSON and digests do not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(digestOf({ a: 1, b: 2 })).toBe(digestOf({ b: 2, a: 1 }));
  });

  it('records a digest of each fact a condition read and of each step state, and round-trips through its text', () => {
    const s = saved();
    expect(s.format).toBe('cortex-deploy-plan');
    expect(s.createdAt).toBe('2026-12-02T04:00:00.000Z');
    expect(Object.keys(s.reads).sort()).toEqual(['app1', 'app2', 'app3', 'db1', 'lb1', 'web1', 'web2']);
    expect(Object.keys(s.reads.web1!.facts)).toEqual(['os.build']);
    expect(Object.keys(s.reads.app2!.states)).toEqual(['install-dir', 'tls12', 'erlang', 'rabbit-dir', 'rabbit-nodes', 'sf-cluster']);
  });

  it('no drift when nothing changed (volatile facts a condition does not read are ignored)', () => {
    const s = saved();
    const r = readingsFor(pb, 'in-sync', { facts: { web1: { ...FACTS, utcNow: '2030-01-01T00:00:00Z', volumes: [] } } });
    expect(driftOf(s, pb, inputs, r)).toEqual([]);
  });

  it('names the host and step whose state changed, the fact that changed, and a host that cannot be read', () => {
    const s = saved();
    const r = readingsFor(pb, 'in-sync', {
      states: { app3: { erlang: { installed: false, version: null, view: null, displayName: null } } },
      facts: { web2: { ...FACTS, os: { build: 9600 } } },
      unreachable: { db1: 'connection refused' },
    });
    expect(driftOf(s, pb, inputs, r)).toEqual([
      { host: 'web2', message: 'fact facts.os.build changed since the plan was made' },
      { host: 'app3', step: 'erlang', message: 'current state changed since the plan was made (planned: unchanged)' },
      { host: 'db1', message: 'cannot be read now (connection refused), so the plan cannot be checked' },
    ]);
  });

  it('a changed playbook or inventory file is drift', () => {
    const s = saved();
    const changed = { ...inputs, playbook: { file: 'site.yaml', sha256: 'c'.repeat(64) } };
    expect(driftOf(s, pb, changed, readingsFor(pb, 'in-sync'))).toEqual([{ message: 'the playbook site.yaml changed since the plan was made' }]);
  });

  it('the same files with other rendered parameters (the artifact store changed) is drift; the store is kept for apply', () => {
    const withParams: PlanInputs = { ...inputs, params: { sha256: paramsDigest(pb) }, store: '/srv/store' };
    const readings = readingsFor(pb, 'in-sync');
    const s = parseSavedPlan(savedPlanText(savePlan(pb, buildPlan(inv, pb, readings), readings, withParams, at)), 'plan.json');
    expect(s.inputs.store).toBe('/srv/store');
    expect(driftOf(s, pb, withParams, readings)).toEqual([]);
    const otherStore = { ...withParams, params: { sha256: 'd'.repeat(64) } };
    expect(driftOf(s, pb, otherStore, readings)).toEqual([{ message: "the steps' parameters changed since the plan was made, with the same playbook and inventory: the artifact store /srv/store holds other files" }]);
    // A plan saved before parameters were recorded is checked as before.
    expect(driftOf(saved(), pb, otherStore, readings)).toEqual([]);
  });

  it('a file that is not a saved plan is an input error naming it', () => {
    expect(() => parseSavedPlan('{nope', 'x.json')).toThrow(/x\.json is not a saved plan: it is not JSON/);
    expect(() => parseSavedPlan('{"format":"cortex-deploy-plan","version":9}', 'x.json')).toThrow(/x\.json is not a saved plan of this version: version/);
  });
});

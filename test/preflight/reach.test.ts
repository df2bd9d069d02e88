/** Cross-host plan (who must reach whom on which ports) and the net.resolve / net.reach rules (fixtures). */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReachMatrix, planReach, type ReachResult, type ReachTarget } from '../../src/preflight/reach.js';
import { reachFindings } from '../../src/preflight/rules/reach.js';
import type { PreflightHost } from '../../src/preflight/finding.js';
import { APP_TO_APP_PORTS } from '../../src/preflight/ports.js';

const h = (name: string, roles: PreflightHost['roles'], address = `10.0.0.${name.length}`): PreflightHost => ({ name, address, roles, installPath: null });
const topology = [h('web1', ['web']), h('web2', ['web']), h('app1', ['app']), h('app2', ['app']), h('app3', ['app']), h('db1', ['db']), h('lb1', ['lb'])];

describe('planReach', () => {
  const plan = planReach(topology);
  const ports = (from: string, to: string) => plan.get(from)?.find((t) => t.name === to)?.ports ?? [];

  it('app servers reach every other app server on RabbitMQ and Service Fabric ports, never themselves', () => {
    expect(plan.get('app1')?.map((t) => t.name)).toEqual(['app2', 'app3', 'db1']);
    for (const p of [4369, 5672, 25672, 19000, 19001, 19002, 19003, 19080, 20001, 20031, 445]) expect(ports('app1', 'app2')).toContain(p);
    expect(ports('app1', 'app2')).toEqual([...APP_TO_APP_PORTS]);
    expect(ports('app1', 'db1')).toEqual([1433]);
  });

  it('the lb reaches the app servers on the API gateway port; web reaches the lb and the db', () => {
    expect(plan.get('lb1')?.map((t) => `${t.name}:${t.ports.join(',')}`)).toEqual(['app1:8443', 'app2:8443', 'app3:8443']);
    expect(plan.get('web1')?.map((t) => `${t.name}:${t.ports.join(',')}`)).toEqual(['db1:1433', 'lb1:8443']);
    expect(plan.get('db1')).toEqual([]);
  });

  it('merges the ports of a host with several roles', () => {
    const p = planReach([h('x', ['web', 'app']), h('y', ['app', 'lb']), h('d', ['db'])]);
    const xy = p.get('x')?.find((t) => t.name === 'y')?.ports ?? [];
    expect(xy).toContain(8443);
    expect(xy).toContain(4369);
  });

  it('builds the matrix: unreachable ports per cell, null when not measured', () => {
    const results = new Map<string, ReachResult | null>([
      ['web1', { targets: [{ name: 'db1', address: 'x', resolved: ['x'], resolveError: null, ports: [{ port: 1433, state: 'filtered' }] }] }],
      ['lb1', null],
    ]);
    const m = buildReachMatrix(topology.map((x) => x.name), plan, results);
    expect(m.cells.web1?.db1).toEqual({ ports: 1, unreachable: [{ port: 1433, state: 'filtered' }], resolves: true });
    expect(m.cells.web1?.lb1).toBeNull();
    expect(m.cells.lb1?.app1).toBeNull();
    expect(m.cells.db1).toEqual({});
  });
});

const dir = resolve(import.meta.dirname, '../fixtures/preflight/reach');
describe('net.resolve / net.reach (fixtures)', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      description: string;
      plan: ReachTarget[];
      result: ReachResult | { error: string };
      expect: Record<string, { status: string; actual?: string; message?: string }>;
    };
    it(`${file}: ${c.description}`, () => {
      const findings = reachFindings(c.plan, c.result);
      expect(findings.map((f) => f.id)).toEqual(['net.resolve', 'net.reach']);
      for (const f of findings) {
        const want = c.expect[f.id] ?? { status: 'pass' };
        expect(f.status).toBe(want.status);
        if (want.actual) expect(f.actual).toContain(want.actual);
        if (want.message) expect(f.message).toContain(want.message);
        if (f.status !== 'pass') expect(f.remediation).not.toBe('');
      }
    });
  }

  it('a host with nothing to reach has no reach findings', () => {
    expect(reachFindings([], { targets: [] })).toEqual([]);
  });
});

/**
 * Fake ProbeConnections for orchestration and reporter tests: each host answers from a facts document
 * (the healthy fixture with the host's address, patched per host), and reach from a rule.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connect, ProbeConnection, ProbeScriptResult } from '../../src/preflight/run.js';
import type { PreflightHost } from '../../src/preflight/finding.js';
import type { ReachParams } from '../../src/preflight/reach.js';
import { UnreachableError, AuthError } from '../../src/errors.js';

export const healthyFacts = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/preflight/facts/healthy-ws2019.json'), 'utf8')) as Record<string, unknown>;

export function factsFor(host: PreflightHost, patch: Record<string, unknown> = {}, clockIso = new Date().toISOString()): Record<string, unknown> {
  const base: Record<string, unknown> = {
    ...healthyFacts,
    computerName: host.name.toUpperCase(),
    ipv4: [{ address: host.address, interfaceAlias: 'Ethernet', addressState: 'Preferred', prefixOrigin: 'Manual' }],
    utcNow: clockIso,
  };
  if (host.roles.includes('db')) base.sql = [{ instance: 'MSSQLSERVER', id: 'MSSQL15.MSSQLSERVER', version: '15.0.2000.5', edition: 'Standard Edition (64-bit)' }];
  return { ...base, ...patch };
}

export interface FakeBehaviour {
  /** Throw this from connect. */
  connectError?: 'unreachable' | 'auth';
  /** Patch of the facts document. */
  patch?: Record<string, unknown>;
  /** Raw data instead of facts (shape tests). */
  raw?: unknown;
  /** Clock offset in ms. */
  skewMs?: number;
  /** (peer, port) pairs this host cannot reach. */
  blocked?: (peer: string, port: number) => boolean;
  delayMs?: number;
}

export interface FakeStats {
  calls: Array<{ host: string; script: string; params?: unknown }>;
  maxConcurrent: number;
}

export function fakeConnect(behaviour: Record<string, FakeBehaviour> = {}): { connect: Connect; stats: FakeStats } {
  const stats: FakeStats = { calls: [], maxConcurrent: 0 };
  let open = 0;
  const connect: Connect = async (host) => {
    const b = behaviour[host.name] ?? {};
    if (b.connectError === 'unreachable') throw new UnreachableError('connect ECONNREFUSED 10.0.0.99:5985', { host: host.name });
    if (b.connectError === 'auth') throw new AuthError('the host refused the credentials (HTTP 401)', { host: host.name });
    open++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, open);
    const conn: ProbeConnection = {
      async run(script, params): Promise<ProbeScriptResult> {
        stats.calls.push({ host: host.name, script: script.id, params });
        if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
        if (script.id === 'probes.facts') {
          return { ok: true, data: b.raw ?? factsFor(host, b.patch, new Date(Date.now() + (b.skewMs ?? 0)).toISOString()) };
        }
        const p = params as ReachParams;
        return {
          ok: true,
          data: {
            targets: p.targets.map((t) => ({
              name: t.name,
              address: t.address,
              resolved: [t.address],
              resolveError: null,
              ports: t.ports.map((port) => ({ port, state: b.blocked?.(t.name, port) ? 'filtered' : 'closed' })),
            })),
          },
        };
      },
      async close() {
        open--;
      },
    };
    return conn;
  };
  return { connect, stats };
}

export function host(name: string, roles: PreflightHost['roles'], n: number): PreflightHost {
  return { name, address: `10.0.0.${n}`, roles, installPath: null };
}

/** The 9-host topology: 2 web, 5 app, 1 db, 1 lb. */
export const nineHosts: PreflightHost[] = [
  host('web1', ['web'], 11),
  host('web2', ['web'], 12),
  host('app1', ['app'], 21),
  host('app2', ['app'], 22),
  host('app3', ['app'], 23),
  host('app4', ['app'], 24),
  host('app5', ['app'], 25),
  host('db1', ['db'], 31),
  host('lb1', ['lb'], 41),
];

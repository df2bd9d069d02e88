/**
 * Cross-host reachability: which (peer, port) pairs each host must reach (docs/preflight.md,
 * "Ports"), the parameters and result of ps1/probes/reach.ps1, and the matrix the reports show.
 * Pure: the orchestrator runs the probe; rules/reach.ts judges the result.
 */
import { z } from 'zod';
import type { PreflightHost } from './finding.js';
import { APP_TO_APP_PORTS, PORTS } from './ports.js';

export interface ReachTarget {
  /** Inventory name of the peer: the name the platform's configuration uses, so it must resolve. */
  name: string;
  /** The inventory address: what the probe connects to. */
  address: string;
  ports: number[];
}

/**
 * Parameters of ps1/probes/reach.ps1 (its contract: src/scripts/catalog.ts). The shape only: the script
 * answers a timeout out of its range (100 to 30000 ms) with its own error.
 */
export const ReachParams = z.object({
  targets: z.array(z.object({ name: z.string(), address: z.string(), ports: z.array(z.number().int()) })),
  /** Per connection attempt; all attempts of one probe run concurrently. reach.ps1's default: 5000. */
  timeoutMs: z.number().int().default(5000),
});
export type ReachParams = z.infer<typeof ReachParams>;

/**
 * The probe's one deadline for all its connects. Windows retries a SYN answered by a RST, so a refused
 * connect takes about 2 s there: a shorter deadline reports closed ports as filtered.
 */
export const REACH_TIMEOUT_MS = 5000;

/**
 * open: connected. closed: refused (RST) — the path is open, nothing listens yet, which is normal before
 * the install. filtered: no answer within the timeout (a firewall drops it, or the network does: before
 * the install a peer's own Windows Firewall drops ports it has no rule for). error: any other socket error.
 */
export const PORT_STATES = ['open', 'closed', 'filtered', 'error'] as const;
export type PortState = (typeof PORT_STATES)[number];

export function isReachable(state: PortState): boolean {
  return state === 'open' || state === 'closed';
}

export const ReachResult = z.object({
  targets: z.array(
    z.object({
      name: z.string(),
      address: z.string(),
      /** Addresses the peer's name resolved to on this host; empty when it did not resolve. */
      resolved: z.array(z.string()),
      resolveError: z.string().nullable(),
      ports: z.array(z.object({ port: z.number().int(), state: z.enum(PORT_STATES) })),
    }),
  ),
});
export type ReachResult = z.infer<typeof ReachResult>;

/**
 * The pairs each host must reach, from the inventory alone:
 * app → every other app (RabbitMQ 4369/5672/25672, Service Fabric 19000-19003/19080, the SF application
 * range, SMB/RPC) and → db 1433; lb → every app (API gateway port); web → every lb (gobetween bind) and → db 1433.
 */
export function planReach(hosts: readonly PreflightHost[]): Map<string, ReachTarget[]> {
  // Linear in hosts × peers: role lists and inventory positions computed once (1,000 hosts plan in milliseconds).
  const byRole: Record<PreflightHost['roles'][number], PreflightHost[]> = { web: [], app: [], db: [], lb: [] };
  const position = new Map<string, number>();
  hosts.forEach((h, i) => {
    position.set(h.name, i);
    for (const r of h.roles) byRole[r].push(h);
  });
  const plan = new Map<string, ReachTarget[]>();
  for (const h of hosts) {
    const ports = new Map<string, { peer: PreflightHost; set: Set<number> }>();
    const add = (peers: PreflightHost[], list: readonly number[]) => {
      for (const p of peers) {
        if (p.name === h.name) continue;
        let entry = ports.get(p.name);
        if (!entry) ports.set(p.name, (entry = { peer: p, set: new Set<number>() }));
        for (const port of list) entry.set.add(port);
      }
    };
    if (h.roles.includes('app')) {
      add(byRole.app, APP_TO_APP_PORTS);
      add(byRole.db, [PORTS.sql]);
    }
    if (h.roles.includes('lb')) add(byRole.app, [PORTS.apiGateway]);
    if (h.roles.includes('web')) {
      add(byRole.lb, [PORTS.gobetweenBind]);
      add(byRole.db, [PORTS.sql]);
    }
    const targets = [...ports.values()]
      .sort((a, b) => (position.get(a.peer.name) ?? 0) - (position.get(b.peer.name) ?? 0))
      .map(({ peer, set }) => ({ name: peer.name, address: peer.address, ports: [...set].sort((a, b) => a - b) }));
    plan.set(h.name, targets);
  }
  return plan;
}

/** One cell of the matrix: what `from` measured towards `to`. */
export interface ReachCell {
  ports: number;
  unreachable: Array<{ port: number; state: PortState }>;
  resolves: boolean;
}

export interface ReachMatrix {
  hosts: string[];
  /** cells[from][to]; absent when `from` need not reach `to`, null when it was not measured (probe failed). */
  cells: Record<string, Record<string, ReachCell | null>>;
}

export function buildReachMatrix(hosts: readonly string[], plan: Map<string, ReachTarget[]>, results: Map<string, ReachResult | null>): ReachMatrix {
  const cells: ReachMatrix['cells'] = {};
  for (const from of hosts) {
    const row: Record<string, ReachCell | null> = {};
    const result = results.get(from) ?? null;
    for (const t of plan.get(from) ?? []) {
      const measured = result?.targets.find((r) => r.name === t.name);
      row[t.name] = measured
        ? {
            ports: t.ports.length,
            unreachable: measured.ports.filter((p) => !isReachable(p.state)).map((p) => ({ port: p.port, state: p.state })),
            resolves: measured.resolved.length > 0,
          }
        : null;
    }
    cells[from] = row;
  }
  return { hosts: [...hosts], cells };
}

/**
 * Groups of lab hosts whose availability matters together (docs/lab.md, "Clusters"): the inventory's
 * groups, and among them the app servers, a quorum group (Service Fabric, RabbitMQ and NServiceBus run
 * there). The lab tracks which members are down (rebooting or powered off) over its whole life, so an
 * end-to-end test can assert that a rolling step never took two quorum members down at once.
 *
 * Pure bookkeeping: lab.ts reports each host going down and coming up; status() projects it.
 */
import { InputError } from '../errors.js';

/**
 * What a group is. `quorum`: a majority of members must stay up. The next issue adds the platform's
 * own clusters (RabbitMQ, Service Fabric) as kinds of their own; each kind says whether it has a quorum.
 */
export const CLUSTER_KINDS = { group: { quorum: false }, quorum: { quorum: true }, 'service-fabric': { quorum: true }, rabbitmq: { quorum: true }, gobetween: { quorum: false } } as const;
export type LabClusterKind = keyof typeof CLUSTER_KINDS;

export interface LabClusterSpec {
  name: string;
  kind: LabClusterKind;
  /** Inventory host names. */
  members: string[];
}

export interface LabClusterStatus {
  name: string;
  kind: LabClusterKind;
  members: string[];
  /** Members down now (rebooting or powered off). */
  downNow: string[];
  /** The most members down at the same moment since the lab started (or its counters were reset). */
  maxDownAtOnce: number;
  /** When that most was first reached (ISO), or null when no member has been down. */
  maxDownAt: string | null;
  /** The most members that can be down with the quorum kept (floor((n-1)/2)); null for kinds without one. */
  faultTolerance: number | null;
  /** Whether more than (n-1)/2 members were ever down at once; null for kinds without a quorum. */
  quorumLost: boolean | null;
  /**
   * kind rabbitmq (src/lab/components/rabbitmq.ts): the members' node names, and the hosts whose node
   * runs. Its counts are of now (nodes not running), not the lab's history.
   */
  nodes?: string[];
  running?: string[];
  /**
   * kind gobetween (a balanced server: its members the backends; out = drained at the load balancer or
   * the host down): whether every backend was out at the same moment (the service had none live).
   */
  noneLive?: boolean;
}

/**
 * The balanced servers of the inventory's gobetween settings (docs/gobetween.md), each a cluster of
 * kind gobetween named gobetween/<server>, its members the lab hosts of the server's role: a drain
 * (the gobetween_backend model) takes a member out, a restore puts it back.
 */
export function clustersFromBalancers(servers: ReadonlyArray<{ name: string; role: string }>, groups: Record<string, readonly string[]>, labHosts: readonly string[]): LabClusterSpec[] {
  const simulated = new Set(labHosts);
  return servers
    .map((s) => ({ name: `gobetween/${s.name}`, kind: 'gobetween' as LabClusterKind, members: (groups[s.role] ?? []).filter((m) => simulated.has(m)) }))
    .filter((c) => c.members.length > 0);
}

/** The app servers form the quorum; every other inventory group is a plain group. */
const QUORUM_GROUPS = new Set(['app']);

/**
 * The clusters of an inventory's groups ('all' and 'ungrouped' are not groups of servers), each cut to
 * the hosts the lab simulates; groups left empty are dropped.
 */
export function clustersFromGroups(groups: Record<string, readonly string[]>, labHosts: readonly string[]): LabClusterSpec[] {
  const simulated = new Set(labHosts);
  return Object.entries(groups)
    .filter(([name]) => name !== 'all' && name !== 'ungrouped')
    .map(([name, members]) => ({ name, kind: (QUORUM_GROUPS.has(name) ? 'quorum' : 'group') as LabClusterKind, members: members.filter((m) => simulated.has(m)) }))
    .filter((c) => c.members.length > 0);
}

interface Tracked {
  spec: LabClusterSpec;
  maxDownAtOnce: number;
  maxDownAt: string | null;
  /** Members down in this cluster only (a Service Fabric node restarting for its upgrade), their host up. */
  membersDown: Set<string>;
}

export class ClusterTracker {
  private readonly clusters: Tracked[];
  private readonly down = new Set<string>();

  constructor(specs: readonly LabClusterSpec[], hosts: readonly string[]) {
    const known = new Set(hosts);
    const names = new Set<string>();
    for (const c of specs) {
      if (names.has(c.name)) throw new InputError(`lab cluster ${c.name} is listed twice`, { field: 'clusters' });
      names.add(c.name);
      if (!Object.hasOwn(CLUSTER_KINDS, c.kind)) throw new InputError(`lab cluster ${c.name} has kind '${String(c.kind)}', which the lab does not know`, { field: 'clusters', hint: `Kinds: ${Object.keys(CLUSTER_KINDS).join(', ')}.` });
      const unknown = c.members.filter((m) => !known.has(m));
      if (unknown.length) throw new InputError(`lab cluster ${c.name} names ${unknown.join(', ')}, not lab hosts`, { field: 'clusters', hint: 'Members are inventory host names the lab simulates.' });
    }
    this.clusters = specs.map((spec) => ({ spec: { ...spec, members: [...spec.members] }, maxDownAtOnce: 0, maxDownAt: null, membersDown: new Set<string>() }));
  }

  /** A host went down (true) or came up (false). Idempotent. */
  setDown(host: string, isDown: boolean, at: Date = new Date()): void {
    if (isDown === this.down.has(host)) return;
    if (isDown) this.down.add(host);
    else this.down.delete(host);
    if (!isDown) return;
    for (const c of this.clusters) {
      if (c.spec.members.includes(host)) this.record(c, at);
    }
  }

  /**
   * A member of one cluster went down (true) or came back (false) while its host stays up: a Service
   * Fabric node restarting in its upgrade domain. Counted for that cluster only. Idempotent.
   */
  setMemberDown(cluster: string, host: string, isDown: boolean, at: Date = new Date()): void {
    const c = this.clusters.find((x) => x.spec.name === cluster);
    if (!c) throw new InputError(`lab cluster ${cluster} is not tracked`, { field: 'clusters' });
    if (!c.spec.members.includes(host)) throw new InputError(`lab cluster ${cluster} has no member ${host}`, { field: 'clusters' });
    if (isDown === c.membersDown.has(host)) return;
    if (isDown) c.membersDown.add(host);
    else c.membersDown.delete(host);
    if (isDown) this.record(c, at);
  }

  private record(c: Tracked, at: Date): void {
    const n = this.downCount(c);
    if (n > c.maxDownAtOnce) {
      c.maxDownAtOnce = n;
      c.maxDownAt = at.toISOString();
    }
  }

  /**
   * Track a cluster that formed while the lab runs (a Service Fabric cluster a script created), from
   * now on; one already tracked under that name keeps its counts.
   */
  ensure(spec: LabClusterSpec, at: Date = new Date()): void {
    if (this.clusters.some((c) => c.spec.name === spec.name)) return;
    const c: Tracked = { spec: { ...spec, members: [...spec.members] }, maxDownAtOnce: 0, maxDownAt: null, membersDown: new Set<string>() };
    c.maxDownAtOnce = this.downCount(c);
    c.maxDownAt = c.maxDownAtOnce > 0 ? at.toISOString() : null;
    this.clusters.push(c);
  }

  /** Start counting again from now (what is down now counts as the most so far). */
  reset(at: Date = new Date()): void {
    for (const c of this.clusters) {
      c.maxDownAtOnce = this.downCount(c);
      c.maxDownAt = c.maxDownAtOnce > 0 ? at.toISOString() : null;
    }
  }

  status(): LabClusterStatus[] {
    return this.clusters.map((c) => {
      const hasQuorum = CLUSTER_KINDS[c.spec.kind].quorum;
      const tolerance = Math.floor((c.spec.members.length - 1) / 2);
      return {
        name: c.spec.name,
        kind: c.spec.kind,
        members: [...c.spec.members],
        downNow: c.spec.members.filter((m) => this.down.has(m) || c.membersDown.has(m)),
        maxDownAtOnce: c.maxDownAtOnce,
        maxDownAt: c.maxDownAt,
        faultTolerance: hasQuorum ? tolerance : null,
        quorumLost: hasQuorum ? c.maxDownAtOnce > (c.spec.members.length - 1) / 2 : null,
        ...(c.spec.kind === 'gobetween' ? { noneLive: c.maxDownAtOnce >= c.spec.members.length } : {}),
      };
    });
  }

  private downCount(c: Tracked): number {
    return c.spec.members.filter((m) => this.down.has(m) || c.membersDown.has(m)).length;
  }
}

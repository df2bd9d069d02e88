/**
 * What a topology rule is: a pure function from the hosts' roles to findings, with a stable id,
 * a severity and the source it comes from. No I/O; the CLI renders the findings.
 */
import type { HostConfig } from '../types.js';

export type Severity = 'error' | 'warning';

/** The part of a host the topology rules look at. */
export type TopologyHost = Pick<HostConfig, 'name' | 'address' | 'roles' | 'webApps'>;

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  /** Where the rule comes from: the platform's install guide, as docs/topology.md summarises it. */
  source: string;
  /** The hosts concerned (empty when the finding is about the whole topology). */
  hosts: string[];
}

export interface TopologyRule {
  id: string;
  severity: Severity;
  /** One line for docs and --help. */
  summary: string;
  source: string;
  check(hosts: readonly TopologyHost[]): Finding[];
}

export const SOURCES = {
  tiers: 'Cortex install guide, reliability tiers (docs/topology.md, "Reliability tier")',
  servers: 'Cortex install guide: at least 4 servers, 7 recommended (docs/topology.md)',
  db: 'Cortex install guide: one database server (docs/topology.md)',
  lb: 'Cortex install guide: the load balancer is on its own server; gobetween cannot route to itself (docs/topology.md)',
  web: 'Cortex install guide: web servers host the Gateway (with Studio, LiveView) and LivePortal, recommended on separate servers (docs/topology.md)',
  roles: 'cortex-deploy inventories: the groups web, app, db, lb name the server roles (docs/inventory.md)',
} as const;

export function withRole(hosts: readonly TopologyHost[], role: TopologyHost['roles'][number]): TopologyHost[] {
  return hosts.filter((h) => h.roles.includes(role));
}

export function finding(rule: Pick<TopologyRule, 'id' | 'severity' | 'source'>, message: string, hosts: string[] = []): Finding {
  return { id: rule.id, severity: rule.severity, message, source: rule.source, hosts };
}

/** Two hosts are the same server when they share a name or an address (case-insensitive). */
export function sameServer(a: TopologyHost, b: TopologyHost): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() || a.address.toLowerCase() === b.address.toLowerCase();
}

export function names(hosts: readonly TopologyHost[]): string[] {
  return hosts.map((h) => h.name);
}

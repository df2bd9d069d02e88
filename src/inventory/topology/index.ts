/**
 * checkTopology: every topology rule over the inventory's hosts, plus the tier and a role map.
 * RULES is the one list of rule ids (docs/topology.md documents each; a test keeps them in step).
 */
import { appCountMin, appCountOdd, tierFor, type Tier } from './app-cluster.js';
import { dbCount } from './db.js';
import { lbCount, lbNotOnApp, lbOwnServer } from './lb.js';
import { hostHasRole } from './roles.js';
import { serversMin, serversRecommended } from './servers.js';
import { webAppsApart, webGateway, webNoApps } from './web.js';
import { withRole, type Finding, type TopologyHost, type TopologyRule } from './rule.js';

export type { Finding, Severity, TopologyHost, TopologyRule } from './rule.js';
export { tierFor, TIERS, type Tier } from './app-cluster.js';

export const RULES: readonly TopologyRule[] = [
  serversMin,
  serversRecommended,
  appCountMin,
  appCountOdd,
  dbCount,
  lbCount,
  lbNotOnApp,
  lbOwnServer,
  webGateway,
  webAppsApart,
  webNoApps,
  hostHasRole,
];

export interface RoleMapEntry {
  host: string;
  address: string;
  roles: TopologyHost['roles'];
  webApps: TopologyHost['webApps'];
}

export interface TopologyReport {
  /** Errors first, then warnings; within a severity, in RULES order. */
  findings: Finding[];
  tier: Tier | null;
  roleMap: RoleMapEntry[];
}

export function checkTopology(inv: { hosts: readonly TopologyHost[] }): TopologyReport {
  const all = RULES.flatMap((r) => r.check(inv.hosts));
  const findings = [...all.filter((f) => f.severity === 'error'), ...all.filter((f) => f.severity === 'warning')];
  return {
    findings,
    tier: tierFor(withRole(inv.hosts, 'app').length),
    roleMap: inv.hosts.map((h) => ({ host: h.name, address: h.address, roles: [...h.roles], webApps: [...h.webApps] })),
  };
}

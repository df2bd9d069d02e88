/**
 * Application servers form the Service Fabric and RabbitMQ clusters: an odd number, at least 3.
 * The tier follows the count: 3 Bronze, 5 Silver, 7 Gold, 9 or more Platinum (docs/topology.md, "Reliability tier").
 */
import { SOURCES, finding, names, withRole, type TopologyHost, type TopologyRule } from './rule.js';

export const TIERS = [
  { min: 9, name: 'Platinum' },
  { min: 7, name: 'Gold' },
  { min: 5, name: 'Silver' },
  { min: 3, name: 'Bronze' },
] as const;

export type Tier = (typeof TIERS)[number]['name'];

/** Reliability tier for a number of app servers; null below 3 (no supported cluster). */
export function tierFor(appServers: number): Tier | null {
  return TIERS.find((t) => appServers >= t.min)?.name ?? null;
}

export const appCountMin: TopologyRule = {
  id: 'topology.app-count-min',
  severity: 'error',
  summary: 'At least 3 application servers (the smallest Service Fabric cluster, tier Bronze).',
  source: SOURCES.tiers,
  check(hosts: readonly TopologyHost[]) {
    const app = withRole(hosts, 'app');
    if (app.length >= 3) return [];
    return [finding(appCountMin, `${app.length} application server${app.length === 1 ? '' : 's'}; the cluster needs at least 3 (3 Bronze, 5 Silver, 7 Gold, 9 Platinum).`, names(app))];
  },
};

export const appCountOdd: TopologyRule = {
  id: 'topology.app-count-odd',
  severity: 'error',
  summary: 'An odd number of application servers: an even count adds no fault tolerance to either cluster.',
  source: SOURCES.tiers,
  check(hosts: readonly TopologyHost[]) {
    const n = withRole(hosts, 'app').length;
    if (n < 3 || n % 2 === 1) return [];
    return [finding(appCountOdd, `${n} application servers; use an odd number (${n - 1} or ${n + 1}): quorum needs a majority, so ${n} tolerates no more failures than ${n - 1}.`, names(withRole(hosts, 'app')))];
  },
};

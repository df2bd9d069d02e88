/** Server count: fewer than 4 distinct servers is an error, fewer than the recommended 7 a warning. */
import { SOURCES, finding, type TopologyHost, type TopologyRule } from './rule.js';

/** Distinct servers: hosts that share an address are one server. */
export function distinctServers(hosts: readonly TopologyHost[]): number {
  return new Set(hosts.map((h) => h.address.toLowerCase())).size;
}

export const serversMin: TopologyRule = {
  id: 'topology.servers-min',
  severity: 'error',
  summary: 'At least 4 distinct servers.',
  source: SOURCES.servers,
  check(hosts: readonly TopologyHost[]) {
    const n = distinctServers(hosts);
    return n >= 4 ? [] : [finding(serversMin, `${n} distinct server${n === 1 ? '' : 's'}; the platform needs at least 4 (7 recommended).`)];
  },
};

export const serversRecommended: TopologyRule = {
  id: 'topology.servers-recommended',
  severity: 'warning',
  summary: 'Seven servers recommended (2 web, 3 app, 1 db, 1 lb).',
  source: SOURCES.servers,
  check(hosts: readonly TopologyHost[]) {
    const n = distinctServers(hosts);
    return n >= 7 || n < 4 ? [] : [finding(serversRecommended, `${n} distinct servers; 7 are recommended (2 web, 3 app, 1 db, 1 lb).`)];
  },
};

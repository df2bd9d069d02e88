/**
 * The load balancer (gobetween): exactly one, on its own server. On an application server it would
 * have to route to itself, which gobetween cannot do: an error. Sharing with web or db: a warning.
 */
import { SOURCES, finding, names, sameServer, withRole, type TopologyHost, type TopologyRule } from './rule.js';

export const lbCount: TopologyRule = {
  id: 'topology.lb-count',
  severity: 'error',
  summary: 'Exactly one load-balancer server.',
  source: SOURCES.lb,
  check(hosts: readonly TopologyHost[]) {
    const lb = withRole(hosts, 'lb');
    if (lb.length === 1) return [];
    return [finding(lbCount, lb.length === 0 ? 'no load-balancer server: put one host in the lb group.' : `${lb.length} load-balancer servers (${names(lb).join(', ')}); the platform uses exactly one.`, names(lb))];
  },
};

export const lbNotOnApp: TopologyRule = {
  id: 'topology.lb-on-app',
  severity: 'error',
  summary: 'The load balancer does not share a server (name or address) with an application server.',
  source: SOURCES.lb,
  check(hosts: readonly TopologyHost[]) {
    const app = withRole(hosts, 'app');
    return withRole(hosts, 'lb').flatMap((lb) => {
      const shared = app.filter((a) => sameServer(a, lb));
      if (!shared.length) return [];
      return [finding(lbNotOnApp, `load balancer ${lb.name} shares a server with application server ${names(shared).join(', ')}; gobetween cannot route to itself. Give the load balancer its own server.`, [lb.name, ...names(shared).filter((n) => n !== lb.name)])];
    });
  },
};

export const lbOwnServer: TopologyRule = {
  id: 'topology.lb-shared',
  severity: 'warning',
  summary: 'The load balancer is recommended on a server of its own (not with web or db).',
  source: SOURCES.lb,
  check(hosts: readonly TopologyHost[]) {
    const others = hosts.filter((h) => h.roles.some((r) => r === 'web' || r === 'db'));
    return withRole(hosts, 'lb').flatMap((lb) => {
      const shared = others.filter((o) => sameServer(o, lb) && !o.roles.includes('app'));
      if (!shared.length) return [];
      return [finding(lbOwnServer, `load balancer ${lb.name} shares a server with ${shared.map((s) => `${s.name} (${s.roles.filter((r) => r !== 'lb').join(', ')})`).join(', ')}; it is recommended on its own server.`, [lb.name])];
    });
  },
};

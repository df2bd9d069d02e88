/** Every host has a role: a host in no role group (web, app, db, lb) gets nothing installed. */
import { SOURCES, finding, type TopologyHost, type TopologyRule } from './rule.js';

export const hostHasRole: TopologyRule = {
  id: 'topology.host-no-role',
  severity: 'warning',
  summary: 'Every host is in at least one role group (web, app, db, lb).',
  source: SOURCES.roles,
  check(hosts: readonly TopologyHost[]) {
    return hosts
      .filter((h) => h.roles.length === 0)
      .map((h) => finding(hostHasRole, `host ${h.name} is in no role group (web, app, db, lb); nothing will be installed on it.`, [h.name]));
  },
};

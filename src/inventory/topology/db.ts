/** Exactly one database server (SQL Server). */
import { SOURCES, finding, names, withRole, type TopologyHost, type TopologyRule } from './rule.js';

export const dbCount: TopologyRule = {
  id: 'topology.db-count',
  severity: 'error',
  summary: 'Exactly one database server.',
  source: SOURCES.db,
  check(hosts: readonly TopologyHost[]) {
    const db = withRole(hosts, 'db');
    if (db.length === 1) return [];
    return [finding(dbCount, db.length === 0 ? 'no database server: put one host in the db group.' : `${db.length} database servers (${names(db).join(', ')}); the platform uses exactly one.`, names(db))];
  },
};

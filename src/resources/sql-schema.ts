/**
 * sql_schema: the Cortex database at a schema version (docs/database.md). The version is recorded in the
 * database itself (table dbo.CortexSchemaVersion), so a re-run reads one row instead of guessing from the
 * schema. The Test connects with Integrated Security (the deploy account needs a SQL login) and reads
 * the SQL Server service's state, whether the database exists and its highest recorded version; the Set
 * creates the database when missing, then runs the script (split into batches on GO lines) and records
 * the version in one transaction. Moving to a lower version is refused: scripts only go forward.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError } from './resource.js';

export const SCHEMA_VERSION_TABLE = 'dbo.CortexSchemaVersion';

const SchemaVersion = z.string().regex(/^\d{1,9}(\.\d{1,9}){1,3}$/, { message: 'a dotted version like "1.0.0"' });

export const SqlSchemaParams = z.strictObject({
  instance: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/, { message: 'an instance name: MSSQLSERVER (the default instance) or a named one like CORTEX' }).default('MSSQLSERVER'),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'letters, digits and _ (starting with a letter or _)' }),
  version: SchemaVersion.meta({ description: 'The schema version the script brings the database to' }),
  script: WindowsPath.meta({ description: 'The .sql script on the host (staged by an earlier file or archive step)' }),
  timeoutSec: z.number().int().min(1).max(86_400).default(600).meta({ description: 'Seconds each batch may run' }),
});

export const SqlSchemaState = z.object({
  /** The instance's service (MSSQLSERVER, or MSSQL$<NAME>): absent, or its state lower-cased. */
  service: z.string(),
  /** Whether the database exists (null when the instance could not be asked). */
  databaseExists: z.boolean().nullable(),
  /** The highest version recorded in dbo.CortexSchemaVersion; null without the table or a row. */
  version: z.string().nullable(),
});

/** The Windows service of an instance: MSSQLSERVER for the default one, MSSQL$NAME for a named one. */
export function sqlServiceName(instance: string): string {
  return instance.toUpperCase() === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${instance}`;
}

/** Dotted versions compared part by part, numerically (1.10.0 > 1.9.0); missing parts are 0. */
export function compareSchemaVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export const sqlSchemaResource = defineResource({
  type: 'sql_schema',
  description: 'A database at a schema version, recorded in dbo.CortexSchemaVersion',
  params: SqlSchemaParams,
  state: SqlSchemaState,
  label: (p) => `sql_schema ${p.database} ${p.version}`,
  diff(p, s) {
    const svc = sqlServiceName(p.instance);
    if (s.service === 'absent') throw new UnreachableStateError(`SQL Server instance ${p.instance} is not installed on the host (no service ${svc}); install it, or fix the step's instance`);
    if (s.service !== 'running') throw new UnreachableStateError(`SQL Server instance ${p.instance} is not running (service ${svc} is ${s.service}); start it and run again`);
    if (s.databaseExists !== true) return { action: 'create', from: null, to: { database: p.database, version: p.version } };
    if (s.version === null) return { action: 'update', from: { version: null }, to: { version: p.version } };
    const c = compareSchemaVersions(s.version, p.version);
    if (c === 0) return NONE;
    if (c > 0) throw new UnreachableStateError(`database ${p.database} is at schema version ${s.version}, newer than ${p.version}: a downgrade is refused; restore a backup to go back`);
    return { action: 'update', from: { version: s.version }, to: { version: p.version } };
  },
});

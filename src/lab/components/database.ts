/**
 * SQL Server databases on a lab machine (docs/database.md): the instances of the profile's `sql`, their
 * services, the databases in `sqlDatabases` with the rows of dbo.CortexSchemaVersion, and what the
 * Cortex database scripts do. The lab runs no SQL: it knows the Cortex scripts by their text
 * (src/lab/artifacts/components/cortex-database.ts) and refuses any other script as not emulated.
 * Pure functions over a machine; the sql_schema model and the shim's SQL seams are built on them.
 */
import { compareSchemaVersions, sqlServiceName } from '../../resources/sql-schema.js';
import { CORTEX_DB_SCRIPTS, type CortexDbScript } from '../artifacts/components/cortex-database.js';
import { sha256Hex } from '../artifacts/catalog.js';
import type { LabMachine } from '../state/types.js';

export type SqlDatabase = LabMachine['sqlDatabases'][number];

/** Split-CortexSqlBatch (ps1/lib/sql.ps1): GO alone on a line ends a batch; blank batches dropped. */
export function splitSqlBatches(text: string): string[] {
  const batches: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const b = current.join('\n');
    if (b.trim()) batches.push(b.trimEnd());
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*GO\s*(--.*)?$/i.test(line)) flush();
    else current.push(line);
  }
  flush();
  return batches;
}

/** A Cortex database script the lab knows, by the SHA-256 of its file (UTF-8, as extracted), or undefined. */
export function knownDbScript(sha256: string): CortexDbScript | undefined {
  return CORTEX_DB_SCRIPTS.find((s) => sha256Hex(Buffer.from(s.text, 'utf8')) === sha256.toLowerCase());
}

/** The instance's service state as Get-Service shows it (lower case, start_pending style), or 'absent'. */
export function sqlServiceState(m: LabMachine, instance: string): string {
  const name = sqlServiceName(instance).toLowerCase();
  const svc = m.services.find((s) => s.name.toLowerCase() === name);
  return svc ? svc.state.replace(/(?<=[a-z])([A-Z])/g, '_$1').toLowerCase() : 'absent';
}

/** The instance as the profile's `sql` lists it; a running service without one is a profile the lab cannot answer for. */
export function sqlInstanceKnown(m: LabMachine, instance: string): boolean {
  return m.sql.some((s) => s.instance.toLowerCase() === instance.toLowerCase());
}

export function findDatabase(m: LabMachine, instance: string, name: string): SqlDatabase | undefined {
  return m.sqlDatabases.find((d) => d.instance.toLowerCase() === instance.toLowerCase() && d.name.toLowerCase() === name.toLowerCase());
}

/** The highest recorded version (Get-CortexSqlHighestVersion), or null. */
export function highestVersion(versions: readonly string[]): string | null {
  let best: string | null = null;
  for (const v of versions) if (best === null || compareSchemaVersions(v, best) > 0) best = v;
  return best;
}

/**
 * Why the script cannot run on the database as it is (the lab's words; the real script would fail in its
 * first batch), or null. The Cortex scripts start from a known version: null, an empty database.
 */
export function scriptRefusal(script: CortexDbScript, db: SqlDatabase | undefined): string | null {
  const at = db ? highestVersion(db.schemaVersions) : null;
  if (script.from === at) return null;
  return `the lab's Cortex database script ${script.fileName} starts from ${script.from === null ? 'an empty database' : `schema version ${script.from}`}, and the database is ${at === null ? (db ? 'without a recorded version' : 'new') : `at ${at}`}`;
}

/** Creates the database when missing and records the version (what Invoke-CortexSqlSchemaScript commits). */
export function recordSchemaVersion(m: LabMachine, instance: string, name: string, version: string): void {
  let db = findDatabase(m, instance, name);
  if (!db) {
    db = { instance, name, schemaVersions: [] };
    m.sqlDatabases.push(db);
  }
  db.schemaVersions.push(version);
}

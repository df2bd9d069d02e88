/**
 * sql_schema: the Test (ps1/lib/sql.ps1's Get-CortexSqlSchemaState) and the Set (ps1/resources/sql-schema.ps1)
 * on the machine's SQL Server model (src/lab/components/database.ts), with the script's refusals: an
 * instance not installed or not running, a downgrade, a script that is not there; a script the lab does
 * not know is not emulated.
 */
import { compareSchemaVersions, sqlServiceName } from '../../../resources/sql-schema.js';
import { findDatabase, highestVersion, knownDbScript, recordSchemaVersion, scriptRefusal, splitSqlBatches, sqlInstanceKnown, sqlServiceState } from '../../components/database.js';
import type { LabMachine } from '../../state/types.js';
import { findFile, notEmulated, testPath } from './files.js';
import { stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'sql_schema';

function readState(m: LabMachine, instance: string, database: string) {
  const service = sqlServiceState(m, instance);
  if (service !== 'running') return { service, databaseExists: null, version: null };
  if (!sqlInstanceKnown(m, instance)) throw notEmulated(`SQL Server instance ${instance}: its service runs but the profile's sql lists no such instance`);
  const db = findDatabase(m, instance, database);
  return { service, databaseExists: db !== undefined, version: db ? highestVersion(db.schemaVersions) : null };
}

export const sqlSchemaModel = defineResourceModel({
  type: 'sql_schema',
  read: ({ machine, params }) => readState(machine, stringParam(params, R, 'instance', { default: 'MSSQLSERVER' }), stringParam(params, R, 'database', { required: true })),
  set: ({ machine, params }) => {
    const instance = stringParam(params, R, 'instance', { default: 'MSSQLSERVER' });
    const database = stringParam(params, R, 'database', { required: true });
    const version = stringParam(params, R, 'version', { required: true });
    const script = stringParam(params, R, 'script', { required: true });
    if (!/^\d{1,9}(\.\d{1,9}){1,3}$/.test(version)) throw new LabResourceError(`${R}: parameter version must be a dotted version like 1.0.0, not ${version}`);
    const state = readState(machine, instance, database);
    const service = sqlServiceName(instance);
    if (state.service === 'absent') throw new LabResourceError(`${R}: SQL Server instance ${instance} is not installed on this host (no service ${service})`);
    if (state.service !== 'running') throw new LabResourceError(`${R}: SQL Server instance ${instance} is not running (service ${service} is ${state.service}); start it and run again`);
    if (state.version !== null) {
      const order = compareSchemaVersions(state.version, version);
      if (order === 0) return setResult(`${database} is already at schema version ${version}`);
      if (order > 0) throw new LabResourceError(`${R}: database ${database} is at schema version ${state.version}, newer than ${version}: a downgrade is refused`);
    }
    if (!testPath(machine, script, 'Leaf')) throw new LabResourceError(`${R}: the script ${script} does not exist; stage it in an earlier step`);
    const file = findFile(machine, script)!;
    const known = knownDbScript(file.sha256);
    if (!known) throw notEmulated(`running the SQL script ${script} (SHA-256 ${file.sha256}), which is not one of the lab's Cortex database scripts`);
    const batches = splitSqlBatches(known.text).length;
    const refusal = scriptRefusal(known, findDatabase(machine, instance, database));
    if (refusal !== null) throw new LabResourceError(`batch 1 of ${batches} failed and nothing was kept: ${refusal}`);
    recordSchemaVersion(machine, instance, database, version);
    const from = state.version !== null ? `version ${state.version}` : state.databaseExists ? 'no recorded version' : 'a new database';
    return setResult(`${database}: schema version ${version} from ${from} (${batches} batches)`);
  },
});

// Models ps1/resources/sql-schema.ps1: a Cortex database script run on a local SQL Server instance, its version recorded.
// The effect is the sql_schema model's Set (./resources/sql-schema.ts, over src/lab/components/database.ts),
// held to the script by test/lab/differential/lb-db.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesSqlSchema = resourceSetHandler('sql_schema');

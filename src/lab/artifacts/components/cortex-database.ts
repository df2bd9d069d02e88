/**
 * The Cortex database scripts (docs/database.md), as a zip of .sql files per release: the lab knows each
 * script by its text (so by the SHA-256 of the extracted file) and what it needs and does — the
 * sql_schema model (src/lab/components/database.ts) runs only these. The Cortex product is proprietary:
 * these stand in for its real scripts (UNCONFIRMED: the real artifact's name and layout).
 */
import type { ComponentArtifacts } from './types.js';

export interface CortexDbScript {
  /** The schema version the script brings the database to. */
  version: string;
  /** The version it must start from; null: an empty database. */
  from: string | null;
  fileName: string;
  text: string;
}

/** The scripts, oldest first. CRLF line ends, as SQL files from Windows tools have. */
export const CORTEX_DB_SCRIPTS: CortexDbScript[] = [
  {
    version: '1.0.0',
    from: null,
    fileName: 'CortexDb-1.0.0.sql',
    text: [
      '-- Cortex database 1.0.0 (lab synthetic)',
      'CREATE TABLE dbo.Flow (Id uniqueidentifier NOT NULL PRIMARY KEY, Name nvarchar(200) NOT NULL, CreatedUtc datetime2 NOT NULL)',
      'GO',
      'CREATE TABLE dbo.FlowRun (Id bigint IDENTITY NOT NULL PRIMARY KEY, FlowId uniqueidentifier NOT NULL REFERENCES dbo.Flow (Id), StartedUtc datetime2 NOT NULL)',
      'GO',
      'CREATE INDEX IX_FlowRun_FlowId ON dbo.FlowRun (FlowId)',
      'GO',
      '',
    ].join('\r\n'),
  },
  {
    version: '1.1.0',
    from: '1.0.0',
    fileName: 'CortexDb-1.1.0.sql',
    text: ['-- Cortex database 1.1.0 (lab synthetic): upgrade from 1.0.0', 'ALTER TABLE dbo.FlowRun ADD EndedUtc datetime2 NULL', 'GO', ''].join('\r\n'),
  },
];

function databaseZip(version: string) {
  const scripts = CORTEX_DB_SCRIPTS.filter((s) => s.version.localeCompare(version, 'en', { numeric: true }) <= 0);
  return {
    id: `cortex-database-${version}`,
    fileName: `cortex-database-${version}.zip`,
    artifact: { name: 'cortexDatabase', version },
    entries: Object.fromEntries(scripts.map((s) => [s.fileName, s.text])),
  };
}

export const cortexDatabaseArtifacts: ComponentArtifacts = { archives: [databaseZip('1.0.0'), databaseZip('1.1.0')] };

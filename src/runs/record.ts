/**
 * The run record (docs/runs.md): .cortex/runs/<id>/run.json, beside the run's log.jsonl. Written when a
 * command that runs on hosts has resolved its secrets (so the command line is stored redacted), and
 * rewritten once when the run ends, with its summary and each host's result. `runs list` and
 * `runs show` read it; apply runs are read from their journal instead (src/engine/run/journal.ts).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { redact, redactDeep } from '../secrets/registry.js';
import { toolVersion } from '../version.js';

export const RUN_RECORD_FILE = 'run.json';

const detailSchema = z.object({ id: z.string(), status: z.string(), message: z.string() });

export const runRecordSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  command: z.string(),
  /** The command line as typed (argv after the program), secrets redacted. */
  commandLine: z.array(z.string()),
  cwd: z.string(),
  inventory: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  operator: z.string(),
  toolVersion: z.string(),
  hosts: z.array(z.string()),
  status: z.enum(['running', 'finished', 'interrupted']),
  exitCode: z.number().optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
  /** exec: the PowerShell text it ran, secrets redacted. */
  script: z.string().optional(),
  /** Per host: its status and the findings (preflight, all but pass) or results (exec) worth showing. */
  results: z.array(z.object({ host: z.string(), status: z.string(), details: z.array(detailSchema) })).optional(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunResult = NonNullable<RunRecord['results']>[number];

export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export interface RunStart {
  runId: string;
  command: string;
  commandLine: readonly string[];
  inventory: string;
  hosts: readonly string[];
  startedAt?: Date;
  script?: string;
}

export function startRecord(s: RunStart): RunRecord {
  return {
    version: 1,
    runId: s.runId,
    command: s.command,
    commandLine: s.commandLine.map(redact),
    cwd: process.cwd(),
    inventory: s.inventory,
    startedAt: (s.startedAt ?? new Date()).toISOString(),
    operator: operatorName(),
    toolVersion: toolVersion(),
    hosts: [...s.hosts],
    status: 'running',
    ...(s.script !== undefined ? { script: redact(s.script) } : {}),
  };
}

export function finishRecord(r: RunRecord, end: { exitCode: number; interrupted: boolean; summary: object; results: RunResult[]; at?: Date }): RunRecord {
  return { ...r, status: end.interrupted ? 'interrupted' : 'finished', finishedAt: (end.at ?? new Date()).toISOString(), exitCode: end.exitCode, summary: { ...end.summary }, results: end.results };
}

/** Write the record (whole or not at all: a temporary file renamed over it). */
export function writeRecord(runDir: string, r: RunRecord): void {
  const path = join(runDir, RUN_RECORD_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(redactDeep(r), null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * What every command that runs on hosts does first (exec, preflight): check --forks and --timeout,
 * load the inventory, select the hosts, open the run log, warn loudly — on every run — about hosts
 * whose TLS certificate is not verified, and resolve every host's secrets (prompting once, up front)
 * into connection settings before any host is touched.
 */
import pc from 'picocolors';
import { InputError } from '../errors.js';
// The loader alone: inventory/index.js also brings the topology rules, `inventory check` and the JSON Schema.
import { loadInventory } from '../inventory/loader.js';
import type { Inventory, HostConfig } from '../inventory/types.js';
import { join } from 'node:path';
import { createRunLogger, newRunId } from '../log/index.js';
import { insecureTlsWarning, resolveConnections } from '../connection/settings.js';
import { selectHosts } from './limit.js';
import { checkForks } from '../lifecycle/fan-out.js';
import { finishRecord, startRecord, writeRecord, type RunRecord, type RunResult } from '../runs/record.js';

export interface HostRunArgs {
  inventory: string;
  limit?: string | undefined;
  forks: number;
  timeout: number;
  verbose?: boolean | undefined;
}

export interface HostRunIo {
  stderr: { write(s: string): unknown };
  color: boolean;
  /** Where run logs go; null: none; undefined: the default under .cortex/runs/. */
  runDir?: string | null;
  /** Folder whose .cortex/runs/ gets the run folder when runDir is undefined (default: the current directory). */
  root?: string;
  /** The command line recorded for `runs show` (default: this process's arguments). */
  commandLine?: readonly string[];
}

/** What a command tells the run record when it ends (the record is in the run folder: docs/runs.md). */
export interface RunEnd {
  exitCode: number;
  interrupted: boolean;
  summary: object;
  results: RunResult[];
}

export async function prepareHostRun(args: HostRunArgs, io: HostRunIo, command: string, extra: { script?: string } = {}) {
  checkForks(args.forks);
  if (!(args.timeout > 0)) throw new InputError(`--timeout must be a positive number of seconds, not ${args.timeout}`, { field: '--timeout' });
  const inventory: Inventory = await loadInventory(args.inventory);
  const hosts: HostConfig[] = selectHosts(inventory, args.limit);
  const runId = newRunId();
  const runDir = io.runDir !== undefined ? io.runDir : io.root !== undefined ? join(io.root, '.cortex', 'runs', runId) : undefined;
  const run = createRunLogger({ runId, verbose: args.verbose === true, runDir, terminal: io.stderr as NodeJS.WritableStream, color: io.color });
  const log = run.logger.child({ command });
  const c = pc.createColors(io.color);
  for (const h of hosts) {
    const warning = insecureTlsWarning(h);
    if (!warning) continue;
    io.stderr.write(`${c.red(c.bold(warning))}\n`);
    // In the run log too: whoever reads it later must know this host's identity was not verified.
    log.warn({ host: h.name, tlsInsecure: true }, warning);
  }
  const connections = await resolveConnections(inventory, hosts);
  // Written after the secrets are resolved (and so registered): the stored command line is redacted.
  let record: RunRecord | null = null;
  if (run.runDir) {
    record = startRecord({ runId: run.runId, command, commandLine: io.commandLine ?? process.argv.slice(2), inventory: inventory.file, hosts: hosts.map((h) => h.name), ...extra });
    writeRecord(run.runDir, record);
    io.stderr.write(`run ${run.runId} (log: ${run.runDir})\n`);
  }
  const finish = (end: RunEnd): void => {
    if (!record || !run.runDir) return;
    try {
      writeRecord(run.runDir, finishRecord(record, end));
    } catch (err) {
      // The run itself is done; a record that cannot be written must not change its outcome.
      log.warn({ err }, 'cannot write the run record');
    }
  };
  return { inventory, hosts, run, log, connections, record, finish };
}

/**
 * What every command that runs on hosts does first (exec, preflight): check --forks and --timeout,
 * load the inventory, select the hosts, open the run log, warn loudly — on every run — about hosts
 * whose TLS certificate is not verified, and resolve every host's secrets (prompting once, up front)
 * into connection settings before any host is touched.
 */
import pc from 'picocolors';
import { InputError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import type { Inventory, HostConfig } from '../inventory/types.js';
import { createRunLogger } from '../log/index.js';
import { insecureTlsWarning, resolveConnections } from '../connection/settings.js';
import { selectHosts } from './limit.js';
import { checkForks } from '../lifecycle/fan-out.js';

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
}

export async function prepareHostRun(args: HostRunArgs, io: HostRunIo, command: string) {
  checkForks(args.forks);
  if (!(args.timeout > 0)) throw new InputError(`--timeout must be a positive number of seconds, not ${args.timeout}`, { field: '--timeout' });
  const inventory: Inventory = await loadInventory(args.inventory);
  const hosts: HostConfig[] = selectHosts(inventory, args.limit);
  const run = createRunLogger({ verbose: args.verbose === true, runDir: io.runDir === undefined ? undefined : io.runDir, terminal: io.stderr as NodeJS.WritableStream, color: io.color });
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
  return { inventory, hosts, run, log, connections };
}

/**
 * What `plan` and `apply` share: the playbook chosen (--playbook, default playbooks/cortex.yaml in the
 * current folder: docs/playbooks.md, "Running a playbook"), loaded against the inventory; the hosts
 * both the playbook targets and --limit selects; the digests of the input files a saved plan and the
 * journal record; and the common options of both commands.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { DEFAULT_ARTIFACT_STORE, loadPlaybook } from '../engine/playbook/loader.js';
import { drainHostsOf, stepsOf, type Playbook } from '../engine/playbook/types.js';
import { paramsDigest, type PlanInputs } from '../engine/plan/saved-plan.js';
import type { HostConfig, Inventory } from '../inventory/types.js';
import { DEFAULT_FORKS } from '../lifecycle/fan-out.js';

export const DEFAULT_PLAYBOOK = 'playbooks/cortex.yaml';
/** Seconds each Test batch or probe may take (a Set's limit is its step's `timeout`). */
export const DEFAULT_SCRIPT_TIMEOUT_S = 300;

export interface PlaybookRunArgs {
  inventory: string;
  playbook?: string | undefined;
  limit?: string | undefined;
  forks: number;
  timeout: number;
  json: boolean;
  verbose?: boolean | undefined;
  acceptNewHostKeys?: boolean | undefined;
  /** The artifact store the playbook's artifacts.* templates read (default: ./artifacts). */
  store?: string | undefined;
}

export async function loadRunPlaybook(file: string | undefined, inventory: Inventory, store?: string): Promise<Playbook> {
  const path = resolve(file ?? DEFAULT_PLAYBOOK);
  if (file === undefined && !existsSync(path)) {
    throw new InputError(`no playbook given and ${DEFAULT_PLAYBOOK} is not in the current folder.`, { field: '--playbook', hint: 'Name one with -p FILE, e.g. -p playbooks/cortex.yaml (docs/playbooks.md).' });
  }
  return loadPlaybook(path, inventory, { store });
}

/** The selected hosts the playbook has steps for, in inventory order. */
export function playbookHosts(pb: Playbook, selected: readonly HostConfig[]): HostConfig[] {
  // A phase's drain runs on hosts no step targets (the load balancer): they are in the run too.
  const targeted = new Set([...[...stepsOf(pb), ...Object.values(pb.handlers)].flatMap((s) => s.runOnceOf ?? s.hosts), ...drainHostsOf(pb)]);
  return selected.filter((h) => targeted.has(h.name));
}

function fileText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // An inventory folder (Ansible's layout) has no one text: its path stands for it.
    return `folder:${path}`;
  }
}

export function inputsOf(pb: Playbook, inv: Inventory, store?: string): PlanInputs & { playbookText: string; inventoryText: string } {
  const playbookText = fileText(pb.file);
  const inventoryText = fileText(inv.file);
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  let params: { sha256: string } | undefined;
  return {
    playbook: { file: pb.file, sha256: sha(playbookText) },
    inventory: { file: inv.file, sha256: sha(inventoryText) },
    // Only a saved plan and its drift check read it: every step's parameters on every host (~0.1 s at 1,000 hosts).
    get params() {
      return (params ??= { sha256: paramsDigest(pb) });
    },
    store: resolve(store ?? DEFAULT_ARTIFACT_STORE),
    playbookText,
    inventoryText,
  };
}

/** Options of plan and apply alike. */
export function playbookRunOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('inventory', { alias: 'i', type: 'string', describe: 'Inventory file (YAML, or an Ansible INI/directory inventory)' })
    .option('playbook', { alias: 'p', type: 'string', describe: `Playbook file (default: ${DEFAULT_PLAYBOOK} in the current folder)` })
    .option('limit', { type: 'string', describe: 'Hosts, groups or globs (app*, !db1, &web)' })
    .option('store', { type: 'string', describe: `Artifact store the playbook's artifacts.* read (default: ${DEFAULT_ARTIFACT_STORE} in the current folder, as artifacts add)` })
    .option('forks', { type: 'number', default: DEFAULT_FORKS, describe: 'Hosts worked on at once (docs/hosts.md)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the JSON document on stdout (nothing else there)' })
    .option('timeout', { type: 'number', default: DEFAULT_SCRIPT_TIMEOUT_S, describe: 'Seconds each Test batch or probe may take (a step\'s own timeout bounds its change)' })
    .option('accept-new-host-keys', { type: 'boolean', default: false, describe: 'SSH: trust host keys seen for the first time and record them' }) as Argv<T>;
}

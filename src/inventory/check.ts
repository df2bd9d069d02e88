/**
 * `inventory check` as data: load the file, run the topology rules and the secret-reference check,
 * and return the document `--json` prints. The CLI only renders it.
 */
import { CortexError, InputError } from '../errors.js';
import { redactDeep } from '../secrets/registry.js';
import { loadInventory } from './loader.js';
import { InventoryError, formatProblem } from './problems.js';
import { checkSecretReferences } from './secret-check.js';
import { checkConnectionSettings } from './connection-check.js';
import { checkKerberosSupport, kerberosSupportHere } from './auth-check.js';
import { checkTopology, type Finding, type Tier } from './topology/index.js';
import type { Inventory, Role, SourcePosition, Transport, WebApp } from './types.js';
import { ANSIBLE_EQUIVALENTS } from './ansible-keys.js';

export const INVENTORY_INVALID = 'inventory.invalid';
export const ANSIBLE_IGNORED = 'inventory.ansible-ignored';
export const WAIVER_EXPIRED = 'inventory.waiver-expired';

export interface CheckFinding extends Omit<Finding, 'severity'> {
  /** info: worth knowing, changes nothing (ansible_* settings that are ignored). */
  severity: Finding['severity'] | 'info';
  /** Set for problems in the file itself (inventory.invalid). */
  position?: SourcePosition;
  field?: string;
}

export interface InventoryCheckDocument {
  file: string;
  /** False when the file could not be loaded or an error finding exists. */
  valid: boolean;
  tier: Tier | null;
  findings: CheckFinding[];
  hosts: Array<{ name: string; address: string; roles: Role[]; webApps: WebApp[]; transport: Transport }>;
}

/** `today`: the UTC day waivers' expiry is compared with (YYYY-MM-DD; tests pin it). */
export async function checkInventoryFile(file: string, env: NodeJS.ProcessEnv = process.env, today: string = new Date().toISOString().slice(0, 10)): Promise<InventoryCheckDocument> {
  try {
    const inv = await loadInventory(file);
    const topo = checkTopology(inv);
    const findings: CheckFinding[] = [...topo.findings.filter((f) => f.severity === 'error'), ...topo.findings.filter((f) => f.severity === 'warning'), ...checkConnectionSettings(inv.hosts), ...checkKerberosSupport(inv.hosts, () => kerberosSupportHere(env)), ...checkSecretReferences(inv, env), ...expiredWaivers(inv, today), ...ignoredAnsible(inv)];
    return redactDeep({
      file,
      valid: !findings.some((f) => f.severity === 'error'),
      tier: topo.tier,
      findings,
      hosts: inv.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles, webApps: h.webApps, transport: h.transport })),
    });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const findings: CheckFinding[] =
      err instanceof InventoryError
        ? err.problems.map((p) => ({ id: INVENTORY_INVALID, severity: 'error', message: formatProblem(p), source: 'docs/inventory.md', hosts: [], position: p.position, field: p.field }))
        : [{ id: INVENTORY_INVALID, severity: 'error', message: (err as CortexError).message, source: 'docs/inventory.md', hosts: [] }];
    return redactDeep({ file, valid: false, tier: null, findings, hosts: [] });
  }
}

const at = (p: SourcePosition) => `${p.file}:${p.line}:${p.col}`;

/** A waiver past its expiry no longer applies: its finding counts again at the next preflight. */
export function expiredWaivers(inv: Pick<Inventory, 'waivers'>, today: string): CheckFinding[] {
  return (inv.waivers ?? [])
    .filter((w) => w.expires !== null && today > w.expires)
    .map((w) => ({
      id: WAIVER_EXPIRED,
      severity: 'warning',
      message: `${at(w.position)}: the waiver of ${w.check} expired on ${w.expires} ("${w.reason}"); preflight counts that check again. Fix the finding, or renew the waiver with a new expires date.`,
      source: 'docs/preflight.md (Waivers)',
      hosts: w.hosts,
      position: w.position,
      field: 'waivers',
    }));
}

/** Other tools' ansible_* settings: accepted, ignored, listed once so nobody believes they act. */
export function ignoredAnsible(inv: Pick<Inventory, 'ignoredAnsible'>): CheckFinding[] {
  const keys = inv.ignoredAnsible ?? [];
  if (keys.length === 0) return [];
  const described = keys.map((k) => {
    const instead = ANSIBLE_EQUIVALENTS[k.key.toLowerCase()];
    return `${k.key} (${at(k.position)}${instead ? `; cortex-deploy uses ${instead}` : ''})`;
  });
  return [{ id: ANSIBLE_IGNORED, severity: 'info', message: `ignored Ansible settings cortex-deploy does not use: ${described.join(', ')}.`, source: 'docs/inventory.md (Coming from Ansible)', hosts: [] }];
}

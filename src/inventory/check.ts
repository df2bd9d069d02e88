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
import type { Role, SourcePosition, Transport, WebApp } from './types.js';

export const INVENTORY_INVALID = 'inventory.invalid';

export interface CheckFinding extends Finding {
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

export async function checkInventoryFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<InventoryCheckDocument> {
  try {
    const inv = await loadInventory(file);
    const topo = checkTopology(inv);
    const findings: CheckFinding[] = [...topo.findings.filter((f) => f.severity === 'error'), ...topo.findings.filter((f) => f.severity === 'warning'), ...checkConnectionSettings(inv.hosts), ...checkKerberosSupport(inv.hosts, () => kerberosSupportHere(env)), ...checkSecretReferences(inv, env)];
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

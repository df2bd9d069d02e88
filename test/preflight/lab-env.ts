/**
 * Start a lab in this process from an inventory (each host's `lab:` vars, its winrm account), for the
 * end-to-end preflight tests and the benchmark. The lab's own `lab up` does the same for users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { labHostsFromInventory } from '../../src/lab/profile/from-inventory.js';
import type { Inventory } from '../../src/inventory/types.js';

/** The documented lab password; the fixtures' inventories read it from CORTEX_LAB_PASSWORD. */
export const LAB_PASSWORD = 'CortexLab!2026';

export async function startTestLab(inv: Inventory): Promise<{ lab: RunningLab; stop: () => Promise<void> }> {
  process.env.CORTEX_LAB_PASSWORD = LAB_PASSWORD;
  const stateDir = mkdtempSync(join(tmpdir(), 'cortex-preflight-lab-'));
  const { hosts } = await labHostsFromInventory(inv);
  const lab = await startLab({ hosts: hosts.map((h) => ({ ...h, https: false })), stateDir });
  return {
    lab,
    stop: async () => {
      await lab.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

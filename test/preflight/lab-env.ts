/**
 * Start a lab in this process from an inventory (each host's `lab:` vars, its winrm account), for the
 * end-to-end preflight tests and the benchmark. The lab's own `lab up` does the same for users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type RunningLab, type LabHostSpec } from '../../src/lab/lab.js';
import { resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import type { Inventory } from '../../src/inventory/types.js';

export const LAB_PASSWORD = 'CortexLab!2026';

export function labSpecs(inv: Inventory, password: string): LabHostSpec[] {
  return inv.hosts.map((h) => {
    const [domain, user] = (h.winrm.user ?? 'LAB\\cortex').includes('\\') ? (h.winrm.user as string).split('\\', 2) : ['LAB', h.winrm.user as string];
    return {
      name: h.name,
      address: h.address,
      transport: 'winrm' as const,
      users: [{ domain: domain as string, user: user as string, password }],
      profile: resolveProfileOrThrow(h.lab ?? {}, { host: h.name, labPath: h.labPath, positionOf: inv.positionOf, position: h.position }),
      https: false,
    };
  });
}

export async function startTestLab(inv: Inventory): Promise<{ lab: RunningLab; stop: () => Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cortex-preflight-lab-'));
  const lab = await startLab({ hosts: labSpecs(inv, LAB_PASSWORD), stateDir });
  return {
    lab,
    stop: async () => {
      await lab.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

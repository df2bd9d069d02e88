/**
 * A lab for one of the mixed WinRM + SSH inventories of test/fixtures/ssh/: the fixture is copied into
 * a fresh folder (its relative key and known_hosts paths then point at that folder's lab state), its
 * `user: root` becomes the account running the test, and its hosts move into the calling test file's
 * loopback block (test/helpers/loopback.ts), so files never share addresses.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { loadInventory } from '../../../src/inventory/index.js';
import { startLab, type RunningLab } from '../../../src/lab/lab.js';
import { labHostsFromInventory } from '../../../src/lab/profile/from-inventory.js';
import type { LoopbackBlock } from '../../helpers/loopback.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures/ssh');
export const LAB_PASSWORD = 'CortexLab!2026';
process.env.CORTEX_LAB_PASSWORD = LAB_PASSWORD;

export interface MixedLab {
  dir: string;
  file: string;
  lab: RunningLab;
  stop(): Promise<void>;
}

export async function labFor(fixture: string, block: LoopbackBlock): Promise<MixedLab> {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-ssh-e2e-'));
  const file = join(dir, 'inventory.yaml');
  copyFileSync(join(fixtures, fixture), file);
  let text = readFileSync(file, 'utf8').replace('user: root', `user: ${userInfo().username}`);
  text = text.replace(/127\.0\.7\d\./g, block.prefix);
  writeFileSync(file, text);
  const { hosts } = await labHostsFromInventory(await loadInventory(file));
  const lab = await startLab({ hosts: hosts.map((h) => ({ ...h, https: false })), stateDir: join(dir, 'lab-state') });
  return {
    dir,
    file,
    lab,
    stop: async () => {
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sink() {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text, isTTY: false, columns: 100 };
}

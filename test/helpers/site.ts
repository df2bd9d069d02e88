/** A site for a test: a new temp folder with an inventory in it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder named from `prefix` with `yaml` written to site.yaml in it: the folder and the file's path. */
export function tempInventory(prefix: string, yaml: string): { dir: string; inventory: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const inventory = join(dir, 'site.yaml');
  writeFileSync(inventory, yaml);
  return { dir, inventory };
}

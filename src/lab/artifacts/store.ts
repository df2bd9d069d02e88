/**
 * The lab's artifact store (docs/lab.md, "The lab's artifact store"): the synthetic entries that stand
 * for a store artifact (`artifact: {name, version}`, src/lab/artifacts/components/) are the versions the
 * lab supports (`lab versions`), and `lab artifacts` writes their files into a store through `artifacts
 * add` itself, so the manifest is exactly what a user's own store would hold and `apply` on a lab needs
 * nothing downloaded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addArtifact, type AddResult } from '../../artifacts/store.js';
import { PRODUCT_ARTIFACTS } from '../../engine/playbook/site-data.js';
import { artifactBytes, labCatalog, type ArtifactCatalog, type SyntheticArtifact } from './catalog.js';

type StoreArtifact = SyntheticArtifact & { artifact: { name: string; version: string } };

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The synthetic entries that stand for store artifacts, by name then version (oldest first). */
export function storeArtifacts(catalog: ArtifactCatalog = labCatalog()): StoreArtifact[] {
  return [...catalog.byId.values()]
    .filter((a): a is StoreArtifact => a.artifact !== undefined)
    .sort((a, b) => collator.compare(a.artifact.name, b.artifact.name) || collator.compare(a.artifact.version, b.artifact.version));
}

/** `lab versions --json`: { component: [versions the lab supports, oldest first] }. */
export function labVersions(catalog: ArtifactCatalog = labCatalog()): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of storeArtifacts(catalog)) {
    const list = (out[a.artifact.name] ??= []);
    if (!list.includes(a.artifact.version)) list.push(a.artifact.version);
  }
  // versions.cortex picks the product's files (cortexApps, cortexGateway, cortexDatabase): the lab supports a
  // Cortex version when it has every one of them in it.
  const product = PRODUCT_ARTIFACTS.map((n) => out[n] ?? []);
  const cortex = product[0]!.filter((v) => product.every((vs) => vs.includes(v)));
  if (cortex.length) out.cortex = cortex;
  return out;
}

/** Every version a `versions` map pins that the lab does not support: [] when the lab installs all of them. */
export function unsupportedVersions(versions: Readonly<Record<string, string>>, supported: Readonly<Record<string, readonly string[]>> = labVersions()): Array<{ name: string; version: string; supported: readonly string[] }> {
  return Object.entries(versions)
    .filter(([name, version]) => !(supported[name] ?? []).includes(version))
    .map(([name, version]) => ({ name, version, supported: supported[name] ?? [] }));
}

/** `lab artifacts`: each store artifact's synthetic file, added to `store` under its real file name, as `artifacts add` does. */
export async function writeLabStore(store: string, catalog: ArtifactCatalog = labCatalog()): Promise<AddResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-artifacts-'));
  try {
    const results: AddResult[] = [];
    for (const a of storeArtifacts(catalog)) {
      const sub = join(dir, a.id);
      const file = join(sub, a.fileName);
      // A folder per entry: two entries may share a real file name (rewrite_amd64_en-US.msi in two versions).
      mkdirSync(sub);
      writeFileSync(file, artifactBytes(a));
      results.push(await addArtifact(store, file, { name: a.artifact.name, version: a.artifact.version }));
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the end-to-end tests of playbooks/cortex.yaml share: the playbook, and the install's secrets as
 * the playbook reads them from the environment (test values; the PFX password is the lab's synthetic
 * certificate's, docs/lab.md). Each file keeps its own lab password.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addArtifact } from '../../src/artifacts/store.js';
import { artifactFile, labCatalog } from '../../src/lab/artifacts/catalog.js';
import { REPO_ROOT } from './pwsh.js';

export const CORTEX_PLAYBOOK = join(REPO_ROOT, 'playbooks', 'cortex.yaml');

export const INSTALL_SECRETS: Readonly<Record<string, string>> = {
  CORTEX_ERLANG_COOKIE: 'E2ECOOKIEE2ECOOKIEE2ECOOKIE',
  CORTEX_RABBITMQ_OPS_PASSWORD: 'E2e-Ops!2026',
  CORTEX_RABBITMQ_APP_PASSWORD: 'E2e-App!2026',
  CORTEX_SF_INSTALL_PASSWORD: 'E2e-Sf!2026',
  CORTEX_GATEWAY_PFX_PASSWORD: 'Lab-Pfx!2026',
};

/**
 * The lab's synthetic artifacts written to `<dir>/files` and added to the store `<dir>/store`, as
 * `artifacts add` would: returns "name version" of each, in the catalogue's order.
 */
export async function labArtifactStore(dir: string): Promise<string[]> {
  mkdirSync(join(dir, 'files'), { recursive: true });
  const added: string[] = [];
  for (const [id, a] of labCatalog().byId) {
    if (!a.artifact) continue;
    const file = join(dir, 'files', a.fileName);
    writeFileSync(file, artifactFile(id).bytes);
    const r = await addArtifact(join(dir, 'store'), file, { name: a.artifact.name, version: a.artifact.version });
    added.push(`${r.artifact.name} ${r.artifact.version}`);
  }
  return added;
}

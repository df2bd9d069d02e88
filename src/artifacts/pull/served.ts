/**
 * Which of a run's `file` sources the pull server serves: those that are artifacts of a store, i.e. a
 * path <store>/<name>/<version>/<file> that <store>/manifest.yaml records under that name and version
 * (what `artifacts add` writes, and what `{{ artifacts.<name>.localPath }}` names). Other sources (a
 * config file beside the playbook) are still pushed over the session.
 */
import { dirname, join, resolve, sep } from 'node:path';
import { fileSourcePath } from '../../engine/agent/file-sources.js';
import { stepsOf, type Playbook } from '../../engine/playbook/types.js';
import { readManifest } from '../store.js';
import type { Manifest } from '../manifest.js';
import type { ServedArtifact } from './server.js';

/** The store artifact a source path is, or null. Manifests are read once per store folder. */
export async function storeArtifactOf(path: string, manifests: Map<string, Promise<Manifest | null>> = new Map()): Promise<ServedArtifact | null> {
  const abs = resolve(path);
  const parts = abs.split(sep);
  if (parts.length < 4) return null;
  const store = parts.slice(0, -3).join(sep) || sep;
  let m = manifests.get(store);
  if (!m) {
    m = readManifest(store).catch(() => null);
    manifests.set(store, m);
  }
  const manifest = await m;
  const entry = manifest?.artifacts.find((a) => resolve(join(store, ...a.file.split('/'))) === abs);
  return entry ? { name: entry.name, version: entry.version, path: abs, sha256: entry.sha256, size: entry.size } : null;
}

/** Absolute source path → the artifact served for it, for every `file` step of the run on `hosts`. */
export async function pulledSources(pb: Playbook, hosts: readonly string[]): Promise<Map<string, ServedArtifact>> {
  const only = new Set(hosts);
  const manifests = new Map<string, Promise<Manifest | null>>();
  const out = new Map<string, ServedArtifact>();
  for (const step of [...stepsOf(pb), ...Object.values(pb.handlers)]) {
    if (step.resource !== 'file') continue;
    for (const host of step.hosts) {
      if (!only.has(host)) continue;
      const p = step.params[host] as { source?: string; state?: string } | undefined;
      if (!p?.source || p.state === 'absent') continue;
      const path = fileSourcePath(dirname(pb.file), p.source);
      if (out.has(path)) continue;
      const a = await storeArtifactOf(path, manifests);
      if (a) out.set(path, a);
    }
  }
  return out;
}

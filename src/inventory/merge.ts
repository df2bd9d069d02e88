/**
 * Deep merge of variable layers (all → group → host, later wins), remembering for every key which
 * YAML path it came from, so an error found after merging still points at the line that set it.
 * Mappings merge key by key (winrm, tls, versions, lab); lists and scalars replace.
 */
import type { YamlPath } from './source.js';

export type Provenance = Map<string, YamlPath>;

const keyOf = (path: YamlPath) => path.join('\u0000');

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function mergeLayer(target: Record<string, unknown>, layer: Record<string, unknown>, layerPath: YamlPath, prov: Provenance, prefix: YamlPath = []): void {
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined) continue;
    const here = [...prefix, k];
    prov.set(keyOf(here), [...layerPath, k]);
    if (isPlainObject(v)) {
      const existing = target[k];
      const into = isPlainObject(existing) ? existing : {};
      target[k] = into;
      mergeLayer(into, v, [...layerPath, k], prov, here);
    } else {
      target[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}

/** The YAML path that set `path` (or its nearest set ancestor); unset paths hang off `fallback` (the host). */
export function locate(prov: Provenance, path: YamlPath, fallback: YamlPath): YamlPath {
  for (let n = path.length; n > 0; n--) {
    const hit = prov.get(keyOf(path.slice(0, n)));
    if (hit) return [...hit, ...path.slice(n)];
  }
  return [...fallback, ...path];
}

/** Every leaf path of a plain object, for conflict checks. */
export function leafPaths(obj: Record<string, unknown>, prefix: YamlPath = []): YamlPath[] {
  return Object.entries(obj).flatMap(([k, v]) => (isPlainObject(v) ? leafPaths(v, [...prefix, k]) : [[...prefix, k]]));
}

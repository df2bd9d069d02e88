/**
 * Waivers as the inventory writes them (docs/preflight.md, "Waivers"): a `waivers:` list at any vars
 * level applies to that level's hosts (all, a group's, one host), optionally narrowed by `hosts:`
 * (host names, group names, globs). Unlike other lists, waivers of every level add up: a host-level
 * waiver does not drop the ones written for its group.
 */
import type { WaiverInput } from './schema.js';
import type { YamlPath } from './source.js';
import { nearest } from './suggest.js';
import { isPlainObject } from './merge.js';

/** The `hosts:` of a waiver as a list of terms. */
export function waiverTerms(w: Pick<WaiverInput, 'hosts'>): string[] {
  return w.hosts === undefined ? [] : Array.isArray(w.hosts) ? w.hosts : [w.hosts];
}

const glob = (term: string) => new RegExp(`^${term.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

/** Whether a term (host name, group name, or glob over host names) names this host. */
export function termMatches(term: string, host: string, groupsOfHost: readonly string[]): boolean {
  if (term === 'all' || term === '*') return true;
  if (term.toLowerCase() === host.toLowerCase() || groupsOfHost.includes(term)) return true;
  return /[*?]/.test(term) && glob(term).test(host);
}

/** Whether the waiver applies to the host (no `hosts:`: every host of the level it is written at). */
export function waiverApplies(w: Pick<WaiverInput, 'hosts'>, host: string, groupsOfHost: readonly string[]): boolean {
  const terms = waiverTerms(w);
  return terms.length === 0 || terms.some((t) => termMatches(t, host, groupsOfHost));
}

/** The waivers of one vars level, each with its YAML path (only well-formed entries: the schema judged the rest). */
export function waiversOf(vars: Record<string, unknown>, path: YamlPath): Array<{ waiver: WaiverInput; path: YamlPath }> {
  const list = vars.waivers;
  if (!Array.isArray(list)) return [];
  return list.flatMap((w, i) => (isPlainObject(w) && typeof w.check === 'string' ? [{ waiver: w as unknown as WaiverInput, path: [...path, 'waivers', i] }] : []));
}

/** A term in `hosts:` that names no host or group is a mistake (it would waive nothing): its problem. */
export function unknownTerm(term: string, hosts: readonly string[], groups: readonly string[]): string | undefined {
  if (term === 'all' || term === '*') return undefined;
  const lower = term.toLowerCase();
  if (hosts.some((h) => h.toLowerCase() === lower) || groups.includes(term)) return undefined;
  if (/[*?]/.test(term) && hosts.some((h) => glob(term).test(h))) return undefined;
  const near = nearest(term, [...hosts, ...groups]);
  return `'${term}' matches no host or group of the inventory.${near ? ` Did you mean '${near}'?` : ''}`;
}

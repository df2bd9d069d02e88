/**
 * --limit PATTERN: host selection the Ansible way. Terms are separated by ',' or ':'; a term is a host
 * name, a group name, an address, or a glob over names (app*, web?); `all` or `*` is every host;
 * `!term` excludes, `&term` intersects. Hosts come back in inventory order. A term that matches
 * nothing is an error naming it (a typo must not silently shrink a run).
 */
import { InputError } from '../errors.js';
import type { HostConfig, Inventory } from '../inventory/types.js';
import { nearest } from '../inventory/suggest.js';

export function selectHosts(inv: Pick<Inventory, 'hosts' | 'groups'>, pattern?: string): HostConfig[] {
  const text = pattern?.trim() ?? '';
  if (text === '' || text === 'all' || text === '*') return [...inv.hosts];
  const terms = text.split(/[,:]/).map((t) => t.trim()).filter(Boolean);
  const include = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const intersect = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const exclude = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  const matchTerm = (term: string): Set<string> => {
    const hits = matchNames(inv, term);
    if (hits.size === 0) {
      const near = nearest(term, [...inv.hosts.map((h) => h.name), ...Object.keys(inv.groups)]);
      throw new InputError(`--limit: '${term}' matches no host or group.${near ? ` Did you mean '${near}'?` : ''}`, {
        field: '--limit',
        hint: `Hosts: ${inv.hosts.map((h) => h.name).join(', ')}. Groups: ${Object.keys(inv.groups).join(', ')}.`,
      });
    }
    return hits;
  };

  let selected = new Set<string>();
  if (include.length === 0) selected = new Set(inv.hosts.map((h) => h.name));
  for (const t of include) for (const n of matchTerm(t)) selected.add(n);
  for (const t of intersect) {
    const keep = matchTerm(t);
    selected = new Set([...selected].filter((n) => keep.has(n)));
  }
  for (const t of exclude) for (const n of matchTerm(t)) selected.delete(n);

  const hosts = inv.hosts.filter((h) => selected.has(h.name));
  if (hosts.length === 0) throw new InputError(`--limit '${text}' selects no host.`, { field: '--limit', hint: 'Check the exclusions (!name) and intersections (&group).' });
  return hosts;
}

function matchNames(inv: Pick<Inventory, 'hosts' | 'groups'>, term: string): Set<string> {
  const lower = term.toLowerCase();
  if (lower === 'all' || lower === '*') return new Set(inv.hosts.map((h) => h.name));
  const group = Object.entries(inv.groups).find(([g]) => g.toLowerCase() === lower);
  if (group) return new Set(group[1]);
  if (/[*?[]/.test(term)) {
    const re = globToRegExp(term);
    const out = new Set(inv.hosts.filter((h) => re.test(h.name)).map((h) => h.name));
    for (const [g, members] of Object.entries(inv.groups)) if (re.test(g)) for (const m of members) out.add(m);
    return out;
  }
  return new Set(inv.hosts.filter((h) => h.name.toLowerCase() === lower || h.address.toLowerCase() === lower).map((h) => h.name));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[' || ch === ']') re += ch;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

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
  // No --limit: every host. An empty one is a mistake (an unset shell variable), never "every host".
  if (pattern === undefined) return [...inv.hosts];
  const text = pattern.trim();
  const terms = text.split(/[,:]/).map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) {
    throw new InputError(`--limit is empty${pattern === '' ? '' : ` ('${pattern}')`}: it would select no host.`, {
      field: '--limit',
      hint: "Name hosts or groups (--limit app1,web), or leave --limit out (or use --limit all) for every host; an unset shell variable expands to ''.",
    });
  }
  if (text === 'all' || text === '*') return [...inv.hosts];
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

/** A glob as a regular expression: * ? and [set]; a `[` without its `]` is an error naming the term. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      const set = end > i + 1 ? glob.slice(i + 1, end) : '';
      if (!/^!?[A-Za-z0-9_.-]+$/.test(set)) {
        throw new InputError(`--limit: '${glob}' has a [ without a matching ] or an empty or invalid set.`, {
          field: '--limit',
          hint: 'A set lists characters or ranges: app[12], web[1-3], db[!2].',
        });
      }
      re += `[${set.startsWith('!') ? `^${set.slice(1)}` : set}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, 'i');
  } catch {
    throw new InputError(`--limit: '${glob}' is not a valid pattern (a range out of order?).`, { field: '--limit', hint: 'Ranges go low to high: web[1-3].' });
  }
}

/**
 * Ansible's host ranges (docs/inventory.md, "Host ranges"), in INI and YAML inventories alike:
 *   web[01:03]        web01 web02 web03     a leading zero pads to the width of the bounds
 *   db-[a:c]          db-a db-b db-c        one letter to one letter (a-z, then A-Z, as Ansible orders them)
 *   app[1:10:2]       app1 app3 … app9      a third number is the stride
 *   node[1:2]-[a:b]   node1-a node1-b …     several ranges multiply
 *   [:3] begins at 0.
 * Where Ansible quietly yields no host (begin after end, a stride of 0), this is an error: a pattern
 * that names nothing is a mistake.
 */
export class HostRangeError extends Error {}

/** Letters in Ansible's order (Python's string.ascii_letters). */
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function hasRange(name: string): boolean {
  return name.includes('[');
}

interface Range {
  head: string;
  items: string[];
  tail: string;
}

function firstRange(pattern: string): Range {
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  if (close < 0) throw new HostRangeError(`'[' without ']'`);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('a host range is [begin:end] or [begin:end:step]');
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  if (end === '') throw new HostRangeError('a host range needs an end value');
  const stepText = bounds[2] ?? '1';
  if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new HostRangeError(`the step '${stepText}' must be a whole number of at least 1`);
  const step = Number(stepText);
  let items: string[];
  if (/^[A-Za-z]$/.test(beg) && /^[A-Za-z]$/.test(end)) {
    const from = LETTERS.indexOf(beg);
    const to = LETTERS.indexOf(end);
    if (from > to) throw new HostRangeError(`begin '${beg}' comes after end '${end}' (letters run a-z, then A-Z)`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(LETTERS[i]!);
  } else if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) throw new HostRangeError(`begin '${beg}' and end '${end}' must have the same width when begin has a leading zero`);
    const from = Number(beg);
    const to = Number(end);
    if (from > to) throw new HostRangeError(`begin ${beg} is greater than end ${end}`);
    const count = Math.floor((to - from) / step) + 1;
    if (count > 100_000) throw new HostRangeError(`it names ${count} hosts`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  } else {
    throw new HostRangeError(`'${beg}:${end}' is neither a number range (01:10) nor a letter range (a:f)`);
  }
  return { head: pattern.slice(0, open), items, tail: pattern.slice(close + 1) };
}

/** The host names a pattern stands for, in Ansible's order; at most `max` of them. */
export function expandHostRange(pattern: string, max: number): string[] {
  if (!hasRange(pattern)) return [pattern];
  const out: string[] = [];
  const walk = (p: string) => {
    if (!hasRange(p)) {
      out.push(p);
      if (out.length > max) throw new HostRangeError(`it names more than ${max} hosts, the most an inventory may have`);
      return;
    }
    const r = firstRange(p);
    for (const item of r.items) walk(`${r.head}${item}${r.tail}`);
  };
  walk(pattern);
  return out;
}

type Path = Array<string | number>;
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export interface TreeExpansion {
  /** Patterns that could not be expanded, and two keys of one `hosts:` naming the same host. */
  problems: Array<{ path: Path; message: string }>;
  /** Path of an expanded host (…,'hosts','web01') → path of the pattern that wrote it (…,'hosts','web[01:03]'). */
  aliases: Map<string, Path>;
}

export const pathKey = (p: Path) => p.join('\u0000');

/**
 * Expands the host ranges of an inventory tree in place (every group's `hosts:` keys), each host
 * getting its own copy of the pattern's vars, in the pattern's place. Positions are kept through
 * `aliases`: an error about web02 points at the line that wrote web[01:03].
 */
export function expandRangesInTree(doc: unknown, max: number): TreeExpansion {
  const problems: TreeExpansion['problems'] = [];
  const aliases = new Map<string, Path>();
  const group = (g: unknown, path: Path, depth: number) => {
    if (!isMap(g) || depth > 64) return;
    if (isMap(g.hosts) && Object.keys(g.hosts).some(hasRange)) {
      const rebuilt: Record<string, unknown> = {};
      const writtenBy = new Map<string, string>();
      for (const [key, vars] of Object.entries(g.hosts)) {
        let names: string[];
        try {
          names = expandHostRange(key, max);
        } catch (err) {
          if (!(err instanceof HostRangeError)) throw err;
          problems.push({ path: [...path, 'hosts', key], message: `host range '${key}': ${err.message}.` });
          continue;
        }
        for (const name of names) {
          const first = writtenBy.get(name);
          if (first !== undefined) {
            problems.push({ path: [...path, 'hosts', key], message: `host '${name}' is written twice in this hosts: mapping (by '${first}' and by '${key}').` });
            continue;
          }
          writtenBy.set(name, key);
          rebuilt[name] = structuredClone(vars);
          if (name !== key) aliases.set(pathKey([...path, 'hosts', name]), [...path, 'hosts', key]);
        }
      }
      g.hosts = rebuilt;
    }
    if (isMap(g.children)) for (const [c, child] of Object.entries(g.children)) group(child, [...path, 'children', c], depth + 1);
  };
  if (isMap(doc)) group(doc.all, ['all'], 0);
  return { problems, aliases };
}

/** Positions through the aliases: a path under an expanded host is looked up under its pattern. */
export function throughAliases<P>(source: { positionOf(path: Path, opts?: { key?: boolean }): P }, aliases: Map<string, Path>): { positionOf(path: Path, opts?: { key?: boolean }): P } {
  if (aliases.size === 0) return source;
  return {
    positionOf(path: Path, opts?: { key?: boolean }) {
      for (let n = path.length; n > 0; n--) {
        const hit = aliases.get(pathKey(path.slice(0, n)));
        if (hit) return source.positionOf([...hit, ...path.slice(n)], opts);
      }
      return source.positionOf(path, opts);
    },
  };
}

/**
 * Ansible's INI inventory form, read into the same all / children / hosts / vars tree as the YAML
 * form, remembering where each name and value was written (docs/inventory.md, "The INI form"):
 *   web01 ansible_host=10.0.0.11      a host line (outside any section: a host of all)
 *   [web]                             the hosts of group web
 *   [web:vars]  key=value             the group's vars
 *   [windows:children]                its child groups, one per line
 * Values, as Ansible reads them (a Python literal where one parses: numbers, True/False/None, quoted
 * strings, "['a', 'b']" lists); quotes group a value and are removed; anything else is a string. A host range
 * (web[01:03]) is expanded as Ansible expands it (host-range.ts).
 */
import type { SourcePosition } from '../errors.js';
import type { YamlPath } from './source.js';
import type { InventoryProblem } from './types.js';
import { expandHostRange, HostRangeError } from './host-range.js';
import { INVENTORY_LIMITS } from './limits.js';

/** A file name or first line that says "INI": *.ini, or a `[section]` header before any YAML. */
export function looksLikeIni(file: string, text: string): boolean {
  if (/\.ini$/i.test(file)) return true;
  if (/\.(ya?ml|json)$/i.test(file)) return false;
  const first = text.split(/\r?\n/).find((l) => l.trim() && !/^\s*[#;]/.test(l));
  return first !== undefined && /^\s*\[[A-Za-z0-9_.:-]+\]\s*$/.test(first);
}

interface Group {
  hosts: Record<string, Record<string, unknown>>;
  vars: Record<string, unknown>;
  children: string[];
}

export interface IniInventory {
  data: unknown;
  source: { positionOf(path: YamlPath, opts?: { key?: boolean }): SourcePosition | undefined };
  problems: InventoryProblem[];
}

/**
 * A value as Ansible reads it: split as a shell does (quotes group and are removed), then Python's
 * ast.literal_eval where it succeeds: integers and floats, True / False / None (capitalised: `true` stays
 * the string "true", as in Ansible), quoted strings, and lists of those. Anything else is the string.
 */
function scalar(raw: string): unknown {
  const t = raw.trim();
  const v = /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t.replace(/["']/g, '');
  const lit = literal(v);
  return lit === undefined ? v : lit.value;
}

function literal(text: string): { value: unknown } | undefined {
  const v = text.trim();
  if (/^[+-]?\d+$/.test(v)) return { value: Number(v) };
  if (/^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) || /^[+-]?\d+[eE][+-]?\d+$/.test(v)) return { value: Number(v) };
  if (v === 'True' || v === 'False') return { value: v === 'True' };
  if (v === 'None') return { value: null };
  if (/^(["']).*\1$/.test(v) && v.length >= 2) return { value: v.slice(1, -1) };
  const list = /^\[(.*)\]$/.exec(v);
  if (list) {
    // Flat lists only (webApps="['gateway', 'liveportal']"); a comma inside a quoted item is not split.
    const items = list[1]!.trim() === '' ? [] : (list[1]!.match(/'[^']*'|"[^"]*"|[^,]+/g) ?? []).map((x) => x.trim()).filter(Boolean);
    const values = items.map(literal);
    if (values.every((x) => x !== undefined)) return { value: values.map((x) => x!.value) };
  }
  return undefined;
}

/** key=value pairs of a line, with the column of each key and value (values may be quoted). */
function pairs(text: string, offset: number): Array<{ key: string; value: unknown; keyCol: number; valueCol: number }> | null {
  const out: Array<{ key: string; value: unknown; keyCol: number; valueCol: number }> = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*(#.*)?$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return null;
    const keyCol = offset + m.index + m[0].indexOf(m[1]!) + 1;
    out.push({ key: m[1]!, value: scalar(m[2]!), keyCol, valueCol: keyCol + m[1]!.length + 1 });
    i = re.lastIndex;
  }
  return out;
}

export function parseIni(text: string, file: string): IniInventory {
  const groups = new Map<string, Group>();
  const positions = new Map<string, { key: SourcePosition; value: SourcePosition }>();
  const problems: InventoryProblem[] = [];
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { hosts: {}, vars: {}, children: [] }));
    return g;
  };
  const at = (line: number, col: number): SourcePosition => ({ file, line, col });
  const mark = (key: string, line: number, keyCol: number, valueCol = keyCol) => {
    if (!positions.has(key)) positions.set(key, { key: at(line, keyCol), value: at(line, valueCol) });
  };
  group('all');
  let section = { name: 'all', kind: 'hosts' as 'hosts' | 'vars' | 'children' };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/^\s+/, '');
    const indent = raw.length - content.length;
    if (!content || content.startsWith('#') || content.startsWith(';')) return;
    const header = /^\[([^\]:]+)(?::(vars|children))?\]\s*$/.exec(content);
    if (header) {
      section = { name: header[1]!, kind: (header[2] as 'vars' | 'children' | undefined) ?? 'hosts' };
      group(section.name);
      mark(section.name, line, indent + 2);
      return;
    }
    const g = group(section.name);
    if (section.kind === 'children') {
      const child = content.trim();
      if (!g.children.includes(child)) g.children.push(child);
      group(child);
      mark(child, line, indent + 1);
      return;
    }
    if (section.kind === 'vars') {
      const eq = content.indexOf('=');
      if (eq <= 0) {
        problems.push({ position: at(line, indent + 1), field: `${section.name}:vars`, message: 'a [group:vars] line must be key=value.' });
        return;
      }
      const key = content.slice(0, eq).trim();
      g.vars[key] = scalar(content.slice(eq + 1));
      mark(`${section.name}\u0000vars\u0000${key}`, line, indent + 1, indent + eq + 2);
      return;
    }
    const host = /^(\S+)/.exec(content)![1]!;
    const vars = pairs(content.slice(host.length), indent + host.length);
    if (!vars) {
      problems.push({ position: at(line, indent + 1), field: `${section.name}.hosts.${host}`, message: 'a host line is a host name followed by key=value pairs.', hint: 'e.g. web01 ansible_host=10.0.0.11 ansible_port=5986' });
      return;
    }
    // A range (web[01:03]) is several hosts with the same vars, all written on this line.
    let names: string[];
    try {
      names = expandHostRange(host, INVENTORY_LIMITS.maxHosts);
    } catch (err) {
      if (!(err instanceof HostRangeError)) throw err;
      problems.push({ position: at(line, indent + 1), field: `${section.name}.hosts.${host}`, message: `host range '${host}': ${err.message}.`, hint: "Write web[01:03] (web01 to web03), db-[a:c] or app[1:9:2] (every second), as in Ansible; docs/inventory.md, \"Host ranges\"." });
      return;
    }
    for (const name of names) {
      const entry: Record<string, unknown> = {};
      mark(`${section.name}\u0000hosts\u0000${name}`, line, indent + 1);
      for (const p of vars) {
        entry[p.key] = structuredClone(p.value);
        mark(`${section.name}\u0000hosts\u0000${name}\u0000${p.key}`, line, p.keyCol, p.valueCol);
      }
      g.hosts[name] = entry;
    }
  });

  // The tree: each group under its parents (under all when it has none), as the YAML form nests it.
  const parents = new Set([...groups.values()].flatMap((g) => g.children));
  const build = (name: string, stack: string[]): Record<string, unknown> => {
    const g = groups.get(name)!;
    const node: Record<string, unknown> = {};
    if (Object.keys(g.hosts).length) node.hosts = g.hosts;
    if (Object.keys(g.vars).length) node.vars = g.vars;
    const kids = name === 'all' ? [...groups.keys()].filter((n) => n !== 'all' && !parents.has(n)) : g.children.filter((c) => !stack.includes(c));
    if (kids.length) node.children = Object.fromEntries(kids.map((c) => [c, build(c, [...stack, name])]));
    return node;
  };
  const data = { all: build('all', []) };

  return {
    data,
    problems,
    source: {
      // A YAML path's group is the name after its last 'children' (or all): positions are per group.
      positionOf(path, opts = {}) {
        let i = 0;
        for (let j = path.length - 1; j > 0; j--) {
          if (path[j - 1] === 'children') {
            i = j;
            break;
          }
        }
        const rest = path.slice(i).map(String);
        for (let n = rest.length; n > 0; n--) {
          const hit = positions.get(rest.slice(0, n).join('\u0000'));
          if (hit) return opts.key || n < rest.length ? hit.key : hit.value;
        }
        return at(1, 1);
      },
    },
  };
}

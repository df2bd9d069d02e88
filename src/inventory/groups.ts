/**
 * The Ansible group tree: which groups exist, which hosts each lists, and the order in which a
 * host's group vars apply (Ansible's rule: parents before children, then by name; host vars last).
 */
import type { GroupInput, VarsInput } from './schema.js';
import type { YamlPath } from './source.js';

export interface GroupNode {
  name: string;
  /** Every place the group is written (a group may be listed under several parents). */
  paths: YamlPath[];
  depth: number;
  vars: Array<{ vars: VarsInput; path: YamlPath }>;
  hosts: Array<{ host: string; vars: VarsInput | null; path: YamlPath }>;
  children: string[];
}

export function walkGroups(all: GroupInput): Map<string, GroupNode> {
  const groups = new Map<string, GroupNode>();
  const visit = (name: string, group: GroupInput | null, path: YamlPath, depth: number, stack: string[]) => {
    let node = groups.get(name);
    if (!node) {
      node = { name, paths: [], depth, vars: [], hosts: [], children: [] };
      groups.set(name, node);
    }
    node.depth = Math.min(node.depth, depth);
    node.paths.push(path);
    if (!group || stack.includes(name)) return;
    if (group.vars) node.vars.push({ vars: group.vars, path: [...path, 'vars'] });
    for (const [host, vars] of Object.entries(group.hosts ?? {})) node.hosts.push({ host, vars, path: [...path, 'hosts', host] });
    for (const [child, def] of Object.entries(group.children ?? {})) {
      if (!node.children.includes(child)) node.children.push(child);
      visit(child, def, [...path, 'children', child], depth + 1, [...stack, name]);
    }
  };
  visit('all', all, ['all'], 0, []);
  return groups;
}

/** Host names of a group, its children's included, in file order. */
export function hostsOf(groups: Map<string, GroupNode>, name: string, seen = new Set<string>()): string[] {
  const g = groups.get(name);
  if (!g || seen.has(name)) return [];
  seen.add(name);
  const out = g.hosts.map((h) => h.host);
  for (const c of g.children) for (const h of hostsOf(groups, c, seen)) if (!out.includes(h)) out.push(h);
  return out;
}

/** Groups whose vars apply to a host, in precedence order (least specific first). 'all' comes first. */
export function groupsOfHost(groups: Map<string, GroupNode>, membership: Map<string, string[]>, host: string): GroupNode[] {
  return [...groups.values()]
    .filter((g) => g.name === 'all' || (membership.get(g.name) ?? []).includes(host))
    .sort((a, b) => a.depth - b.depth || (a.name === 'all' ? -1 : b.name === 'all' ? 1 : a.name.localeCompare(b.name)));
}

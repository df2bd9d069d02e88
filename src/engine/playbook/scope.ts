/**
 * What templates and `when:` conditions can read (docs/playbooks.md, "Vars"): the host's own vars,
 * the other hosts' public vars and the groups, the playbook's vars and, in conditions, the facts.
 * Only public data: connection settings and secret references are never in a scope.
 */
import type { HostConfig, Inventory } from '../../inventory/types.js';

export interface HostView {
  name: string;
  address: string;
  roles: string[];
  groups: string[];
  versions: Record<string, string>;
  installPath: string | null;
  webApps: string[];
  /** The host's own variables from the inventory (docs/inventory.md, "Your own variables"). */
  vars: Record<string, unknown>;
}

export function hostView(h: HostConfig): HostView {
  return { name: h.name, address: h.address, roles: [...h.roles], groups: [...h.groups], versions: { ...h.versions }, installPath: h.installPath ?? null, webApps: [...h.webApps], vars: structuredClone(h.vars ?? {}) };
}

/** The part of the scope shared by every host: hosts.<name> and groups.<name> (lists of hosts). */
export function inventoryScope(inv: Inventory): { hosts: Record<string, HostView>; groups: Record<string, HostView[]> } {
  const hosts = Object.fromEntries(inv.hosts.map((h) => [h.name, hostView(h)]));
  const groups = Object.fromEntries(Object.entries(inv.groups).map(([g, names]) => [g, names.map((n) => hosts[n]!).filter(Boolean)]));
  return { hosts, groups };
}

/** The scope of templates for one host: host, versions, hosts, groups (vars added once rendered). */
export function hostScope(shared: ReturnType<typeof inventoryScope>, host: string, vars: Record<string, unknown> = {}): Record<string, unknown> {
  const me = shared.hosts[host]!;
  return { host: me, versions: me.versions, hosts: shared.hosts, groups: shared.groups, vars };
}

/** What both templates and conditions read. */
export const BASE_ROOTS = ['host', 'versions', 'hosts', 'groups', 'vars'] as const;
/**
 * The roots a step's template may read: also the site data (site-data.ts: components, artifacts), which
 * conditions do not; `facts` only in conditions (facts are read at plan time).
 */
export const TEMPLATE_ROOTS = [...BASE_ROOTS, 'components', 'artifacts'] as const;
export const CONDITION_ROOTS = [...BASE_ROOTS, 'facts'] as const;

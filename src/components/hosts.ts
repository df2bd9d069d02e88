/**
 * The part of an inventory host the config generators read: its name, address and roles, in
 * inventory order (the order decides seed nodes, upgrade domains and backend order, so it is stable).
 */
import type { HostConfig, Role } from '../inventory/types.js';

export type ComponentHost = Pick<HostConfig, 'name' | 'address' | 'roles'>;

export function hostsWithRole(hosts: readonly ComponentHost[], role: Role): ComponentHost[] {
  return hosts.filter((h) => h.roles.includes(role));
}

/** `host:port`, with an IPv6 address in brackets. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

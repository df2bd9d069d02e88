/**
 * From an inventory to the lab's host specs: loopback address checked, the account the host accepts
 * (the inventory's winrm user and resolved password: both sides read the same file), and the profile
 * resolved from the host's `lab:` vars with file:line:col errors.
 */
import { isIPv4 } from 'node:net';
import { InputError } from '../../errors.js';
import { resolveHostSecret } from '../../inventory/secrets.js';
import type { HostConfig, Inventory } from '../../inventory/types.js';
import type { LabHostSpec } from '../lab.js';
import type { LabAccount } from '../winrm/index.js';
import { resolveProfileOrThrow } from './resolve.js';
import type { LabProfile } from './schema.js';

export function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

/** `DOMAIN\user`, `user@domain` or `user` → the account parts. */
export function splitAccount(user: string): { user: string; domain: string } {
  const slash = user.indexOf('\\');
  if (slash >= 0) return { domain: user.slice(0, slash), user: user.slice(slash + 1) };
  const at = user.indexOf('@');
  if (at >= 0) return { user: user.slice(0, at), domain: user.slice(at + 1) };
  return { user, domain: '' };
}

export function checkLoopback(host: HostConfig): void {
  if (!isLoopbackIPv4(host.address)) {
    throw new InputError(`lab host ${host.name} has address ${host.address}, which is not a loopback IPv4 address (127.0.0.0/8); the lab never binds anything else`, {
      host: host.name,
      field: 'address',
      position: host.position,
      hint: 'Give every lab host its own 127.x.y.z address (see examples/lab/inventory.yaml).',
    });
  }
}

export interface LabHostsResult {
  hosts: LabHostSpec[];
  /** Hosts the lab cannot simulate (transport local), with why. */
  skipped: Array<{ name: string; why: string }>;
}

export async function labHostsFromInventory(inv: Inventory): Promise<LabHostsResult> {
  const hosts: LabHostSpec[] = [];
  const skipped: LabHostsResult['skipped'] = [];
  const passwords = new Map<string, Promise<string | null>>();
  const profiles = new Map<string, LabProfile>();
  for (const h of inv.hosts) {
    if (h.transport === 'local') {
      skipped.push({ name: h.name, why: 'transport local runs on this machine, not on a simulated host' });
      continue;
    }
    checkLoopback(h);
    // Hosts with the same `lab:` vars share one resolved profile (read-only; states are cloned from it).
    const key = JSON.stringify(h.lab ?? null);
    let profile = profiles.get(key);
    if (!profile) {
      profile = resolveProfileOrThrow(h.lab, { host: h.name, labPath: h.labPath, positionOf: inv.positionOf, position: h.position });
      profiles.set(key, profile);
    }
    const users: LabAccount[] = [];
    if (h.transport === 'winrm' || h.winrm.user) {
      if (!h.winrm.user || !h.winrm.password) {
        throw new InputError(`lab host ${h.name} needs winrm.user and winrm.password: the lab accepts exactly that account`, {
          host: h.name,
          field: h.winrm.user ? 'winrm.password' : 'winrm.user',
          position: h.position,
          hint: "Set them in all.vars.winrm, e.g. user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD.",
        });
      }
      // One resolution per written reference (1,000 hosts share one password).
      const ref = h.winrm.password;
      if (!passwords.has(ref)) passwords.set(ref, resolveHostSecret(inv, h, 'winrm.password'));
      const password = await passwords.get(ref)!;
      if (password) users.push({ ...splitAccount(h.winrm.user), password });
    }
    hosts.push({ name: h.name, address: h.address, transport: h.transport, users, profile });
  }
  return { hosts, skipped };
}

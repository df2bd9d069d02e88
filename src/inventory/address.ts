/**
 * Host addresses as the transports will use them: an IPv4 address, an IPv6 address, or a DNS name
 * (RFC 1123 labels; `_` is tolerated, as Windows and AD DNS accept it). Anything else — a port, a
 * space, a leading `-` that ssh or a shell could read as an option — is refused in the inventory.
 */
import { isIP } from 'node:net';

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** Why `address` is not usable, or null when it is. */
export function addressProblem(address: string): string | null {
  if (isIP(address) !== 0) return null;
  if (address.includes(':')) return address.includes('.') || /^[^:]+:\d+$/.test(address) ? 'a port does not belong in the address' : 'not a valid IPv6 address';
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  if (name.length === 0 || name.length > 253) return 'a DNS name is 1 to 253 characters';
  const labels = name.split('.');
  if (labels.every((l) => /^\d+$/.test(l))) return 'not a valid IPv4 address (four numbers 0-255)';
  for (const l of labels) {
    if (!LABEL.test(l)) {
      if (l.length === 0) return 'a DNS name has no empty labels (..)';
      if (l.length > 63) return 'a DNS label is at most 63 characters';
      return 'a DNS name has letters, digits and - only, and no label starts or ends with -';
    }
  }
  return null;
}

export const ADDRESS_HINT = 'Write an IPv4 address (10.0.1.5), an IPv6 address (fd00::5) or a DNS name (app1.corp.example.com); the port goes in port:, winrm.port or ssh.port.';

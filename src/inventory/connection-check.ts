/**
 * Connection settings that are allowed but weaken security: reported by `inventory check` as
 * warnings, so a lab-only switch left in a production inventory is seen before any run.
 */
import type { Finding } from './topology/rule.js';
import type { HostConfig } from './types.js';

export const TLS_INSECURE = 'inventory.tls-insecure';
export const BASIC_UNENCRYPTED = 'inventory.basic-unencrypted';

export function checkConnectionSettings(hosts: readonly HostConfig[]): Finding[] {
  const winrm = hosts.filter((h) => h.transport === 'winrm');
  const insecure = winrm.filter((h) => h.winrm.scheme === 'https' && h.winrm.tls.insecure).map((h) => h.name);
  const clear = winrm.filter((h) => h.winrm.auth === 'basic' && h.winrm.scheme === 'http').map((h) => h.name);
  const out: Finding[] = [];
  if (insecure.length) {
    out.push({
      id: TLS_INSECURE,
      severity: 'warning',
      message: 'winrm.tls.insecure: true — certificates are not verified, so anyone on the path can impersonate these hosts and read their credentials. Set winrm.tls.ca instead.',
      source: 'docs/inventory.md, "winrm"',
      hosts: insecure,
    });
  }
  if (clear.length) {
    out.push({
      id: BASIC_UNENCRYPTED,
      severity: 'warning',
      message: 'Basic authentication over plain HTTP (winrm.allowUnencrypted: true) sends the password in clear text. Use https or ntlm outside a lab.',
      source: 'docs/inventory.md, "winrm"',
      hosts: clear,
    });
  }
  return out;
}

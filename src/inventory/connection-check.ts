/**
 * Connection settings that are allowed but weaken security: reported by `inventory check` as
 * warnings, so a lab-only switch left in a production inventory is seen before any run.
 */
import type { Finding } from './topology/rule.js';
import type { HostConfig } from './types.js';

export const TLS_INSECURE = 'inventory.tls-insecure';
export const BASIC_UNENCRYPTED = 'inventory.basic-unencrypted';
export const SCHEME_PORT = 'inventory.scheme-port';

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
  // WinRM's defaults: http listens on 5985, https on 5986. The other way round is almost always a slip
  // (an Ansible inventory's ansible_port: 5986 with ansible_winrm_scheme: http), which would fail on every host.
  const swapped = winrm.filter((h) => (h.winrm.scheme === 'http' && h.winrm.port === 5986) || (h.winrm.scheme === 'https' && h.winrm.port === 5985));
  for (const scheme of ['http', 'https'] as const) {
    const hosts = swapped.filter((h) => h.winrm.scheme === scheme).map((h) => h.name);
    if (!hosts.length) continue;
    const port = scheme === 'http' ? 5986 : 5985;
    out.push({
      id: SCHEME_PORT,
      severity: 'warning',
      message: `winrm.scheme is ${scheme} but the port is ${port}, WinRM's ${scheme === 'http' ? 'https' : 'http'} port: the connection will likely fail. Set winrm.scheme: ${scheme === 'http' ? 'https' : 'http'} (ansible_winrm_scheme), or the port your listener uses.`,
      source: 'docs/inventory.md, "winrm"',
      hosts,
    });
  }
  return out;
}

/**
 * `inventory check` on what authentication needs on this machine: Kerberos (auth: kerberos or
 * negotiate) needs the GSS-API module built, and a password login needs MIT's kinit. Without them
 * kerberos cannot work at all (an error, before any connection); negotiate would only ever use
 * NTLM (a warning). The probe is injected so the rule stays pure.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadGss } from '../protocol/kerberos/gss-module.js';
import type { Finding } from './topology/rule.js';
import type { HostConfig } from './types.js';

export const KERBEROS_UNAVAILABLE = 'inventory.kerberos-unavailable';

export interface KerberosSupport {
  /** Null when the GSS-API module loads; else why not. */
  gssError: string | null;
  kinit: boolean;
}

export function kerberosSupportHere(env: NodeJS.ProcessEnv = process.env): KerberosSupport {
  let gssError: string | null = null;
  try {
    loadGss();
  } catch (e) {
    gssError = (e as Error).message;
  }
  const kinit = (env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, 'kinit'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return { gssError, kinit };
}

export function checkKerberosSupport(hosts: readonly HostConfig[], probe: KerberosSupport | (() => KerberosSupport)): Finding[] {
  const out: Finding[] = [];
  const source = 'docs/authentication.md, "Kerberos"';
  const uses = hosts.filter((h) => h.transport === 'winrm' && (h.winrm.auth === 'kerberos' || h.winrm.auth === 'negotiate'));
  if (uses.length === 0) return out;
  // Probed only when a host needs Kerberos (loading the GSS-API module costs a little).
  const support = typeof probe === 'function' ? probe() : probe;
  const add = (auth: 'kerberos' | 'negotiate', why: string, list: HostConfig[]) => {
    const names = list.filter((h) => h.winrm.auth === auth).map((h) => h.name);
    if (names.length === 0) return;
    out.push({
      id: KERBEROS_UNAVAILABLE,
      severity: auth === 'kerberos' ? 'error' : 'warning',
      message: auth === 'kerberos' ? `auth: kerberos cannot work on this machine: ${why}` : `auth: negotiate will always use NTLM on this machine: ${why}`,
      source,
      hosts: names,
    });
  };
  if (support.gssError) {
    for (const a of ['kerberos', 'negotiate'] as const) add(a, support.gssError, uses);
  } else if (!support.kinit) {
    const withPassword = uses.filter((h) => h.winrm.password);
    const why = 'a password login needs MIT kinit, which is not on PATH (Debian: apt-get install krb5-user), or leave winrm.password unset and kinit yourself.';
    for (const a of ['kerberos', 'negotiate'] as const) add(a, why, withPassword);
  }
  return out;
}

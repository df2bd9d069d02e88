/**
 * What a check concludes about one host. Statuses (docs/preflight.md): pass, warn (below the recommended
 * value; an operator may accept it), fail (below the minimum), error (could not be evaluated: host
 * unreachable, login refused, probe failed).
 */
import type { CheckId } from './check-ids.js';
import type { PreflightWaiver, WaiverNote } from './waivers.js';

export const STATUSES = ['pass', 'warn', 'fail', 'error'] as const;
export type CheckStatus = (typeof STATUSES)[number];

export interface Finding {
  id: CheckId;
  status: CheckStatus;
  /** What the platform needs, in words a reader can check ("build 14393 or 17763"). */
  expected: string;
  /** What the host has. */
  actual: string;
  /** One sentence: the conclusion. */
  message: string;
  /** One sentence: how to fix it. Empty for a pass. */
  remediation: string;
  /** Set when an inventory waiver accepts this warn or fail (src/preflight/waivers.ts): the verdict reads it as a pass. */
  waived?: WaiverNote;
  /** Set when the only waivers for it have expired: it counts again, and the reports say so. */
  waiverExpired?: WaiverNote;
}

export const ROLE_NAMES = ['web', 'app', 'db', 'lb'] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** The part of an inventory host that preflight needs (the CLI maps the inventory's host onto it). */
export interface PreflightHost {
  name: string;
  address: string;
  roles: Role[];
  /** Install folder on the host; null: the default (DEFAULT_INSTALL_PATH). */
  installPath: string | null;
  /** The session skips TLS certificate verification (winrm.tls.insecure): host.reachable warns. */
  tlsInsecure?: boolean;
  /** Findings the inventory accepts on this host (docs/preflight.md, "Waivers"). */
  waivers?: PreflightWaiver[];
}

export const DEFAULT_INSTALL_PATH = 'C:\\Program Files\\Cortex';

export function finding(id: CheckId, status: CheckStatus, expected: string, actual: string, message: string, remediation = ''): Finding {
  return { id, status, expected, actual, message, remediation: status === 'pass' ? '' : remediation };
}

const rank: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The worse of two statuses (error > fail > warn > pass). */
export function worse(a: CheckStatus, b: CheckStatus): CheckStatus {
  return rank[a] >= rank[b] ? a : b;
}

export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let w: CheckStatus = 'pass';
  for (const s of statuses) w = worse(w, s);
  return w;
}

export function hasRole(host: PreflightHost, ...roles: Role[]): boolean {
  return host.roles.some((r) => roles.includes(r));
}

/** Bytes in one GB as Windows and PowerShell count it (1GB = 2^30). */
export const GB = 1024 ** 3;

export function gb(bytes: number): number {
  return Math.floor(bytes / GB);
}

/** Compare dotted versions numerically ("5.1.17763.1" vs "5.1"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

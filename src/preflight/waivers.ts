/**
 * Waivers: an operator accepts a specific finding (a check on a host) with a reason and, optionally,
 * an expiry date (docs/preflight.md, "Waivers"). The inventory declares them; this module decides,
 * purely, which findings they cover. A waived finding keeps its status (warn or fail, as the host
 * measured it) and carries the waiver; the verdict (exit code, host status) reads it as a pass.
 * An `error` is never waived: it means the check could not be evaluated at all.
 */
import type { CheckId } from './check-ids.js';
import type { CheckStatus, Finding } from './finding.js';

export interface PreflightWaiver {
  check: CheckId;
  reason: string;
  /** Last day (YYYY-MM-DD, UTC) the waiver applies; null: it does not expire. */
  expires: string | null;
  /** Where it is written, file:line:col, so a report reader can find it. */
  source: string;
}

/** What a finding carries when a waiver covers it (or covered it until it expired). */
export interface WaiverNote {
  reason: string;
  expires: string | null;
  source: string;
}

/** The UTC calendar day of a clock reading, YYYY-MM-DD (what `expires` is compared with). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Applies through its expiry day: expired once `today` is later. */
export function isExpired(w: Pick<PreflightWaiver, 'expires'>, today: string): boolean {
  return w.expires !== null && today > w.expires;
}

const WAIVABLE: ReadonlySet<CheckStatus> = new Set(['warn', 'fail']);

const note = (w: PreflightWaiver): WaiverNote => ({ reason: w.reason, expires: w.expires, source: w.source });

/** The longest-lived of several waivers (no expiry first, then the latest date). */
function longest(ws: PreflightWaiver[]): PreflightWaiver | undefined {
  return [...ws].sort((a, b) => (a.expires === b.expires ? 0 : a.expires === null ? -1 : b.expires === null ? 1 : a.expires > b.expires ? -1 : 1))[0];
}

/**
 * The findings with the host's waivers applied: a warn or fail whose check has an active waiver gets
 * `waived`; one whose only waivers have expired gets `waiverExpired` (and still counts).
 */
export function applyWaivers(findings: readonly Finding[], waivers: readonly PreflightWaiver[] | undefined, today: string): Finding[] {
  if (!waivers || waivers.length === 0) return [...findings];
  return findings.map((f) => {
    if (!WAIVABLE.has(f.status)) return f;
    const mine = waivers.filter((w) => w.check === f.id);
    if (mine.length === 0) return f;
    const active = longest(mine.filter((w) => !isExpired(w, today)));
    if (active) return { ...f, waived: note(active) };
    return { ...f, waiverExpired: note(longest(mine)!) };
  });
}

/** The status the verdict reads: a waived finding passes. */
export function effectiveStatus(f: Pick<Finding, 'status' | 'waived'>): CheckStatus {
  return f.waived ? 'pass' : f.status;
}

/**
 * `preflight --json` (docs/preflight.md, "--json"): exactly
 * {hosts:[{name,address,roles,reachable,checks:[{id,status,expected,actual,message}]}],summary}, and
 * beside them `meta` (inventory, tool version, run id, start, operator) when the CLI writes it.
 * Remediations are in the JUnit and HTML reports and docs/preflight.md. A check an inventory waiver
 * accepts keeps its status and adds `waived: {reason, expires, source}` (an expired one:
 * `waiverExpired`), so readers of the four statuses keep working.
 */
import { redactDeep } from '../secrets/registry.js';
import type { PreflightReport, PreflightSummary } from '../preflight/outcome.js';
import type { CheckStatus } from '../preflight/finding.js';
import type { ReportMeta } from './meta.js';
import type { WaiverNote } from '../preflight/waivers.js';

export interface PreflightJson {
  hosts: Array<{
    name: string;
    address: string;
    roles: string[];
    reachable: boolean;
    checks: Array<{ id: string; status: CheckStatus; expected: string; actual: string; message: string; waived?: WaiverNote; waiverExpired?: WaiverNote }>;
  }>;
  summary: PreflightSummary;
  /** Which inventory, tool version, run and operator (present when the CLI wrote the report). */
  meta?: ReportMeta;
}

export function toPreflightJson(report: PreflightReport, meta?: ReportMeta): PreflightJson {
  return redactDeep({
    hosts: report.hosts.map((o) => ({
      name: o.host.name,
      address: o.host.address,
      roles: [...o.host.roles],
      reachable: o.reachable,
      checks: o.findings.map((f) => ({
        id: f.id,
        status: f.status,
        expected: f.expected,
        actual: f.actual,
        message: f.message,
        ...(f.waived ? { waived: { ...f.waived } } : {}),
        ...(f.waiverExpired ? { waiverExpired: { ...f.waiverExpired } } : {}),
      })),
    })),
    summary: report.summary,
    ...(meta ? { meta: { ...meta } } : {}),
  });
}

export function renderPreflightJson(report: PreflightReport, meta?: ReportMeta): string {
  return `${JSON.stringify(toPreflightJson(report, meta), null, 2)}\n`;
}

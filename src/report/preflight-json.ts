/**
 * `preflight --json` (docs/preflight.md, "--json"): exactly
 * {hosts:[{name,address,roles,reachable,checks:[{id,status,expected,actual,message}]}],summary}.
 * Remediations are in the JUnit and HTML reports and docs/preflight.md.
 */
import { redactDeep } from '../secrets/registry.js';
import type { PreflightReport, PreflightSummary } from '../preflight/outcome.js';
import type { CheckStatus } from '../preflight/finding.js';

export interface PreflightJson {
  hosts: Array<{
    name: string;
    address: string;
    roles: string[];
    reachable: boolean;
    checks: Array<{ id: string; status: CheckStatus; expected: string; actual: string; message: string }>;
  }>;
  summary: PreflightSummary;
}

export function toPreflightJson(report: PreflightReport): PreflightJson {
  return redactDeep({
    hosts: report.hosts.map((o) => ({
      name: o.host.name,
      address: o.host.address,
      roles: [...o.host.roles],
      reachable: o.reachable,
      checks: o.findings.map((f) => ({ id: f.id, status: f.status, expected: f.expected, actual: f.actual, message: f.message })),
    })),
    summary: report.summary,
  });
}

export function renderPreflightJson(report: PreflightReport): string {
  return `${JSON.stringify(toPreflightJson(report), null, 2)}\n`;
}

/**
 * The console view of a preflight report: a table of checks (rows) × hosts (columns) — transposed so
 * that 9 hosts fit in 100 columns — then the reach matrix, every failure and warning with its
 * remediation, and a one-line summary. Returns text; the CLI writes it.
 *
 * When the hosts do not fit the width (hundreds of hosts), the table becomes one line per host that
 * did not pass, plus a count of the hosts that did.
 */
import { createColors } from 'picocolors';
import { CHECK_IDS, CHECKS, type CheckId } from '../preflight/check-ids.js';
import type { CheckStatus } from '../preflight/finding.js';
import { hostStatus, type HostOutcome, type PreflightReport } from '../preflight/outcome.js';
import { redact } from '../secrets/registry.js';
import { consoleLine } from './console-text.js';
import { effectiveStatus, type WaiverNote } from '../preflight/waivers.js';
import type { Finding } from '../preflight/finding.js';

export interface ConsoleOptions {
  color: boolean;
  /** Terminal width; the table never exceeds it. */
  width: number;
}

type Colors = ReturnType<typeof createColors>;

const LABEL_WIDTH = 15;
const MIN_COL = 5;
const MAX_COL = 9;

export const CELL_TEXT: Record<CheckStatus, string> = { pass: 'ok', warn: 'warn', fail: 'FAIL', error: 'err' };
/** The cell of a warn or fail an inventory waiver accepts. */
export const WAIVED_TEXT = 'waiv';

/** A finding's cell: its status, or `waiv` when waived. */
export function cellText(f: Pick<Finding, 'status' | 'waived'>): string {
  return f.waived ? WAIVED_TEXT : CELL_TEXT[f.status];
}

/** "reason (until 2027-03-31; site.yaml:12:9)" */
export function waiverLine(w: WaiverNote): string {
  return `${w.reason} (${w.expires ? `until ${w.expires}` : 'no expiry'}; ${w.source})`;
}

function paint(c: Colors, status: CheckStatus, text: string): string {
  switch (status) {
    case 'pass':
      return c.green(text);
    case 'warn':
      return c.yellow(text);
    case 'fail':
      return c.red(c.bold(text));
    default:
      return c.magenta(c.bold(text));
  }
}

function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}~`;
}

/** Visible width of a string with ANSI colour codes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

function usedChecks(hosts: readonly HostOutcome[]): CheckId[] {
  const used = new Set<CheckId>(hosts.flatMap((o) => o.findings.map((f) => f.id)));
  return CHECK_IDS.filter((id) => used.has(id));
}

function columnWidth(report: PreflightReport, width: number): number | null {
  const n = report.hosts.length;
  if (n === 0) return MIN_COL;
  const longest = Math.max(...report.hosts.map((o) => o.host.name.length));
  const wanted = Math.min(MAX_COL, Math.max(MIN_COL, longest + 1));
  const room = Math.floor((width - LABEL_WIDTH) / n);
  const col = Math.min(wanted, room);
  return col >= MIN_COL ? col : null;
}

function checkTable(report: PreflightReport, col: number, c: Colors): string[] {
  const lines: string[] = [];
  lines.push(c.bold(fit('check', LABEL_WIDTH) + report.hosts.map((o) => fit(o.host.name, col - 1) + ' ').join('')).trimEnd());
  for (const id of usedChecks(report.hosts)) {
    let line = fit(CHECKS[id].short, LABEL_WIDTH);
    for (const o of report.hosts) {
      const f = o.findings.find((x) => x.id === id);
      const text = f ? cellText(f) : '.';
      line += (f ? (f.waived ? c.cyan(text) : paint(c, f.status, text)) : c.dim(text)) + ' '.repeat(Math.max(1, col - text.length));
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

function hostLines(report: PreflightReport, c: Colors, width: number): string[] {
  const lines: string[] = [];
  let passed = 0;
  for (const o of report.hosts) {
    const s = hostStatus(o);
    if (s === 'pass') {
      passed++;
      continue;
    }
    const bad = o.findings.filter((f) => effectiveStatus(f) !== 'pass').map((f) => f.id);
    const head = `${fit(o.host.name, 16)} ${paint(c, s, fit(o.reachable ? CELL_TEXT[s] : 'down', 5))} `;
    const tail = bad.join(', ');
    lines.push(head + (tail.length > width - 23 ? `${tail.slice(0, width - 24)}~` : tail));
  }
  lines.push(c.dim(`${passed} of ${report.hosts.length} hosts passed every check.`));
  return lines;
}

function reachMatrix(report: PreflightReport, col: number, c: Colors): string[] {
  const { cells } = report.matrix;
  const sources = report.hosts.map((o) => o.host.name).filter((h) => Object.keys(cells[h] ?? {}).length > 0);
  if (sources.length === 0) return [];
  const dests = report.hosts.map((o) => o.host.name).filter((d) => sources.some((s) => cells[s]?.[d] !== undefined));
  const lines = ['', c.bold('Reachability (row reaches column: ok, or the number of unreachable ports)')];
  lines.push(c.bold(fit('from \\ to', LABEL_WIDTH) + dests.map((d) => fit(d, col - 1) + ' ').join('')).trimEnd());
  for (const s of sources) {
    let line = fit(s, LABEL_WIDTH);
    for (const d of dests) {
      const cell = cells[s]?.[d];
      let text: string;
      let colored: string;
      if (cell === undefined) {
        text = '.';
        colored = c.dim(text);
      } else if (cell === null) {
        text = '?';
        colored = c.magenta(text);
      } else if (cell.unreachable.length === 0 && cell.resolves) {
        text = 'ok';
        colored = c.green(text);
      } else {
        text = cell.unreachable.length > 0 ? `${cell.unreachable.length}x` : 'dns';
        // Only dropped ports (filtered): unknown before the install, a warning as in net.reach.
        colored = cell.resolves && cell.unreachable.every((u) => u.state === 'filtered') ? c.yellow(c.bold(text)) : c.red(c.bold(text));
      }
      line += colored + ' '.repeat(Math.max(1, col - text.length));
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** Word-wrap plain text to `width`, continuation lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string[] {
  const out: string[] = [];
  const lead = /^ */.exec(text)?.[0] ?? '';
  let line = lead;
  for (const word of text.slice(lead.length).split(/ +/)) {
    const candidate = line.trim() ? `${line} ${word}` : `${line}${word}`;
    if (candidate.length <= width || !line.trim()) line = line.trim() ? candidate : `${line}${word}`;
    else {
      out.push(line);
      line = `${' '.repeat(indent)}${word}`;
    }
  }
  if (line) out.push(line);
  // A single word longer than the width is cut, so no line ever exceeds it.
  return out.map((l) => (l.length > width ? `${l.slice(0, width - 1)}~` : l));
}

export function renderProblems(report: PreflightReport, c: Colors, width = 100): string[] {
  const lines: string[] = [];
  for (const o of report.hosts) {
    for (const f of o.findings) {
      if (f.status === 'pass') continue;
      const tag = cellText(f).toUpperCase().padEnd(4);
      const [first = '', ...rest] = wrap(`${tag} ${o.host.name} ${f.id}: ${f.message}`, width, 5);
      lines.push((f.waived ? c.cyan(tag) : paint(c, f.status, tag)) + first.slice(tag.length), ...rest);
      if (f.status !== 'error') lines.push(...wrap(`     expected ${f.expected}; found ${f.actual}`, width, 7));
      if (f.waived) {
        // Accepted: the reason is what a reader needs, not the fix.
        lines.push(...wrap(`     waived (${f.status}): ${waiverLine(f.waived)}`, width, 7));
        continue;
      }
      if (f.waiverExpired) lines.push(...wrap(`     waiver expired: ${waiverLine(f.waiverExpired)}`, width, 7));
      if (f.remediation) {
        const [fix = '', ...more] = wrap(`     fix: ${f.remediation}`, width, 10);
        lines.push(fix.replace('fix:', c.cyan('fix:')), ...more);
      }
    }
  }
  return lines.length > 0 ? ['', c.bold('Findings'), ...lines] : [];
}

export function renderSummaryLine(report: PreflightReport, c: Colors): string {
  const s = report.summary;
  const hostPart = [
    `${s.hosts} hosts:`,
    c.green(`${s.passed} passed`) + ',',
    (s.warned ? c.yellow(`${s.warned} with warnings`) : `${s.warned} with warnings`) + ',',
    (s.failed ? c.red(`${s.failed} failed`) : `${s.failed} failed`) + ',',
    s.unreachable ? c.magenta(`${s.unreachable} unreachable`) : `${s.unreachable} unreachable`,
  ].join(' ');
  const checks = s.checks.pass + s.checks.warn + s.checks.fail + s.checks.error + s.checks.waived;
  const waived = s.checks.waived ? `, ${c.cyan(`${s.checks.waived} waived`)}` : '';
  return `${hostPart}\n${checks} checks: ${s.checks.pass} pass, ${s.checks.warn} warn, ${s.checks.fail} fail, ${s.checks.error} error${waived}; ${(s.durationMs / 1000).toFixed(1)} s`;
}

export function renderPreflightConsole(raw: PreflightReport, opts: ConsoleOptions): string {
  const report = consoleSafe(raw);
  const c = createColors(opts.color);
  const width = Math.max(60, opts.width);
  const col = columnWidth(report, width);
  const lines = col !== null ? [...checkTable(report, col, c), ...reachMatrix(report, col, c)] : hostLines(report, c, width);
  lines.push(...renderProblems(report, c, width), '', renderSummaryLine(report, c));
  return redact(`${lines.join('\n')}\n`);
}

/** The report with every text a host supplied made safe for a terminal (console-text.ts). */
function consoleSafe(report: PreflightReport): PreflightReport {
  return {
    ...report,
    hosts: report.hosts.map((o) => ({
      ...o,
      findings: o.findings.map((f) => ({
        ...f,
        message: consoleLine(f.message),
        expected: consoleLine(f.expected),
        actual: consoleLine(f.actual),
        ...(f.remediation ? { remediation: consoleLine(f.remediation) } : {}),
        ...(f.waived ? { waived: { ...f.waived, reason: consoleLine(f.waived.reason) } } : {}),
        ...(f.waiverExpired ? { waiverExpired: { ...f.waiverExpired, reason: consoleLine(f.waiverExpired.reason) } } : {}),
      })),
    })),
  };
}

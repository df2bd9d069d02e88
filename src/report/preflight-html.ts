/**
 * `--report-html FILE`: one self-contained page (inline CSS, no scripts, no external assets) an admin
 * can mail to the infrastructure team: the summary, the hosts × checks matrix, the reachability
 * matrix, and every failure and warning with its remediation.
 */
import { CHECK_IDS, CHECKS, type CheckId } from '../preflight/check-ids.js';
import { hostStatus, type PreflightReport } from '../preflight/outcome.js';
import { formatPorts } from '../preflight/ports.js';
import { redact } from '../secrets/registry.js';
import { escapeMarkup } from './escape.js';
import { cards, PAGE_CSS, pageEnd, pageHead, summaryStart } from './html-page.js';
import { cellText, waiverLine } from './preflight-console.js';
import type { ReportMeta } from './meta.js';

/** Redact before escaping: a secret with & or < in it no longer matches once escaped. */
const e = (s: string) => escapeMarkup(redact(s));

/** Matrices: centred cells, one line each, a sticky header row; findings as cards with their fix. */
const CSS = `${PAGE_CSS}th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:center;white-space:nowrap}
th.check{text-align:left}
thead th{background:#f6f8fa;position:sticky;top:0}
.pass{background:#dafbe1;color:#116329}.warn{background:#fff8c5;color:#7d4e00}
.fail{background:#ffebe9;color:#a40e26;font-weight:700}.error{background:#fbefff;color:#8250df;font-weight:700}
.na{color:#8c959f}.waived{background:#ddf4ff;color:#0550ae}
.scroll{overflow-x:auto}
.finding{border-left:4px solid #d0d7de;padding:6px 12px;margin:8px 0}
.finding.pass,.finding.warn,.finding.fail,.finding.error{background:#fff;color:#1d2329;font-weight:400}
.finding.waived{background:#fff;color:#1d2329;border-color:#0969da}.finding.waived .tag{color:#0550ae}
.finding.fail{border-color:#cf222e}.finding.warn{border-color:#bf8700}.finding.error{border-color:#8250df}
.finding .tag{font-weight:700}.finding.fail .tag{color:#a40e26}.finding.warn .tag{color:#7d4e00}.finding.error .tag{color:#8250df}
.finding .fix{margin-top:4px}.finding code{background:#f6f8fa;padding:0 3px}
`;

function cell(status: string, text: string, title = ''): string {
  return `<td class="${status}"${title ? ` title="${e(title)}"` : ''}>${e(text)}</td>`;
}

export function renderPreflightHtml(report: PreflightReport, meta?: ReportMeta): string {
  const s = report.summary;
  const used = new Set<CheckId>(report.hosts.flatMap((o) => o.findings.map((f) => f.id)));
  const checks = CHECK_IDS.filter((id) => used.has(id));
  const verdict = s.exitCode === 0 ? ['pass', s.warned ? 'Ready, with warnings' : 'Ready: every check passed'] : s.unreachable > 0 ? ['error', 'Not ready: some hosts could not be reached'] : s.failed === 0 && s.warned > 0 ? ['fail', 'Not ready: warnings fail this run (--fail-on warn)'] : ['fail', 'Not ready: some checks failed'];
  const parts: string[] = [];
  let metaTable = '';
  if (meta) {
    const rows: Array<[string, string]> = [
      ['Inventory', meta.inventory],
      ['Run', `${meta.runId} (.cortex/runs/${meta.runId}/)`],
      ['Started', meta.startedAt],
      ['Operator', meta.operator],
      ['Tool version', `cortex-deploy ${meta.toolVersion}`],
      ['Fails on', meta.failOn === 'warn' ? 'warnings and failures (--fail-on warn)' : 'failures (warnings allowed)'],
    ];
    metaTable = `<table id="run-meta" class="meta">${rows.map(([k, v]) => `<tr><th class="check">${e(k)}</th><td class="check">${e(redact(v))}</td></tr>`).join('')}</table>`;
  }
  parts.push(pageHead('cortex-deploy preflight', `Started ${report.startedAt} · ${s.hosts} hosts · ${(s.durationMs / 1000).toFixed(1)} s`, CSS, metaTable));
  parts.push(
    summaryStart(verdict[0]!, `${verdict[1]!} (exit code ${s.exitCode})`),
    cards([
      ['hosts passed', s.passed, 'pass'],
      ['hosts with warnings', s.warned, 'warn'],
      ['hosts failed', s.failed, 'fail'],
      ['hosts unreachable', s.unreachable, 'error'],
      ['checks failed', s.checks.fail, 'fail'],
      ['checks warned', s.checks.warn, 'warn'],
      ['checks waived', s.checks.waived, 'waived'],
    ]),
    '</section>',
  );

  parts.push('<section id="matrix"><h2>Hosts × checks</h2><div class="scroll"><table><thead><tr><th class="check">host</th><th>roles</th>');
  for (const id of checks) parts.push(`<th title="${e(`${id}: ${CHECKS[id].title}`)}">${e(CHECKS[id].short)}</th>`);
  parts.push('</tr></thead><tbody>');
  for (const o of report.hosts) {
    const st = o.reachable ? hostStatus(o) : 'error';
    parts.push(`<tr><th class="check ${st}" title="${e(o.host.address)}">${e(o.host.name)}</th><td>${e(o.host.roles.join(', '))}</td>`);
    for (const id of checks) {
      const f = o.findings.find((x) => x.id === id);
      parts.push(f ? cell(f.waived ? 'waived' : f.status, cellText(f), f.waived ? `${f.status} waived: ${waiverLine(f.waived)}. ${f.message}` : `${f.message} (found: ${f.actual})`) : '<td class="na">·</td>');
    }
    parts.push('</tr>');
  }
  parts.push('</tbody></table></div></section>');

  const { cells } = report.matrix;
  const sources = report.hosts.map((o) => o.host.name).filter((h) => Object.keys(cells[h] ?? {}).length > 0);
  if (sources.length > 0) {
    const dests = report.hosts.map((o) => o.host.name).filter((d) => sources.some((src) => cells[src]?.[d] !== undefined));
    parts.push('<section id="reach"><h2>Reachability</h2><p class="meta">Row host connects to column host on the ports the platform needs; a refused connection counts as reachable (nothing listens before the install), a dropped one does not.</p><div class="scroll"><table><thead><tr><th class="check">from \\ to</th>');
    for (const d of dests) parts.push(`<th>${e(d)}</th>`);
    parts.push('</tr></thead><tbody>');
    for (const src of sources) {
      parts.push(`<tr><th class="check">${e(src)}</th>`);
      for (const d of dests) {
        const c = cells[src]?.[d];
        if (c === undefined) parts.push('<td class="na">·</td>');
        else if (c === null) parts.push(cell('error', 'not measured'));
        else if (c.unreachable.length === 0 && c.resolves) parts.push(cell('pass', `ok (${c.ports})`));
        else {
          const text = c.unreachable.length > 0 ? `${formatPorts(c.unreachable.map((u) => u.port))} ${[...new Set(c.unreachable.map((u) => u.state))].join('/')}` : 'name does not resolve';
          // Only dropped ports (filtered) and a name that resolves: unknown before the install, a warning as in net.reach.
          parts.push(cell(c.resolves && c.unreachable.every((u) => u.state === 'filtered') ? 'warn' : 'fail', text));
        }
      }
      parts.push('</tr>');
    }
    parts.push('</tbody></table></div></section>');
  }

  parts.push('<section id="findings"><h2>Failures, warnings and waivers</h2>');
  let any = false;
  for (const o of report.hosts) {
    for (const f of o.findings) {
      if (f.status === 'pass') continue;
      any = true;
      parts.push(
        `<div class="finding ${f.waived ? 'waived' : f.status}"><span class="tag">${e(f.waived ? `WAIVED (${f.status})` : f.status.toUpperCase())}</span> <b>${e(o.host.name)}</b> <code>${e(f.id)}</code> — ${e(f.message)}` +
          (f.status === 'error' ? '' : `<div>expected: ${e(f.expected)}; found: ${e(f.actual)}</div>`) +
          (f.waived ? `<div class="fix"><b>Waived:</b> ${e(waiverLine(f.waived))}</div>` : '') +
          (f.waiverExpired ? `<div class="fix"><b>Waiver expired:</b> ${e(waiverLine(f.waiverExpired))}</div>` : '') +
          (f.remediation && !f.waived ? `<div class="fix"><b>Fix:</b> ${e(f.remediation)}</div>` : '') +
          '</div>',
      );
    }
  }
  if (!any) parts.push('<p>None.</p>');
  parts.push('</section>', pageEnd());
  return redact(parts.join(''));
}

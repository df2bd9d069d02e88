/**
 * `apply --report-html FILE` (docs/reporting.md): one self-contained page for the change record: the
 * outcome and why the run stopped, the recap per host, and every step per host with its status,
 * duration, change and message. Everything a host or an inventory supplied is escaped and redacted.
 */
import type { HostStatus, StepStatus } from '../engine/apply/events.js';
import { redact } from '../secrets/registry.js';
import { DocumentReporter } from './document-reporter.js';
import { diffText } from './diff-text.js';
import { consoleText } from './console-text.js';
import { escapeMarkup } from './escape.js';
import { cards, pageEnd, pageStart, summaryStart } from './html-page.js';
import type { PlaybookRunMeta } from './meta.js';
import type { ReportStream } from './run-reporter.js';
import type { RunTally } from './run-tally.js';
import { APPLY_SCHEME } from './status-scheme.js';
import { toApplyJson, type ApplyEnd } from './apply-json.js';

/** Redact before escaping (a secret with & or < in it no longer matches once escaped); a host's control characters shown as \x1b. */
const e = (s: string) => escapeMarkup(consoleText(redact(s)));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderApplyHtml(tally: RunTally<StepStatus, HostStatus>, end: ApplyEnd, meta?: PlaybookRunMeta): string {
  const doc = toApplyJson(tally, end);
  const s = doc.summary;
  const parts: string[] = [];
  const started = tally.startedAtIso ?? meta?.startedAt ?? '';
  parts.push(pageStart('cortex-deploy apply', `${tally.playbook ? `Playbook ${tally.playbook} · ` : ''}${started ? `started ${started} · ` : ''}${s.hosts} hosts · ${secs(tally.durationMs())}`, meta));
  const verdict = end.outcome === 'ok' ? ['ok', s.changed ? 'Applied: every host is in its desired state' : 'Nothing to change: every host was already in its desired state'] : end.outcome === 'interrupted' ? ['changed', 'Interrupted: running steps finished, nothing new started'] : ['failed', 'Failed'];
  parts.push(summaryStart(verdict[0]!, `${verdict[1]!} (exit code ${end.exitCode})`));
  if (doc.reason) parts.push(`<p class="msg" id="reason">${e(doc.reason)}</p>`);
  parts.push(
    cards([
      ['steps changed', s.changed, 'changed'],
      ['steps failed', s.failed, 'failed'],
      ['steps skipped', s.skipped, 'skipped'],
      ['steps ok', s.ok, 'ok'],
      ['hosts unreachable', s.unreachable, 'unreachable'],
    ]),
    '</section>',
  );

  parts.push('<section id="recap"><h2>Recap</h2><table><thead><tr><th>host</th><th>status</th><th>ok</th><th>changed</th><th>failed</th><th>skipped</th><th>unreachable</th><th>message</th></tr></thead><tbody>');
  for (const h of tally.hosts.values()) {
    const r = tally.recap(h.name);
    const st = h.status ?? 'not finished';
    parts.push(`<tr><th>${e(h.name)}</th><td class="${e(st)}">${e(st)}</td>${(['ok', 'changed', 'failed', 'skipped'] as const).map((k) => `<td class="n${r[k] > 0 && k !== 'ok' ? ` ${k}` : ''}">${r[k]}</td>`).join('')}<td class="n${r.unreachable ? ' unreachable' : ''}">${r.unreachable}</td><td class="msg">${e(h.message ?? '')}</td></tr>`);
  }
  parts.push('</tbody></table></section>');

  parts.push('<section id="steps"><h2>Steps per host</h2>');
  for (const h of tally.hosts.values()) {
    const resumed = doc.hosts.find((x) => x.name === h.name)?.steps.filter((x) => x.resumed).length ?? 0;
    parts.push(`<h3>${e(h.name)}</h3>`);
    if (resumed) parts.push(`<p class="meta">${resumed} step${resumed === 1 ? '' : 's'} finished in the interrupted run this one resumed.</p>`);
    if (h.steps.length === 0) {
      parts.push('<p>No steps ran.</p>');
      continue;
    }
    parts.push('<table><thead><tr><th>phase</th><th>step</th><th>status</th><th>time</th><th>change</th><th>message</th></tr></thead><tbody>');
    for (const st of h.steps) {
      parts.push(`<tr><td>${e(st.phase)}</td><td>${e(st.id)}</td><td class="${e(st.status)}">${e(st.status)}</td><td class="n">${secs(st.durationMs)}</td><td class="msg">${e(diffText(st.diff))}</td><td class="msg">${e(st.message ?? '')}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }
  parts.push('</section>', pageEnd());
  return redact(parts.join(''));
}

export function applyHtmlReporter(stream: ReportStream, meta?: PlaybookRunMeta): DocumentReporter<StepStatus, HostStatus, ApplyEnd> {
  return new DocumentReporter(APPLY_SCHEME, (t, end: ApplyEnd) => renderApplyHtml(t, end, meta), stream);
}

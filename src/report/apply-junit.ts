/**
 * `apply --report-junit FILE` (docs/reporting.md): one <testsuite> per host, one <testcase> per step
 * (named phase/step), so CI shows an apply like a test run. failed → <failure> with the message,
 * skipped → <skipped>, changed passes with the change in <system-out>; an unreachable host gets one
 * testcase, host.reachable, in <error>.
 */
import type { HostStatus, StepStatus } from '../engine/apply/events.js';
import { redact } from '../secrets/registry.js';
import { DocumentReporter } from './document-reporter.js';
import { diffText } from './diff-text.js';
import { escapeMarkup, stripXmlInvalid } from './escape.js';
import type { ReportStream } from './run-reporter.js';
import type { RunTally } from './run-tally.js';
import { APPLY_SCHEME } from './status-scheme.js';
import type { ApplyEnd } from './apply-json.js';

/** Redact before escaping: a secret with & or < in it no longer matches once escaped. */
const x = (s: string) => escapeMarkup(stripXmlInvalid(redact(s)));
const secs = (ms: number) => (ms / 1000).toFixed(3);

export function renderApplyJunit(tally: RunTally<StepStatus, HostStatus>, end: ApplyEnd): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const h of tally.hosts.values()) {
    const cases: string[] = [];
    let f = 0;
    let s = 0;
    let err = 0;
    for (const st of h.steps) {
      const head = `    <testcase classname="apply.${x(h.name)}" name="${x(`${st.phase}/${st.id}`)}" time="${secs(st.durationMs)}">`;
      if (st.status === 'failed') {
        f++;
        const body = [st.message ?? 'failed', diffText(st.diff) && `change: ${diffText(st.diff)}`, st.attempts ? `attempts: ${st.attempts}` : ''].filter(Boolean).join('\n');
        cases.push(`${head}<failure type="failed" message="${x(st.message ?? 'failed')}">${x(body)}</failure></testcase>`);
      } else if (st.status === 'skipped') {
        s++;
        cases.push(`${head}<skipped message="${x(st.message ?? 'skipped')}"/></testcase>`);
      } else if (st.status === 'changed') {
        cases.push(`${head}<system-out>${x(`changed${diffText(st.diff) ? `: ${diffText(st.diff)}` : ''}${st.message ? `\n${st.message}` : ''}`)}</system-out></testcase>`);
      } else cases.push(`${head}</testcase>`);
    }
    if (h.status === 'unreachable') {
      err++;
      cases.push(`    <testcase classname="apply.${x(h.name)}" name="host.reachable" time="0"><error type="unreachable" message="${x(h.message ?? 'unreachable')}">${x(h.message ?? 'unreachable')}</error></testcase>`);
    }
    const n = cases.length;
    tests += n;
    failures += f;
    errors += err;
    skipped += s;
    const ms = (h.finishedAt ?? h.startedAt ?? 0) - (h.startedAt ?? 0);
    suites.push(`  <testsuite name="${x(h.name)}" tests="${n}" failures="${f}" errors="${err}" skipped="${s}" time="${secs(ms)}">`);
    suites.push(`    <properties><property name="status" value="${x(h.status ?? 'not finished')}"/></properties>`, ...cases, '  </testsuite>');
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const stamp = tally.startedAtIso ? ` timestamp="${x(tally.startedAtIso)}"` : '';
  out.push(`<testsuites name="cortex-deploy apply" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(tally.durationMs())}"${stamp}>`);
  out.push(...suites);
  if (end.reason) out.push(`  <!-- ${x(end.reason).replace(/--/g, '- -')} -->`);
  out.push('</testsuites>', '');
  return redact(out.join('\n'));
}

export function applyJunitReporter(stream: ReportStream): DocumentReporter<StepStatus, HostStatus, ApplyEnd> {
  return new DocumentReporter(APPLY_SCHEME, renderApplyJunit, stream);
}

/**
 * `--report-junit FILE`: one <testsuite> per host, one <testcase> per host × check, so CI systems show
 * preflight like a test run. fail → <failure>, error → <error>, both carrying expected, actual and the
 * remediation; warn passes with the warning in <system-out>; a waived warn or fail is <skipped> with
 * the waiver's reason (CI shows accepted findings apart from passes and failures).
 */
import { CHECKS } from '../preflight/check-ids.js';
import type { PreflightReport } from '../preflight/outcome.js';
import { redact } from '../secrets/registry.js';
import { escapeMarkup, stripXmlInvalid } from './escape.js';
import type { WaiverNote } from '../preflight/waivers.js';

/** Redact before escaping: a secret with & or < in it no longer matches once escaped. */
const x = (s: string) => escapeMarkup(stripXmlInvalid(redact(s)));

export function renderPreflightJunit(report: PreflightReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = report.hosts.flatMap((o) => o.findings);
  const count = (s: string) => all.filter((f) => f.status === s && !f.waived).length;
  out.push(`<testsuites name="cortex-deploy preflight" tests="${all.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${all.filter((f) => f.waived).length}" time="${(report.summary.durationMs / 1000).toFixed(3)}" timestamp="${x(report.startedAt)}">`);
  for (const o of report.hosts) {
    const f = o.findings;
    out.push(
      `  <testsuite name="${x(o.host.name)}" hostname="${x(o.host.address)}" tests="${f.length}" failures="${f.filter((i) => i.status === 'fail' && !i.waived).length}" errors="${f.filter((i) => i.status === 'error').length}" skipped="${f.filter((i) => i.waived).length}" time="${(o.durationMs / 1000).toFixed(3)}">`,
    );
    out.push(`    <properties><property name="roles" value="${x(o.host.roles.join(','))}"/><property name="reachable" value="${o.reachable}"/></properties>`);
    for (const i of f) {
      const head = `    <testcase classname="preflight.${x(o.host.name)}" name="${x(i.id)}" time="0">`;
      const body = `${CHECKS[i.id].title}\nexpected: ${i.expected}\nactual: ${i.actual}\n${i.message}${i.remediation ? `\nremediation: ${i.remediation}` : ''}`;
      const expired = i.waiverExpired ? `\n${waiverText('waiver expired', i.waiverExpired)}` : '';
      if (i.waived) out.push(`${head}<skipped message="${x(waiverText(`waived (${i.status})`, i.waived))}">${x(`${body}\n${waiverText('waived', i.waived)}`)}</skipped></testcase>`);
      else if (i.status === 'pass') out.push(`${head}</testcase>`);
      else if (i.status === 'warn') out.push(`${head}<system-out>${x(`WARN: ${body}${expired}`)}</system-out></testcase>`);
      else {
        const tag = i.status === 'fail' ? 'failure' : 'error';
        out.push(`${head}<${tag} type="${i.status}" message="${x(`${i.message}${i.remediation ? ` Fix: ${i.remediation}` : ''}`)}">${x(`${body}${expired}`)}</${tag}></testcase>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return redact(out.join('\n'));
}

function waiverText(label: string, w: WaiverNote): string {
  return `${label}: ${w.reason} (${w.expires ? `until ${w.expires}` : 'no expiry'}; ${w.source})`;
}

/**
 * plan's reports (docs/reporting.md): `plan --json` / `--report-json` (the planDocument shape,
 * {changes:[{host,step,resource,action,from,to}],summary}, with skipped, problems and meta), JUnit (a
 * testsuite per host, a testcase per step: a pending change passes with the change in <system-out>,
 * a skipped step is <skipped>, a step that could not be planned is an <error>, an unreachable host
 * one host.reachable <error>) and a self-contained HTML page. A plan is computed whole, not streamed:
 * these render the Plan; the CLI writes them where it is told.
 */
import { z } from 'zod';
import { planDocument, type Plan } from '../engine/plan/plan.js';
import { redact, redactDeep } from '../secrets/registry.js';
import { valueText } from './diff-text.js';
import { consoleText } from './console-text.js';
import { escapeMarkup, stripXmlInvalid } from './escape.js';
import { cards, pageEnd, pageStart, summaryStart } from './html-page.js';
import type { PlaybookRunMeta } from './meta.js';

export const PlanJsonSchema = z.object({
  changes: z.array(z.object({ host: z.string(), step: z.string(), resource: z.string(), action: z.enum(['create', 'update', 'none']), from: z.unknown(), to: z.unknown() })),
  /** The component versions the changes move, with the order apply takes the hosts in (docs/upgrades.md). */
  upgrades: z.array(
    z.object({
      component: z.string(),
      from: z.array(z.string().nullable()),
      to: z.string(),
      phase: z.string(),
      step: z.string(),
      atOnce: z.number().int().positive(),
      hosts: z.array(z.object({ host: z.string(), from: z.string().nullable(), wave: z.number().int().nonnegative() })),
      within: z.object({ unit: z.string(), order: z.array(z.string()) }).optional(),
    }),
  ),
  summary: z.object({ hosts: z.number().int(), create: z.number().int(), update: z.number().int(), unchanged: z.number().int(), skipped: z.number().int(), errors: z.number().int(), unreachable: z.number().int(), refused: z.number().int() }),
  skipped: z.array(z.object({ host: z.string(), step: z.string(), reason: z.string() })),
  problems: z.array(z.object({ host: z.string(), step: z.string().optional(), kind: z.enum(['unreachable', 'error', 'refused']), message: z.string() })),
  meta: z.object({ inventory: z.string(), playbook: z.string(), toolVersion: z.string(), runId: z.string(), startedAt: z.string(), operator: z.string() }).optional(),
});

export type PlanJson = z.infer<typeof PlanJsonSchema>;

export function toPlanJson(plan: Plan, meta?: PlaybookRunMeta): PlanJson {
  return redactDeep({ ...planDocument(plan), ...(meta ? { meta: { ...meta } } : {}) });
}

export function renderPlanJson(plan: Plan, meta?: PlaybookRunMeta): string {
  return `${JSON.stringify(toPlanJson(plan, meta), null, 2)}\n`;
}

/** Hosts in the order the plan first names them (schedule order), unreachable ones included. */
function hostsOf(plan: Plan): string[] {
  return [...new Set([...plan.changes.map((c) => c.host), ...plan.skipped.map((s) => s.host), ...plan.problems.map((p) => p.host)])];
}

/** What a change does, in words: "create: path=C:\Cortex", "from → to", "unchanged". */
export function changeText(c: Plan['changes'][number]): string {
  return c.action === 'none' ? 'unchanged' : c.action === 'create' ? `create: ${valueText(c.to)}` : `${valueText(c.from)} → ${valueText(c.to)}`;
}

/** Redact before escaping: a secret with & or < in it no longer matches once escaped. */
const x = (s: string) => escapeMarkup(stripXmlInvalid(redact(s)));

export function renderPlanJunit(plan: Plan): string {
  const suites: string[] = [];
  let tests = 0;
  let errors = 0;
  let skipped = 0;
  for (const host of hostsOf(plan)) {
    const cases: string[] = [];
    const tc = (name: string, body = '') => `    <testcase classname="plan.${x(host)}" name="${x(name)}" time="0">${body}</testcase>`;
    for (const c of plan.changes.filter((i) => i.host === host)) cases.push(tc(c.step, c.action === 'none' ? '' : `<system-out>${x(`${c.resource}: ${changeText(c)}`)}</system-out>`));
    const sk = plan.skipped.filter((i) => i.host === host);
    for (const s of sk) cases.push(tc(s.step, `<skipped message="${x(s.reason)}"/>`));
    const pr = plan.problems.filter((i) => i.host === host);
    for (const p of pr) cases.push(tc(p.step ?? 'host.reachable', `<error type="${p.kind}" message="${x(p.message)}">${x(p.message)}</error>`));
    tests += cases.length;
    errors += pr.length;
    skipped += sk.length;
    suites.push(`  <testsuite name="${x(host)}" tests="${cases.length}" failures="0" errors="${pr.length}" skipped="${sk.length}" time="0">`, ...cases, '  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cortex-deploy plan" tests="${tests}" failures="0" errors="${errors}" skipped="${skipped}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Redacted, control characters made visible (\x1b), escaped. */
const e = (s: string) => escapeMarkup(consoleText(redact(s)));

export function renderPlanHtml(plan: Plan, meta?: PlaybookRunMeta): string {
  const s = plan.summary;
  const parts = [pageStart('cortex-deploy plan', `Playbook ${plan.playbook} · ${s.hosts} hosts`, meta)];
  const pending = s.create + s.update;
  const verdict = s.errors + s.unreachable > 0 ? ['failed', 'Incomplete: some steps could not be planned'] : pending > 0 ? ['changed', `${pending} change${pending === 1 ? '' : 's'} to apply`] : ['ok', 'No changes: every host is in its desired state'];
  parts.push(summaryStart(verdict[0]!, verdict[1]!));
  parts.push(
    cards([
      ['to create', s.create, 'create'],
      ['to update', s.update, 'update'],
      ['unchanged', s.unchanged, 'none'],
      ['skipped', s.skipped, 'skipped'],
      ['errors', s.errors, 'failed'],
      ['hosts unreachable', s.unreachable, 'unreachable'],
    ]),
    '</section>',
  );
  parts.push('<section id="changes"><h2>Changes per host</h2>');
  for (const host of hostsOf(plan)) {
    parts.push(`<h3>${e(host)}</h3><table><thead><tr><th>step</th><th>resource</th><th>action</th><th>change</th></tr></thead><tbody>`);
    for (const c of plan.changes.filter((i) => i.host === host)) parts.push(`<tr><td>${e(c.step)}</td><td>${e(c.resource)}</td><td class="${c.action}">${c.action}</td><td class="msg">${e(changeText(c))}</td></tr>`);
    for (const k of plan.skipped.filter((i) => i.host === host)) parts.push(`<tr><td>${e(k.step)}</td><td></td><td class="skipped">skipped</td><td class="msg">${e(k.reason)}</td></tr>`);
    for (const p of plan.problems.filter((i) => i.host === host)) parts.push(`<tr><td>${e(p.step ?? '')}</td><td></td><td class="${p.kind === 'unreachable' ? 'unreachable' : 'failed'}">${p.kind}</td><td class="msg">${e(p.message)}</td></tr>`);
    parts.push('</tbody></table>');
  }
  parts.push('</section>', pageEnd());
  return parts.join('');
}

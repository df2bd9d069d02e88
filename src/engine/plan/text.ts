/**
 * The plan as people read it (issue 11, "plan"): per host and step `+ create`, `~ update (from → to)`
 * or `= unchanged`, then a summary. A pure function returning lines; the CLI prints them.
 */
import type { Plan } from './plan.js';

function show(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(', ');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  let host = '';
  for (const c of plan.changes) {
    if (c.host !== host) {
      host = c.host;
      lines.push(`${host}:`);
    }
    if (c.action === 'create') lines.push(`  + ${c.step}: ${c.resource} (create: ${show(c.to)})`);
    else if (c.action === 'update') lines.push(`  ~ ${c.step}: ${c.resource} (${show(c.from)} → ${show(c.to)})`);
    else lines.push(`  = ${c.step}: ${c.resource}`);
  }
  for (const p of plan.problems) lines.push(`! ${p.host}${p.step ? `, step ${p.step}` : ''}: ${p.kind === 'unreachable' ? `unreachable: ${p.message}` : p.message}`);
  const s = plan.summary;
  lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.unchanged} unchanged, ${s.skipped} skipped; ${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.unreachable} unreachable, on ${s.hosts} host${s.hosts === 1 ? '' : 's'}.`);
  return lines;
}

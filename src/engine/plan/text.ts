/**
 * The plan as people read it (issue 11, "plan"): per host and step `+ create`, `~ update (from → to)`
 * or `= unchanged`, then a summary. A pure function returning lines; the CLI prints them.
 */
import type { Plan } from './plan.js';
import { upgradeLines } from './upgrades.js';

function show(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(', ');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function planLines(plan: Plan): string[] {
  const lines: string[] = [...upgradeLines(plan.upgrades)];
  // Changes come in schedule order (step by step across hosts); people read a plan host by host, each
  // host's steps in the order they will run.
  const byHost = new Map<string, Plan['changes']>();
  for (const c of plan.changes) {
    const list = byHost.get(c.host);
    if (list) list.push(c);
    else byHost.set(c.host, [c]);
  }
  for (const [host, changes] of byHost) {
    lines.push(`${host}:`);
    for (const c of changes) lines.push(changeLine(c));
  }
  for (const p of plan.problems) lines.push(`! ${p.host}${p.step ? `, step ${p.step}` : ''}: ${p.kind === 'unreachable' ? `unreachable: ${p.message}` : p.message}`);
  const s = plan.summary;
  const refused = s.refused ? `, ${s.refused} refused` : '';
  lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.unchanged} unchanged, ${s.skipped} skipped; ${s.errors} error${s.errors === 1 ? '' : 's'}${refused}, ${s.unreachable} unreachable, on ${s.hosts} host${s.hosts === 1 ? '' : 's'}.`);
  return lines;
}

/** A change that depends on earlier ones (`to: {knownAfter, now}`): what it will be is known after those. */
function knownAfter(to: unknown): string | null {
  const k = (to as { knownAfter?: unknown } | null)?.knownAfter;
  if (!Array.isArray(k)) return null;
  const now = (to as { now?: unknown }).now;
  return `known after apply of ${k.join(', ')}${typeof now === 'string' ? `; now: ${now}` : ''}`;
}

function changeLine(c: Plan['changes'][number]): string {
  const later = c.action === 'none' ? null : knownAfter(c.to);
  if (later !== null) return `  ${c.action === 'create' ? '+' : '~'} ${c.step}: ${c.resource} (${later})`;
  if (c.action === 'create') return `  + ${c.step}: ${c.resource} (create: ${show(c.to)})`;
  if (c.action === 'update') return `  ~ ${c.step}: ${c.resource} (${show(c.from)} → ${show(c.to)})`;
  return `  = ${c.step}: ${c.resource}`;
}

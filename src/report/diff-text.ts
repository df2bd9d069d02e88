/** A step's change in words, for the reports: "create: path=C:\Cortex", "version=1.0 → version=2.0". */
import type { StepDiff } from '../engine/apply/events.js';

/** A value as a person reads it: objects as k=v pairs, (none) for nothing. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(', ');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function diffText(d: StepDiff | undefined): string {
  if (!d || d.action === 'none') return '';
  return d.action === 'create' ? `create: ${valueText(d.to)}` : `${valueText(d.from)} → ${valueText(d.to)}`;
}

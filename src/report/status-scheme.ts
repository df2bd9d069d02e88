/**
 * What the statuses of a run mean to a reporter: apply speaks ok/changed/failed/skipped per step,
 * preflight pass/warn/fail/error per check. The reporters are generic; a scheme tells them which
 * statuses count as changed or failed, the recap's columns, and how each status is written.
 */
import type { createColors } from 'picocolors';
import type { HostStatus, StepStatus } from '../engine/apply/events.js';
import type { PreflightHostStatus, PreflightStepStatus } from '../preflight/events.js';

export type Colors = ReturnType<typeof createColors>;

export interface StatusScheme<S extends string, H extends string> {
  /** What the run is called in the live view and the recap ("apply", "preflight"). */
  label: string;
  /** What a step is called ("steps", "checks"). */
  noun: string;
  /** Step statuses in the recap's column order. */
  steps: readonly S[];
  /** The statuses that did something (counted as "changed" in the live view); none for a read-only run. */
  changed: readonly S[];
  failed: readonly S[];
  /** Statuses a host's one-line summary does not list one by one (it counts them). */
  quiet: readonly S[];
  /** The status a host finishes with when it could not be reached. */
  unreachable: H;
  /** A failed host (unreachable ones are counted apart). */
  hostFailed(h: H): boolean;
  /** How a status reads in one-line output (preflight writes FAIL). */
  text(status: S | H): string;
  paint(c: Colors, status: S | H, text: string): string;
}

export const APPLY_SCHEME: StatusScheme<StepStatus, HostStatus> = {
  label: 'apply',
  noun: 'steps',
  steps: ['ok', 'changed', 'failed', 'skipped'],
  changed: ['changed'],
  failed: ['failed'],
  quiet: ['ok', 'changed', 'skipped'],
  unreachable: 'unreachable',
  hostFailed: (h) => h === 'failed',
  text: (s) => s,
  paint: (c, s, text) => (s === 'ok' ? c.green(text) : s === 'changed' ? c.yellow(text) : s === 'skipped' ? c.cyan(text) : s === 'unreachable' ? c.magenta(c.bold(text)) : c.red(c.bold(text))),
};

const CHECK_TEXT: Record<PreflightHostStatus | PreflightStepStatus, string> = { waived: 'waived', pass: 'ok', warn: 'warn', fail: 'FAIL', error: 'err', unreachable: 'unreachable', interrupted: 'interrupted' };

/** Preflight: a step is a check; a host ends with its worst check (docs/preflight.md). */
export const PREFLIGHT_SCHEME: StatusScheme<PreflightStepStatus, PreflightHostStatus> = {
  label: 'preflight',
  noun: 'checks',
  steps: ['pass', 'warn', 'fail', 'error', 'waived'],
  changed: [],
  failed: ['fail', 'error'],
  quiet: ['pass'],
  unreachable: 'unreachable',
  hostFailed: (h) => h === 'fail' || h === 'error',
  text: (s) => CHECK_TEXT[s],
  paint: (c, s, text) => (s === 'pass' ? c.green(text) : s === 'waived' ? c.blue(text) : s === 'warn' || s === 'interrupted' ? c.yellow(text) : s === 'fail' ? c.red(c.bold(text)) : c.magenta(c.bold(text))),
};

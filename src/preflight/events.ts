/**
 * Preflight speaks the run-event stream every reporter reads (src/engine/apply/events.ts): host
 * started, one "step" per check with its status, host finished. Its vocabulary: checks are pass,
 * warn, fail or error; a host ends with its worst check, or unreachable, or interrupted.
 */
import type { RunEvent } from '../engine/apply/events.js';
import type { CheckStatus } from './finding.js';
import { hostStatus, type HostOutcome } from './outcome.js';

export type PreflightHostStatus = CheckStatus | 'unreachable' | 'interrupted';
/** A check's status as reporters show it: a waived warn or fail is `waived` (docs/preflight.md, "Waivers"). */
export type PreflightStepStatus = CheckStatus | 'waived';
export type PreflightEvent = RunEvent<PreflightStepStatus, PreflightHostStatus>;

/** A finished host as events: one step-finished per finding (in the report's order), then host-finished. */
export function outcomeEvents(o: HostOutcome): PreflightEvent[] {
  const host = o.host.name;
  const status: PreflightHostStatus = o.interrupted ? 'interrupted' : !o.reachable ? 'unreachable' : hostStatus(o);
  const firstProblem = o.findings.find((f) => f.status !== 'pass' && !f.waived)?.message;
  return [
    // Checks are judged together once the probes are back: each takes no time of its own.
    ...o.findings.map((f): PreflightEvent => ({ type: 'step-finished', host, step: f.id, phase: 'preflight', status: f.waived ? 'waived' : f.status, durationMs: 0, attempts: 1, message: f.message })),
    { type: 'host-finished', host, status, ...(status === 'unreachable' || status === 'interrupted' ? { message: firstProblem } : {}) },
  ];
}

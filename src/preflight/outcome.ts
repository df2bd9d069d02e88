/**
 * The result of a preflight run, as every reporter (console, JSON, JUnit, HTML) reads it, and the
 * decisions made on the whole: the summary and the exit code (docs/exit-codes.md).
 */
import { ExitCode, worstExitCode, type ExitCodeValue } from '../exit-codes.js';
import { worstStatus, type CheckStatus, type Finding, type PreflightHost } from './finding.js';
import type { ReachMatrix } from './reach.js';
import { effectiveStatus } from './waivers.js';

export interface HostOutcome {
  host: PreflightHost;
  /** False when the connection or the login failed: its only finding is host.reachable (error). */
  reachable: boolean;
  /** The run was interrupted: this host was never started, or was stopped before its probes ended. */
  interrupted?: 'not-started' | 'stopped';
  /** The session was not tried because the host's settings are unusable (a secret that cannot be resolved): exit 3. */
  invalidInput?: boolean;
  findings: Finding[];
  durationMs: number;
}

export interface PreflightSummary {
  hosts: number;
  /** Hosts by their worst finding. */
  passed: number;
  warned: number;
  failed: number;
  unreachable: number;
  /** Findings by status, over all hosts; a waived warn or fail counts under `waived` only. */
  checks: Record<CheckStatus | 'waived', number>;
  durationMs: number;
  exitCode: ExitCodeValue;
  /** Present when the run was interrupted (exit code 130): the hosts left undone. */
  interrupted?: { notStarted: string[]; stopped: string[] };
}

export interface PreflightReport {
  startedAt: string;
  hosts: HostOutcome[];
  matrix: ReachMatrix;
  summary: PreflightSummary;
}

/** The host's verdict: its worst finding, waived findings read as passes. */
export function hostStatus(o: HostOutcome): CheckStatus {
  return worstStatus(o.findings.map(effectiveStatus));
}

/** How strict the verdict is (`--fail-on`): 'fail' lets warnings pass; 'warn' makes a warning fail the run too. */
export type FailOn = 'fail' | 'warn';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['fail', 'warn'];

/**
 * 3 if a host's settings were unusable; 2 if a host could not be reached or refused the login; else 1
 * if any check failed or errored (or, with failOn 'warn', warned); else 0. Waived findings do not count.
 */
export function exitCodeOf(outcomes: readonly HostOutcome[], failOn: FailOn = 'fail'): ExitCodeValue {
  return worstExitCode(
    outcomes.map((o) => {
      if (o.interrupted) return ExitCode.Ok; // left undone, not failed: the command exits 130
      if (o.invalidInput) return ExitCode.InvalidInput;
      if (!o.reachable) return ExitCode.Unreachable;
      const s = hostStatus(o);
      return s === 'fail' || s === 'error' || (failOn === 'warn' && s === 'warn') ? ExitCode.Failed : ExitCode.Ok;
    }),
  );
}

export function summarize(outcomes: readonly HostOutcome[], durationMs: number): PreflightSummary {
  const checks: Record<CheckStatus | 'waived', number> = { pass: 0, warn: 0, fail: 0, error: 0, waived: 0 };
  let passed = 0;
  let warned = 0;
  let failed = 0;
  let unreachable = 0;
  for (const o of outcomes) {
    if (o.interrupted) continue;
    for (const f of o.findings) checks[f.waived ? 'waived' : f.status]++;
    if (!o.reachable) unreachable++;
    else {
      const s = hostStatus(o);
      if (s === 'pass') passed++;
      else if (s === 'warn') warned++;
      else failed++;
    }
  }
  return { hosts: outcomes.length, passed, warned, failed, unreachable, checks, durationMs, exitCode: exitCodeOf(outcomes) };
}

/**
 * Run events (issue 11: "every reporter consumes one stream of run events"): host started, step
 * started, step finished with status, diff and duration, host finished; and the run's own milestones.
 * The journal writes them; reporters render them.
 */
import type { DiffAction } from '../../resources/index.js';

export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped';
export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

export interface StepDiff {
  action: DiffAction;
  from: unknown;
  to: unknown;
}

/**
 * The stream, generic over its vocabulary so that every command speaks it: apply's steps are
 * ok/changed/failed/skipped; preflight's "steps" are its checks (pass/warn/fail/error). Reporters
 * (src/report/) take a status scheme that says which statuses count as changed or failed.
 */
export type RunEvent<S extends string = StepStatus, H extends string = HostStatus> =
  | { type: 'run-started'; playbook: string; hosts: string[]; at: string }
  | {
      type: 'phase-started';
      phase: string;
      batch: number;
      hosts: string[];
      /** Steps each host has left to run in this batch (handlers not counted): the live view's "hosts done". */
      steps?: Record<string, number> | undefined;
    }
  | { type: 'host-started'; host: string }
  /** `for`: a drain step (`<step>@<host>`) runs on `host` for this host (docs/playbooks.md, "Drain"). */
  | { type: 'step-started'; host: string; step: string; phase: string; for?: string | undefined }
  | {
      type: 'step-finished';
      host: string;
      step: string;
      phase: string;
      status: S;
      diff?: StepDiff | undefined;
      durationMs: number;
      attempts: number;
      message?: string | undefined;
      rebootRequired?: boolean | undefined;
      /** The host has a reboot pending after this step (deferred to the end of the phase). */
      rebootPending?: boolean | undefined;
      /** Handlers this step notified (it changed something and names them). */
      notified?: string[] | undefined;
      /** A drain step: the host it ran for (`host` is the host it ran on). */
      for?: string | undefined;
    }
  | { type: 'reboot-started'; host: string; reason: string }
  | { type: 'reboot-finished'; host: string; durationMs: number; ok: boolean; message?: string | undefined }
  | { type: 'health-gate'; phase: string; batch: number; ok: boolean; message?: string | undefined }
  | { type: 'host-finished'; host: string; status: H; message?: string | undefined }
  | { type: 'run-finished'; outcome: 'ok' | 'failed' | 'interrupted'; reason?: string | undefined };

export type RunEventListener<S extends string = StepStatus, H extends string = HostStatus> = (e: RunEvent<S, H>) => void;

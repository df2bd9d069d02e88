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

export type RunEvent =
  | { type: 'run-started'; playbook: string; hosts: string[]; at: string }
  | { type: 'phase-started'; phase: string; batch: number; hosts: string[] }
  | { type: 'host-started'; host: string }
  | { type: 'step-started'; host: string; step: string; phase: string }
  | {
      type: 'step-finished';
      host: string;
      step: string;
      phase: string;
      status: StepStatus;
      diff?: StepDiff | undefined;
      durationMs: number;
      attempts: number;
      message?: string | undefined;
      rebootRequired?: boolean | undefined;
      /** The host has a reboot pending after this step (deferred to the end of the phase). */
      rebootPending?: boolean | undefined;
      /** Handlers this step notified (it changed something and names them). */
      notified?: string[] | undefined;
    }
  | { type: 'reboot-started'; host: string; reason: string }
  | { type: 'reboot-finished'; host: string; durationMs: number; ok: boolean; message?: string | undefined }
  | { type: 'health-gate'; phase: string; batch: number; ok: boolean; message?: string | undefined }
  | { type: 'host-finished'; host: string; status: HostStatus; message?: string | undefined }
  | { type: 'run-finished'; outcome: 'ok' | 'failed' | 'interrupted'; reason?: string | undefined };

export type RunEventListener = (e: RunEvent) => void;

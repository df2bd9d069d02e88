/**
 * The one interface every reporter implements (issue 11: "every reporter consumes one stream of run
 * events"): the console, JSON, JUnit and HTML reporters of apply, plan and preflight all take the run
 * events as they happen and the run's end once. A reporter renders to a stream it is given; only the
 * CLI decides which stream (stdout, stderr, a file).
 */
import type { HostStatus, RunEvent, StepStatus } from '../engine/apply/events.js';

/** How a run ended: apply's ApplyResult has these fields, preflight builds one from its report. */
export interface RunEnd {
  outcome: 'ok' | 'failed' | 'interrupted';
  /** Why the run stopped early (a barrier, max-fail, a health gate, Ctrl-C), naming host and step. */
  reason?: string | undefined;
  exitCode: number;
}

export interface RunReporter<S extends string = StepStatus, H extends string = HostStatus, R extends RunEnd = RunEnd> {
  onEvent(e: RunEvent<S, H>): void;
  /** Called once, after the last event: render what is left (the recap, the document). */
  finish(result: R): void;
}

/** Where a reporter writes: a TTY (isTTY, columns), a pipe, or a collector the CLI saves to a file. */
export interface ReportStream {
  write(s: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Several reporters fed the same stream, in order (the console and --report-html at once). */
export function allReporters<S extends string, H extends string, R extends RunEnd>(...reporters: Array<RunReporter<S, H, R>>): RunReporter<S, H, R> {
  return {
    onEvent: (e) => {
      for (const r of reporters) r.onEvent(e);
    },
    finish: (result) => {
      for (const r of reporters) r.finish(result);
    },
  };
}

/** Colours on unless --no-color or NO_COLOR (https://no-color.org: any non-empty value), and only on a TTY. */
export function wantsColor(flag: boolean | undefined, env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  return flag !== false && !env.NO_COLOR && isTTY === true;
}

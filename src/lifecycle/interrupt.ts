/**
 * The one owner of SIGINT and SIGTERM for a run (docs/exit-codes.md, 130). The first signal aborts
 * the run's AbortSignal: commands stop starting new work, running work gets `graceMs` to finish,
 * then the cleanup registry releases every session (WinRS shells and resident processes), and the
 * command writes its partial report and log end record and exits 130. A second SIGINT exits at
 * once. Commands (and later the apply engine) take `signal` and `cleanups` and nothing else.
 */
import { setMaxListeners } from 'node:events';
import { CleanupRegistry, type CleanupOutcome } from './cleanup.js';

export const INTERRUPTED_EXIT_CODE = 130;
/** How long running work may go on after the first signal before its sessions are closed under it. */
export const DEFAULT_GRACE_MS = 10_000;
/** How long closing the sessions may take. */
export const CLEANUP_TIMEOUT_MS = 15_000;

export interface InterruptOptions {
  graceMs?: number;
  cleanupTimeoutMs?: number;
  /** Where the one-line notices go (stderr). */
  notify?: (line: string) => void;
  /** Ends the process on a second signal (process.exit; tests replace it). */
  exitNow?: (code: number) => void;
}

export class RunInterrupt {
  readonly cleanups = new CleanupRegistry();
  private readonly controller = new AbortController();
  private readonly graceMs: number;
  private readonly cleanupTimeoutMs: number;
  private readonly notify: (line: string) => void;
  private readonly exitNow: (code: number) => void;
  private graceTimer: NodeJS.Timeout | null = null;
  private cleanup: Promise<CleanupOutcome> | null = null;
  private detach: (() => void) | null = null;
  /** The signal that interrupted the run, or null. */
  reason: NodeJS.Signals | null = null;

  constructor(opts: InterruptOptions = {}) {
    this.graceMs = opts.graceMs ?? graceFromEnv() ?? DEFAULT_GRACE_MS;
    this.cleanupTimeoutMs = opts.cleanupTimeoutMs ?? CLEANUP_TIMEOUT_MS;
    this.notify = opts.notify ?? (() => undefined);
    this.exitNow = opts.exitNow ?? ((code) => process.exit(code));
    // Every host opening a session listens on this signal (up to --forks at once, each listener removed
    // once its session is open): Node's default limit of 10 would print a MaxListenersExceededWarning
    // on the operator's terminal at the 11th.
    setMaxListeners(0, this.controller.signal);
  }

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.reason !== null;
  }

  /** Take SIGINT and SIGTERM from Node's default (exit at once) until dispose(). */
  install(): this {
    const onSignal = (sig: NodeJS.Signals) => this.trigger(sig);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    this.detach = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    return this;
  }

  /** What a signal does (public so tests and the engine can interrupt without one). */
  trigger(sig: NodeJS.Signals): void {
    if (this.reason) {
      if (sig === 'SIGINT') {
        this.notify(`${sig} again: exiting now; sessions still open on hosts are left to time out.`);
        this.exitNow(INTERRUPTED_EXIT_CODE);
      }
      return;
    }
    this.reason = sig;
    this.notify(`${sig}: stopping. No new host is started; running work has ${Math.round(this.graceMs / 1000)} s to finish, then its sessions are closed. Press Ctrl-C again to exit at once.`);
    this.controller.abort(new Error(`interrupted by ${sig}`));
    this.graceTimer = setTimeout(() => void this.closeSessions(), this.graceMs);
    this.graceTimer.unref();
  }

  /** Release every registered session now (after the grace, or when the command is done waiting). */
  closeSessions(): Promise<CleanupOutcome> {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (!this.cleanup) this.cleanup = this.cleanups.runAll(this.cleanupTimeoutMs);
    return this.cleanup;
  }

  /** After the command is done: close what is left (when interrupted) and give the signals back. */
  async finish(): Promise<CleanupOutcome | null> {
    let outcome: CleanupOutcome | null = null;
    if (this.interrupted) {
      outcome = await this.closeSessions();
      await this.cleanups.settleLate(this.cleanupTimeoutMs);
    }
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.detach?.();
    this.detach = null;
    return outcome;
  }
}

function graceFromEnv(): number | undefined {
  const v = process.env.CORTEX_INTERRUPT_GRACE_MS;
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}


/**
 * The state every reporter reads, folded from the run events: hosts in order, each host's finished
 * steps, the step it is running and since when, the current phase batch and its progress. Pure but
 * for the clock, which is injected (tests pass the times; the console passes Date.now).
 */
import type { RunEvent, StepDiff } from '../engine/apply/events.js';
import type { StatusScheme } from './status-scheme.js';

export interface StepView<S extends string> {
  id: string;
  phase: string;
  status: S;
  durationMs: number;
  message?: string | undefined;
  diff?: StepDiff | undefined;
  attempts?: number | undefined;
  /** The phase batch it ran in (the tally's count of phase-started events; 0 before the first). */
  batchSeq: number;
}

export interface HostView<S extends string, H extends string> {
  name: string;
  state: 'pending' | 'running' | 'finished';
  /** Set at host-finished. */
  status?: H | undefined;
  message?: string | undefined;
  startedAt?: number | undefined;
  finishedAt?: number | undefined;
  steps: Array<StepView<S>>;
  current?: { step: string; phase: string; since: number } | undefined;
}

export interface PhaseView {
  name: string;
  batch: number;
  seq: number;
  hosts: string[];
  /** Steps each host has to run in the batch (the executor says); without it a host is done when it finishes. */
  steps?: Record<string, number> | undefined;
  startedAt: number;
}

export interface Progress {
  /** The phase (and batch) shown, or the run's label when there is no phase. */
  label: string;
  done: number;
  total: number;
  changed: number;
  failed: number;
  unreachable: number;
  slowest: { host: string; step?: string | undefined; ms: number } | null;
}

/** "install", or "install (batch 2)" for the later batches of a rolling phase. */
export function phaseLabel(p: { name: string; batch: number }): string {
  return p.batch > 0 ? `${p.name} (batch ${p.batch + 1})` : p.name;
}

export class RunTally<S extends string, H extends string> {
  readonly hosts = new Map<string, HostView<S, H>>();
  phase: PhaseView | null = null;
  /** Phases (batches) finished so far, with their final progress. */
  readonly phases: Array<PhaseView & { progress: Progress; finishedAt: number }> = [];
  startedAt: number | undefined;
  startedAtIso: string | undefined;
  finishedAt: number | undefined;
  playbook: string | undefined;
  outcome: 'ok' | 'failed' | 'interrupted' | undefined;
  reason: string | undefined;
  private seq = 0;

  constructor(
    readonly scheme: StatusScheme<S, H>,
    private readonly now: () => number = Date.now,
  ) {}

  private host(name: string): HostView<S, H> {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, state: 'pending', steps: [] };
      this.hosts.set(name, h);
    }
    return h;
  }

  /** Fold one event in; `at` is when it happened (default: the injected clock). */
  apply(e: RunEvent<S, H>, at: number = this.now()): void {
    this.startedAt ??= at;
    switch (e.type) {
      case 'run-started':
        this.startedAtIso = e.at;
        this.playbook = e.playbook;
        for (const h of e.hosts) this.host(h);
        break;
      case 'phase-started':
        this.closePhase(at);
        this.phase = { name: e.phase, batch: e.batch, seq: ++this.seq, hosts: [...e.hosts], steps: e.steps, startedAt: at };
        break;
      case 'host-started': {
        const h = this.host(e.host);
        h.state = 'running';
        h.startedAt = at;
        break;
      }
      case 'step-started': {
        const h = this.host(e.host);
        if (h.state === 'pending') {
          h.state = 'running';
          h.startedAt = at;
        }
        h.current = { step: e.step, phase: e.phase, since: at };
        break;
      }
      case 'step-finished': {
        const h = this.host(e.host);
        if (h.current?.step === e.step) h.current = undefined;
        h.steps.push({ id: e.step, phase: e.phase, status: e.status, durationMs: e.durationMs, message: e.message, diff: e.diff, attempts: e.attempts, batchSeq: this.seq });
        break;
      }
      case 'host-finished': {
        const h = this.host(e.host);
        h.state = 'finished';
        h.status = e.status;
        h.message = e.message;
        h.current = undefined;
        h.finishedAt = at;
        h.startedAt ??= at;
        break;
      }
      case 'run-finished':
        this.closePhase(at);
        this.finishedAt = at;
        this.outcome = e.outcome;
        this.reason = e.reason;
        break;
      default:
        // reboots and health gates: the console prints them; nothing to count.
        break;
    }
  }

  private closePhase(at: number): void {
    if (!this.phase) return;
    this.phases.push({ ...this.phase, progress: this.progress(at), finishedAt: at });
    this.phase = null;
  }

  private isUnreachable(h: HostView<S, H>): boolean {
    return h.state === 'finished' && h.status === this.scheme.unreachable;
  }

  /** The live view's numbers: for the current phase batch, or for the whole run when none is running. */
  progress(at: number = this.now()): Progress {
    const s = this.scheme;
    const p = this.phase;
    const names = p ? p.hosts : [...this.hosts.keys()];
    const views = names.map((n) => this.host(n));
    const inScope = (st: StepView<S>) => !p || st.batchSeq === p.seq;
    // A finished host's own status decides for the run as a whole (an interrupted host is neither); in a phase, its steps there.
    const failedHere = (h: HostView<S, H>) =>
      !this.isUnreachable(h) && (!p && h.state === 'finished' ? h.status !== undefined && s.hostFailed(h.status) : h.steps.some((st) => inScope(st) && s.failed.includes(st.status)));
    const done = (h: HostView<S, H>) => {
      if (h.state === 'finished' || failedHere(h)) return true;
      if (!p || p.steps === undefined) return false;
      return h.steps.filter(inScope).length >= (p.steps[h.name] ?? 0);
    };
    let slowest: Progress['slowest'] = null;
    for (const h of views) {
      if (done(h)) continue;
      // Between steps a host of a phase waits for the others: only a running step makes it slow.
      const since = h.current?.since ?? (p ? undefined : h.state === 'running' ? h.startedAt : undefined);
      if (since === undefined) continue;
      if (!slowest || at - since > slowest.ms) slowest = { host: h.name, step: h.current?.step, ms: at - since };
    }
    return {
      label: p ? phaseLabel(p) : s.label,
      done: views.filter(done).length,
      total: views.length,
      changed: views.filter((h) => h.steps.some((st) => inScope(st) && s.changed.includes(st.status))).length,
      failed: views.filter(failedHere).length,
      unreachable: views.filter((h) => this.isUnreachable(h)).length,
      slowest,
    };
  }

  /** A host's recap: steps by status, and 1 unreachable when it could not be reached. */
  recap(name: string): Record<S, number> & { unreachable: number } {
    const h = this.host(name);
    const counts = Object.fromEntries(this.scheme.steps.map((st) => [st, 0])) as Record<S, number>;
    for (const st of h.steps) counts[st.status] = (counts[st.status] ?? 0) + 1;
    return { ...counts, unreachable: this.isUnreachable(h) ? 1 : 0 };
  }

  /** Run duration so far (or in all). */
  durationMs(at: number = this.now()): number {
    return this.startedAt === undefined ? 0 : (this.finishedAt ?? at) - this.startedAt;
  }
}

/**
 * A phase's drain (docs/playbooks.md, "Drain"): steps run on other hosts (the load balancer) around each
 * host that changes, as Ansible's delegate_to. `before` runs once per host and batch, just before the
 * host's first Set (a host with nothing to change is never drained); `after` runs once the host's steps
 * of the batch are done and verified. A host that failed stays drained: putting a broken server back in
 * the pool is the one thing the drain is there to prevent, and the report says it was left drained.
 * Each run of a drain step is recorded on the host it ran on, as `<step>@<host it ran for>`, and its
 * events carry both hosts.
 * Every decision about state is the planner's (diffStep); this module only sequences.
 */
import { CortexError } from '../../errors.js';
import { diffStep } from '../plan/plan.js';
import type { Phase, Step } from '../playbook/types.js';
import type { HostAgent } from './agent.js';
import type { StepDiff, StepStatus } from './events.js';

/** What the drain needs from the run (ApplyRun supplies it). */
export interface DrainRun {
  agent(h: string): HostAgent | undefined;
  /** Whether the host is in this run and answering. */
  alive(h: string): boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
  started(onHost: string, step: string, phase: string, forHost: string): void;
  finished(onHost: string, step: Step, phase: string, forHost: string, rec: { status: StepStatus; durationMs: number; attempts: number; diff?: StepDiff | undefined; message?: string | undefined }): void;
  withTimeout<T>(step: Step, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** The record id of a drain step run for a host: `drain-web@web1` (ids cannot hold @). */
export function drainRecordId(step: Step, forHost: string): string {
  return `${step.id}@${forHost}`;
}

function messageOf(err: unknown): string {
  return err instanceof CortexError ? err.detail : err instanceof Error ? err.message : String(err);
}

export class PhaseDrains {
  /** Hosts drained and not restored yet, per phase: the `on` hosts it was drained on. */
  private readonly drained = new Map<string, Set<string>>();

  constructor(private readonly run: DrainRun) {}

  /** Hosts left drained (a failure after the drain, or a restore that failed), for the report. */
  leftDrained(): string[] {
    return [...this.drained.keys()];
  }

  /**
   * Before the host's first Set of the batch: drain it (once). ok false: the drain failed, and the
   * host's change must not start.
   */
  async before(phase: Phase, h: string): Promise<{ ok: true } | { ok: false; message: string }> {
    // A host whose drain params render to null has no drain (no balanced server takes it).
    if (!phase.drain || this.drained.has(h) || phase.drain.before.params[h] === undefined) return { ok: true };
    this.drained.set(h, new Set());
    for (const on of phase.drain.on) {
      const r = await this.runStep(phase, phase.drain.before, on, h);
      if (!r.ok) return { ok: false, message: `drain ${phase.drain.before.id} on ${on} failed: ${r.message}` };
      this.drained.get(h)!.add(on);
    }
    return { ok: true };
  }

  /** After the batch: restore each drained host whose steps all held; a failed host stays drained. */
  async after(phase: Phase, hosts: readonly string[]): Promise<void> {
    if (!phase.drain) return;
    for (const h of hosts) {
      if (!this.drained.has(h) || !this.run.alive(h)) continue;
      if (phase.drain.after.params[h] === undefined) {
        this.drained.delete(h);
        continue;
      }
      let ok = true;
      for (const on of phase.drain.on) {
        const r = await this.runStep(phase, phase.drain.after, on, h);
        if (!r.ok) ok = false;
      }
      if (ok) this.drained.delete(h);
    }
  }

  /** Test on `on` for `h`; Set and verify when it differs; retries as the step says. */
  private async runStep(phase: Phase, step: Step, on: string, h: string): Promise<{ ok: true } | { ok: false; message: string }> {
    const id = drainRecordId(step, h);
    const t0 = this.run.now();
    const agent = this.run.agent(on);
    this.run.started(on, id, phase.name, h);
    const finish = (status: StepStatus, attempts: number, extra: { diff?: StepDiff; message?: string } = {}) => {
      this.run.finished(on, step, phase.name, h, { status, durationMs: this.run.now() - t0, attempts, ...extra });
      return status === 'failed' ? { ok: false as const, message: extra.message ?? 'failed' } : { ok: true as const };
    };
    if (!agent || !this.run.alive(on)) return finish('failed', 0, { message: `host ${on} is not in this run or not answering (--limit must include the hosts the drain runs on)` });
    const request = { step: id, resource: step.resource, params: step.params[h] };
    const tested = async (): Promise<{ diff: StepDiff } | { error: string }> => {
      const t = (await agent.test([request]))[id];
      if (!t) return { error: 'no Test result for this step' };
      if ('error' in t) return { error: `Test failed: ${t.error}` };
      const d = diffStep(step, h, t.state);
      return 'error' in d ? { error: d.error } : { diff: { action: d.change.action, from: d.change.from, to: d.change.to } };
    };
    let first: StepDiff;
    try {
      const t = await tested();
      if ('error' in t) return finish('failed', 0, { message: t.error });
      first = t.diff;
    } catch (err) {
      return finish('failed', 0, { message: messageOf(err) });
    }
    if (first.action === 'none') return finish('ok', 0, { diff: first });
    const { attempts, delayMs, backoff, maxDelayMs } = step.retries;
    let last = 'failed';
    for (let i = 0; i <= attempts; i++) {
      if (i > 0) await this.run.sleep(Math.min(maxDelayMs, delayMs * backoff ** (i - 1)));
      try {
        const r = await this.run.withTimeout(step, (signal) => agent.set(request, signal));
        if (!r.ok) {
          last = r.message ?? 'Set failed';
          continue;
        }
        const v = await tested();
        if ('error' in v) last = `verifying the change: ${v.error}`;
        else if (v.diff.action !== 'none') last = `still differs after Set: ${JSON.stringify(v.diff.from)} → ${JSON.stringify(v.diff.to)}`;
        else return finish('changed', i + 1, { diff: first });
      } catch (err) {
        last = messageOf(err);
      }
    }
    return finish('failed', attempts + 1, { diff: first, message: last });
  }
}

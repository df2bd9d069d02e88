/**
 * The executor (docs/playbooks.md): walks the schedule (../plan/schedule.ts) against HostAgents.
 * - per phase batch, one batched Test per host; a step whose diff is none runs no Set;
 * - a changed step is Set (retries with backoff, a timeout), then verified by a fresh Test that also
 *   re-tests the host's remaining steps of the batch (a package step installs the service a later
 *   step configures: the first Test's answer for it is stale), so a change costs no extra round trip;
 * - barriers: every earlier step verified on the named hosts before the step starts anywhere;
 * - serial batches with a health gate between them; max_fail_percentage per phase;
 * - handlers at the end of the phase, on the hosts that notified them;
 * - reboots per the host's policy, one member of a quorum group down at a time, fresh facts after;
 * - an aborted signal (Ctrl-C): steps already running finish, nothing new starts;
 * - resume: steps finished in an earlier run are not redone; the rest are tested again first.
 * Every decision about state is the planner's (diffStep); this module only sequences.
 */
import { CortexError, OperationTimeoutError } from '../../errors.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../../exit-codes.js';
import type { Inventory } from '../../inventory/types.js';
import { ConditionContext, factPathsOf } from '../plan/conditions.js';
import { diffStep } from '../plan/plan.js';
import { schedule, type PhaseBatch, type StepRun } from '../plan/schedule.js';
import type { Phase, Playbook, Step } from '../playbook/types.js';
import { drainHostsOf, stepsOf } from '../playbook/types.js';
import type { HostAgent, ResourceRequest, TestResults } from './agent.js';
import { forEachLimit, KeyedMutex, realSleep } from './concurrency.js';
import { DEFAULT_FORKS } from '../../lifecycle/fan-out.js';
import type { HostStatus, RunEvent, RunEventListener, StepDiff, StepStatus } from './events.js';
import { PhaseDrains } from './drain.js';

/** Exit code 130: interrupted (Ctrl-C), after cleaning up (docs/exit-codes.md). */
export const EXIT_INTERRUPTED = 130;

export interface ResumeState {
  /** Steps finished in the interrupted run, per host, with their status. */
  done: Record<string, Record<string, StepStatus>>;
  /** Handlers notified in the interrupted run and not run yet, per host. */
  notified: Record<string, string[]>;
  /** Hosts left with a deferred reboot pending. */
  rebootPending: string[];
}

export interface ApplyOptions {
  inventory: Inventory;
  playbook: Playbook;
  agents: Record<string, HostAgent>;
  /** Only these hosts (--limit); default every host the playbook targets. Barriers look only at these. */
  hosts?: readonly string[] | undefined;
  /** Hosts at once within a step. Default DEFAULT_FORKS (src/lifecycle/fan-out.ts), as every command. */
  forks?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: RunEventListener | undefined;
  /** Waits between retries and health re-tests (tests pass a recorder). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  resume?: ResumeState | undefined;
}

export interface StepRecord {
  id: string;
  status: StepStatus;
  durationMs: number;
  message?: string | undefined;
  diff?: StepDiff | undefined;
  /** Finished in an earlier run (resume). */
  resumed?: boolean | undefined;
}

export interface ApplyResult {
  hosts: Array<{ name: string; status: HostStatus; steps: StepRecord[] }>;
  summary: { hosts: number; ok: number; changed: number; failed: number; skipped: number; unreachable: number };
  outcome: 'ok' | 'failed' | 'interrupted';
  /** Why the run stopped early (a barrier, max-fail, a health gate), naming host and step. */
  reason?: string | undefined;
  exitCode: ExitCodeValue | typeof EXIT_INTERRUPTED;
}

/** One phase batch: the steps each host has to run in it, and their latest Test results. */
interface BatchContext {
  tested: Map<string, TestResults>;
  steps: Map<string, Step[]>;
}

const UNREACHABLE_KINDS = new Set(['unreachable', 'auth', 'tls']);

function messageOf(err: unknown): string {
  return err instanceof CortexError ? err.detail : err instanceof Error ? err.message : String(err);
}

/**
 * The Tests each host's first round trip of the run will ask for, when they are all known before the
 * preflight gate: the steps of the first batch of the first phase on the host (tested before any change
 * is made anywhere), less those finished in the run being resumed and those whose `when:` (on vars
 * only) does not hold. A host where a step of that batch has a `when:` on facts gets none: the facts
 * are read by the gate itself, so the run's Test would need its own round trip anyway. The gate sends
 * them with its probes (SessionAgent.pretestWithProbes); the run's first test() answers from there.
 */
export function pretestRequests(pb: Playbook, inventory: Inventory, hosts: readonly string[], resume?: ResumeState): Map<string, ResourceRequest[]> {
  const out = new Map<string, ResourceRequest[]>();
  const first = schedule(pb)[0]?.batches[0];
  if (!first) return out;
  const cond = new ConditionContext(inventory, pb);
  const inBatch = new Set(first.hosts);
  const steps = first.steps.map((r) => ({ step: r.step, on: new Set(r.hostBatches.flat()), readsFacts: factPathsOf(r.step).length > 0 }));
  hosts: for (const h of hosts) {
    if (!inBatch.has(h)) continue;
    const done = resume?.done[h] ?? {};
    const requests: ResourceRequest[] = [];
    for (const r of steps) {
      if (!r.on.has(h) || (done[r.step.id] !== undefined && done[r.step.id] !== 'failed')) continue;
      if (r.readsFacts) continue hosts;
      const c = cond.evaluate(r.step, h, undefined);
      if ('error' in c) continue hosts;
      if (c.holds) requests.push({ step: r.step.id, resource: r.step.resource, params: r.step.params[h] });
    }
    if (requests.length) out.set(h, requests);
  }
  return out;
}

/** A step run's place in the schedule: phase, batch, step. */
const runKey = (phase: string, batch: number, step: Step): string => `${phase}\u0000${batch}\u0000${step.id}`;

export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  return new ApplyRun(opts).run();
}

class ApplyRun {
  private readonly pb: Playbook;
  private readonly forks: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly cond: ConditionContext;
  private readonly hosts: string[];
  private readonly status = new Map<string, 'alive' | 'failed' | 'unreachable' | 'excluded'>();
  private readonly hostMessage = new Map<string, string>();
  private readonly records = new Map<string, Map<string, StepRecord>>();
  private readonly facts = new Map<string, unknown>();
  private readonly notified = new Map<string, Set<string>>();
  private readonly rebootPending = new Set<string>();
  private readonly quorum = new KeyedMutex();
  private stopReason: string | undefined;
  private readonly drains: PhaseDrains;
  private readonly phases: Map<string, Phase>;
  /** Each host's last step run in the schedule, and hosts the run may need after their own steps (drains, a handler's run_once host). */
  private readonly lastRun = new Map<string, string>();
  private readonly schedule: ReturnType<typeof schedule>;
  private readonly neededAfterSteps: Set<string>;

  constructor(private readonly o: ApplyOptions) {
    this.pb = o.playbook;
    this.forks = o.forks ?? DEFAULT_FORKS;
    this.sleep = o.sleep ?? realSleep;
    this.now = o.now ?? Date.now;
    this.cond = new ConditionContext(o.inventory, o.playbook);
    const inPlaybook = new Set([...stepsOf(this.pb).flatMap((s) => s.runOnceOf ?? s.hosts), ...drainHostsOf(this.pb)]);
    const limit = o.hosts ? new Set(o.hosts) : undefined;
    this.hosts = o.inventory.hosts.map((h) => h.name).filter((h) => inPlaybook.has(h) && (!limit || limit.has(h)));
    for (const h of o.inventory.hosts.map((x) => x.name)) if (!this.hosts.includes(h)) this.status.set(h, 'excluded');
    for (const h of this.hosts) {
      this.status.set(h, 'alive');
      this.records.set(h, new Map());
      this.notified.set(h, new Set(o.resume?.notified[h] ?? []));
      for (const [id, st] of Object.entries(o.resume?.done[h] ?? {})) this.records.get(h)!.set(id, { id, status: st, durationMs: 0, resumed: true });
    }
    for (const h of o.resume?.rebootPending ?? []) this.rebootPending.add(h);
    this.phases = new Map(this.pb.phases.map((p) => [p.name, p]));
    this.schedule = schedule(this.pb);
    for (const ps of this.schedule) for (const [bi, b] of ps.batches.entries()) for (const r of b.steps) for (const hb of r.hostBatches) for (const h of hb) this.lastRun.set(h, runKey(ps.phase, bi, r.step));
    this.neededAfterSteps = new Set([...drainHostsOf(this.pb), ...Object.values(this.pb.handlers).flatMap((h) => (typeof h.runOnce === 'string' ? [h.runOnce] : []))]);
    this.drains = new PhaseDrains({
      agent: (h) => this.o.agents[h],
      alive: (h) => this.alive(h),
      sleep: (ms) => this.sleep(ms),
      now: () => this.now(),
      withTimeout: (step, fn) => this.withTimeout(step, fn),
      started: (on, step, phase, forHost) => this.emit({ type: 'step-started', host: on, step, phase, for: forHost }),
      finished: (on, step, phase, forHost, rec) => {
        // A host outside the run (--limit) keeps no records: the event still says what happened.
        if (!this.records.has(on)) return this.emit({ type: 'step-finished', host: on, step: `${step.id}@${forHost}`, phase, status: rec.status, durationMs: rec.durationMs, attempts: rec.attempts, message: rec.message, for: forHost });
        this.record(on, step, phase, { ...rec, for: forHost });
        if (rec.status === 'failed') this.fail(on, new Error(`step ${step.id} for ${forHost}: ${rec.message ?? 'failed'}`));
      },
    });
  }

  private emit(e: RunEvent): void {
    this.o.onEvent?.(e);
  }

  private get interrupted(): boolean {
    return this.o.signal?.aborted === true;
  }

  private get stopping(): boolean {
    return this.interrupted || this.stopReason !== undefined;
  }

  private alive(h: string): boolean {
    return this.status.get(h) === 'alive';
  }

  private agent(h: string): HostAgent {
    const a = this.o.agents[h];
    if (!a) throw new Error(`no agent for host ${h}`);
    return a;
  }

  private fail(h: string, err: unknown, fallback: 'failed' | 'unreachable' = 'failed'): void {
    const unreachable = err instanceof CortexError ? UNREACHABLE_KINDS.has(err.kind) : fallback === 'unreachable';
    if (this.status.get(h) === 'alive') this.status.set(h, unreachable ? 'unreachable' : 'failed');
    if (!this.hostMessage.has(h)) this.hostMessage.set(h, messageOf(err));
  }

  private isDone(h: string, step: string): boolean {
    const r = this.records.get(h)?.get(step);
    return r !== undefined && r.status !== 'failed';
  }

  private request(step: Step, h: string): ResourceRequest {
    return { step: step.id, resource: step.resource, params: step.params[h] };
  }

  async run(): Promise<ApplyResult> {
    this.emit({ type: 'run-started', playbook: this.pb.name, hosts: this.hosts, at: new Date(this.now()).toISOString() });
    await forEachLimit(this.hosts, this.forks, async (h) => {
      this.emit({ type: 'host-started', host: h });
      try {
        this.facts.set(h, await this.agent(h).facts());
      } catch (err) {
        this.fail(h, err, 'unreachable');
      }
    });

    const byName = new Map(this.pb.phases.map((p) => [p.name, p]));
    for (const ps of this.schedule) {
      if (this.stopping) break;
      const phase = byName.get(ps.phase)!;
      for (const [bi, batch] of ps.batches.entries()) {
        if (this.stopping) break;
        await this.runBatch(phase, bi, batch);
        // Put back the hosts drained in this batch whose steps all held (not after Ctrl-C: nothing new starts).
        if (phase.drain && !this.interrupted) await this.drains.after(phase, batch.hosts.filter((h) => this.batchDone(batch, h)));
        if (!this.stopping && batch.healthGate && phase.health) await this.healthGate(phase, bi, batch);
      }
      if (this.stopping) break;
      await this.runHandlers(phase);
      await this.deferredReboots(phase);
      this.checkMaxFail(phase);
    }
    return this.finish();
  }

  private async runBatch(phase: Phase, bi: number, batch: PhaseBatch): Promise<void> {
    const live = batch.hosts.filter((h) => this.alive(h));
    // Each step of the batch that targets a host and is not done yet ends in one step-finished there (skipped included).
    const steps = Object.fromEntries(live.map((h) => [h, batch.steps.filter((r) => r.hostBatches.some((b) => b.includes(h)) && !this.isDone(h, r.step.id)).length]));
    this.emit({ type: 'phase-started', phase: phase.name, batch: bi, hosts: live, steps });
    // One Test round trip per host for the batch's steps that still have to run there.
    const ctx: BatchContext = { tested: new Map(), steps: new Map() };
    await forEachLimit(live, this.forks, async (h) => {
      const steps = batch.steps
        .filter((r) => r.hostBatches.some((b) => b.includes(h)) && !this.isDone(h, r.step.id))
        .filter((r) => {
          const c = this.cond.evaluate(r.step, h, this.facts.get(h));
          return !('holds' in c) || c.holds;
        })
        .map((r) => r.step);
      ctx.steps.set(h, steps);
      if (!steps.length) return;
      try {
        ctx.tested.set(h, await this.agent(h).test(steps.map((s) => this.request(s, h))));
      } catch (err) {
        this.fail(h, err);
      }
    });
    for (const run of batch.steps) {
      if (this.stopping) return;
      if (!this.barrierHolds(run)) return;
      for (const hb of run.hostBatches) {
        if (this.stopping) return;
        await forEachLimit(
          hb.filter((h) => this.alive(h)),
          this.forks,
          async (h) => {
            await this.runStep(run.step, h, ctx);
            if (this.lastRun.get(h) === runKey(phase.name, bi, run.step) && this.quietAfterSteps(phase, h)) this.o.agents[h]?.done?.();
          },
          () => !this.stopping,
        );
        this.checkMaxFail(phase);
      }
    }
  }

  /**
   * After its last step, whether the run can still need the host: a handler it notified, a deferred
   * reboot, the phase's drain or health check, or a drain or handler it runs for others. Conservative:
   * if it is needed after all, its agent opens a new session.
   */
  private quietAfterSteps(phase: Phase, h: string): boolean {
    return !phase.drain && !phase.health && !this.neededAfterSteps.has(h) && !this.rebootPending.has(h) && this.notified.get(h)!.size === 0;
  }

  /** The host is alive and every step of the batch that targets it is done (verified or skipped). */
  private batchDone(batch: PhaseBatch, h: string): boolean {
    return this.alive(h) && batch.steps.every((r) => !r.hostBatches.some((b) => b.includes(h)) || this.isDone(h, r.step.id));
  }

  /** Every step before `run` that targets a barrier host must be verified there (ok, changed or skipped). */
  private barrierHolds(run: StepRun): boolean {
    if (!run.barrier) return true;
    for (const h of run.barrier) {
      if (this.status.get(h) === 'excluded') continue;
      for (const s of stepsOf(this.pb)) {
        if (s.id === run.step.id) break;
        if (!s.hosts.includes(h)) continue;
        if (!this.isDone(h, s.id)) {
          const why = this.status.get(h) === 'unreachable' ? 'the host is unreachable' : this.records.get(h)?.get(s.id)?.status === 'failed' ? 'it failed' : 'it did not run';
          this.stopReason = `barrier before step ${run.step.id}: host ${h} has not verified step ${s.id} (${why})`;
          return false;
        }
      }
    }
    return true;
  }

  private checkMaxFail(phase: Phase): void {
    if (this.stopReason) return;
    const inRun = phase.hosts.filter((h) => this.status.get(h) !== 'excluded');
    const failed = inRun.filter((h) => this.status.get(h) !== 'alive');
    if (!failed.length) return;
    const pct = (failed.length * 100) / inRun.length;
    if (pct > phase.maxFailPercentage) {
      this.stopReason = `max_fail_percentage ${phase.maxFailPercentage}% exceeded in phase ${phase.name}: ${failed.length} of ${inRun.length} hosts failed (${failed.map((h) => `${h}: ${this.hostMessage.get(h) ?? 'failed'}`).join('; ')})`;
    }
  }

  /** Keep a step's result (handlers under phase/id: one may run in several phases) and emit it. */
  private record(h: string, step: Step, phase: string, rec: Omit<StepRecord, 'id'> & { attempts: number; rebootRequired?: boolean; rebootPending?: boolean; notified?: string[]; for?: string }): void {
    const { attempts, rebootRequired, rebootPending, notified, for: forHost, ...stored } = rec;
    // A drain step is recorded per host it ran for: drain-web@web1 (drain.ts).
    const id = forHost !== undefined ? `${step.id}@${forHost}` : step.id;
    this.records.get(h)!.set(step.kind === 'handler' ? `${phase}/${step.id}` : id, { id, ...stored });
    this.emit({ type: 'step-finished', host: h, step: id, phase, status: rec.status, diff: rec.diff, durationMs: rec.durationMs, attempts, message: rec.message, rebootRequired, rebootPending, notified, for: forHost });
  }

  /** The host's steps of this batch after `step`, still to run: what a change makes stale. */
  private rest(ctx: BatchContext, h: string, step: Step): Step[] {
    const steps = ctx.steps.get(h) ?? [];
    return steps.slice(steps.indexOf(step) + 1).filter((s) => !this.isDone(h, s.id));
  }

  /** Test the remaining steps again (after a reboot): one round trip. false when the host failed. */
  private async retest(ctx: BatchContext, h: string, steps: Step[]): Promise<boolean> {
    if (!steps.length) return true;
    try {
      Object.assign(ctx.tested.get(h) ?? {}, await this.agent(h).test(steps.map((s) => this.request(s, h))));
      return true;
    } catch (err) {
      this.fail(h, err);
      return false;
    }
  }

  private async runStep(step: Step, h: string, ctx: BatchContext): Promise<void> {
    const tested = ctx.tested.get(h);
    if (this.isDone(h, step.id) || !this.alive(h)) return;
    const t0 = this.now();
    this.emit({ type: 'step-started', host: h, step: step.id, phase: step.phase });
    const done = (status: StepStatus, extra: { message?: string; diff?: StepDiff; attempts?: number; rebootRequired?: boolean; rebootPending?: boolean; notified?: string[] } = {}) => {
      this.record(h, step, step.phase, { status, durationMs: this.now() - t0, attempts: extra.attempts ?? 0, ...extra });
      if (status === 'failed') this.fail(h, new Error(`step ${step.id}: ${extra.message ?? 'failed'}`));
    };

    const c = this.cond.evaluate(step, h, this.facts.get(h));
    if ('error' in c) return done('failed', { message: c.error });
    if (!c.holds) return done('skipped', { message: `when: ${step.when!.text}` });

    const t = tested?.[step.id];
    if (!t) return done('failed', { message: 'no Test result for this step' });
    if ('error' in t) return done('failed', { message: `Test failed: ${t.error}` });
    const d = diffStep(step, h, t.state);
    if ('error' in d) return done('failed', { message: d.error });
    const diff = { action: d.change.action, from: d.change.from, to: d.change.to };
    if (diff.action === 'none') return done('ok', { diff });

    // A phase with a drain: the host leaves the pool before its first change (drain.ts).
    const phase = this.phases.get(step.phase);
    if (phase?.drain) {
      const drained = await this.drains.before(phase, h);
      if (!drained.ok) return done('failed', { diff, message: `not changed: ${drained.message}` });
    }

    if (step.resource === 'reboot') {
      const ok = (await this.rebootHost(h, (step.params[h] as { reason?: string }).reason ?? `step ${step.id}`, step.id)) && (await this.retest(ctx, h, this.rest(ctx, h, step)));
      return ok ? done('changed', { diff, attempts: 1 }) : done('failed', { diff, attempts: 1, message: this.hostMessage.get(h) ?? 'reboot failed' });
    }

    const outcome = await this.setWithRetries(step, h, ctx);
    if (!outcome.ok) {
      if (outcome.unreachable) {
        this.record(h, step, step.phase, { status: 'failed', durationMs: this.now() - t0, attempts: outcome.attempts, message: outcome.message, diff });
        return;
      }
      return done('failed', { diff, attempts: outcome.attempts, message: outcome.message });
    }
    const notified = step.notify.filter((n) => this.pb.handlers[n]);
    for (const n of notified) this.notified.get(h)!.add(n);
    const policy = step.rebootPolicy ?? this.pb.reboots[h]?.policy ?? 'immediate';
    let message: string | undefined;
    if (outcome.rebootRequired) {
      if (policy === 'immediate') {
        // Tagged apart from the step's own Set (`<step>#reboot`): the change ran once, the reboot it asked for is counted on its own.
        if (!(await this.rebootHost(h, `step ${step.id} requires a reboot`, `${step.id}#reboot`)) || !(await this.retest(ctx, h, this.rest(ctx, h, step)))) return done('failed', { diff, attempts: outcome.attempts, rebootRequired: true, message: `reboot after the change failed: ${this.hostMessage.get(h)}` });
        message = 'rebooted';
      } else if (policy === 'end_of_phase') {
        this.rebootPending.add(h);
        message = 'reboot pending (at the end of the phase)';
      } else {
        message = 'reboot pending (reboot policy never: not rebooted)';
      }
    }
    done('changed', { diff, attempts: outcome.attempts, rebootRequired: outcome.rebootRequired, rebootPending: this.rebootPending.has(h) || undefined, notified: notified.length ? notified : undefined, message });
  }

  /** Set, then verify with a fresh Test (with the host's remaining steps: their answers are refreshed); retried as a whole. */
  private async setWithRetries(step: Step, h: string, ctx: BatchContext): Promise<{ ok: true; attempts: number; rebootRequired: boolean } | { ok: false; attempts: number; message: string; unreachable?: boolean }> {
    const { attempts, delayMs, backoff, maxDelayMs } = step.retries;
    let last = 'failed';
    let rebootRequired = false;
    for (let i = 0; i <= attempts; i++) {
      if (i > 0) await this.sleep(Math.min(maxDelayMs, delayMs * backoff ** (i - 1)));
      try {
        const agent = this.agent(h);
        const rest = this.rest(ctx, h, step);
        const verify = [step, ...rest].map((s) => this.request(s, h));
        // The verifying Test goes out with the Set when the agent can pipeline them (one round trip).
        const { set: r, tested } = agent.setAndTest
          ? await this.withTimeout(step, (signal) => agent.setAndTest!(this.request(step, h), verify, signal))
          : { set: await this.withTimeout(step, (signal) => agent.set(this.request(step, h), signal)), tested: () => agent.test(verify) };
        rebootRequired ||= r.rebootRequired;
        if (!r.ok) {
          last = r.message ?? `Set failed${r.exitCode === undefined ? '' : ` (exit code ${r.exitCode})`}`;
          continue;
        }
        const fresh = await tested();
        const t = ctx.tested.get(h);
        if (t) for (const s of rest) if (fresh[s.id] !== undefined) t[s.id] = fresh[s.id]!;
        const verified = fresh[step.id];
        if (!verified) last = 'no Test result when verifying the change';
        else if ('error' in verified) last = `verifying the change: Test failed: ${verified.error}`;
        else {
          const d = diffStep(step, h, verified.state);
          if ('error' in d) last = `verifying the change: ${d.error}`;
          else if (d.change.action !== 'none') last = `still differs after Set: ${JSON.stringify(d.change.from)} → ${JSON.stringify(d.change.to)}`;
          else return { ok: true, attempts: i + 1, rebootRequired };
        }
      } catch (err) {
        if (err instanceof CortexError && UNREACHABLE_KINDS.has(err.kind)) {
          this.fail(h, err);
          return { ok: false, attempts: i + 1, message: messageOf(err), unreachable: true };
        }
        last = messageOf(err);
      }
    }
    return { ok: false, attempts: attempts + 1, message: last };
  }

  private async withTimeout<T>(step: Step, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new OperationTimeoutError(`Set did not finish within ${Math.round(step.timeoutMs / 1000)} s (timeout)`, { step: step.id }));
      }, step.timeoutMs);
    });
    try {
      return await Promise.race([fn(ac.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reboot under the host's quorum lock; fresh facts after. false when the host did not come back. */
  private async rebootHost(h: string, reason: string, step?: string): Promise<boolean> {
    const quorum = this.pb.reboots[h]?.quorum ?? null;
    return this.quorum.run(quorum, async () => {
      const t0 = this.now();
      this.emit({ type: 'reboot-started', host: h, reason });
      try {
        await this.agent(h).reboot(reason, step);
        this.facts.set(h, await this.agent(h).facts());
        this.rebootPending.delete(h);
        this.emit({ type: 'reboot-finished', host: h, durationMs: this.now() - t0, ok: true });
        return true;
      } catch (err) {
        this.fail(h, err, 'unreachable');
        this.emit({ type: 'reboot-finished', host: h, durationMs: this.now() - t0, ok: false, message: messageOf(err) });
        return false;
      }
    });
  }

  private async healthGate(phase: Phase, bi: number, batch: PhaseBatch): Promise<void> {
    const gate = phase.health!;
    const hosts = batch.hosts.filter((h) => this.alive(h));
    let problem = '';
    for (let attempt = 0; attempt <= gate.retries; attempt++) {
      if (attempt > 0) await this.sleep(gate.delayMs);
      problem = '';
      for (const h of hosts) {
        const checks = gate.checks.filter((c) => c.hosts.includes(h));
        let results: TestResults;
        try {
          results = await this.agent(h).test(checks.map((c) => this.request(c, h)));
        } catch (err) {
          problem = `host ${h}: ${messageOf(err)}`;
          break;
        }
        for (const c of checks) {
          const r = results[c.id];
          const d = !r ? { error: 'no Test result' } : 'error' in r ? { error: r.error } : diffStep(c, h, r.state);
          if ('error' in d) problem = `host ${h}, check ${c.id}: ${d.error}`;
          else if (d.change.action !== 'none') problem = `host ${h}, check ${c.id}: ${d.change.resource} is not in its desired state (${JSON.stringify(d.change.from)} → ${JSON.stringify(d.change.to)})`;
          if (problem) break;
        }
        if (problem) break;
      }
      if (!problem) {
        this.emit({ type: 'health-gate', phase: phase.name, batch: bi, ok: true });
        return;
      }
      if (this.interrupted) break;
    }
    this.emit({ type: 'health-gate', phase: phase.name, batch: bi, ok: false, message: problem });
    this.stopReason = `health gate after batch ${bi + 1} of phase ${phase.name} failed: ${problem}`;
  }

  private async runHandlers(phase: Phase): Promise<void> {
    for (const handler of Object.values(this.pb.handlers)) {
      if (this.stopping) return;
      const notified = phase.hosts.filter((h) => this.alive(h) && this.notified.get(h)!.has(handler.id));
      let hosts = notified;
      if (handler.runOnce !== undefined && notified.length) {
        // Once for the phase: on the first notified host, or the named one; done for every host that notified it.
        const on = handler.runOnce === true ? notified[0]! : handler.runOnce;
        if (!this.alive(on)) {
          // Left notified, so a resumed run runs it once the host is back.
          this.fail(notified[0]!, new Error(`handler ${handler.id}: its run_once host ${on} is not available (failed, unreachable or left out by --limit); the handler did not run`));
          continue;
        }
        for (const h of phase.hosts) if (h !== on) this.notified.get(h)?.delete(handler.id);
        hosts = [on];
      }
      await forEachLimit(hosts, this.forks, async (h) => {
        const t0 = this.now();
        this.emit({ type: 'step-started', host: h, step: handler.id, phase: phase.name });
        const r = await this.setHandler(handler, h);
        this.notified.get(h)!.delete(handler.id);
        this.record(h, handler, phase.name, { status: r.ok ? 'changed' : 'failed', durationMs: this.now() - t0, attempts: r.attempts, message: r.message });
        if (!r.ok) this.fail(h, new Error(`handler ${handler.id}: ${r.message}`));
      }, () => !this.stopping);
    }
  }

  /** A handler runs when notified: Set without a Test first (its point is the action), with retries. */
  private async setHandler(handler: Step, h: string): Promise<{ ok: boolean; attempts: number; message?: string }> {
    const { attempts, delayMs, backoff, maxDelayMs } = handler.retries;
    let last = 'failed';
    for (let i = 0; i <= attempts; i++) {
      if (i > 0) await this.sleep(Math.min(maxDelayMs, delayMs * backoff ** (i - 1)));
      try {
        const r = await this.withTimeout(handler, (signal) => this.agent(h).set(this.request(handler, h), signal));
        if (r.ok) return { ok: true, attempts: i + 1 };
        last = r.message ?? 'Set failed';
      } catch (err) {
        last = messageOf(err);
        if (err instanceof CortexError && UNREACHABLE_KINDS.has(err.kind)) return { ok: false, attempts: i + 1, message: last };
      }
    }
    return { ok: false, attempts: attempts + 1, message: last };
  }

  private async deferredReboots(phase: Phase): Promise<void> {
    const hosts = phase.hosts.filter((h) => this.alive(h) && this.rebootPending.has(h));
    await forEachLimit(hosts, this.forks, async (h) => void (await this.rebootHost(h, `deferred to the end of phase ${phase.name}`)), () => !this.interrupted);
  }

  private finish(): ApplyResult {
    for (const h of this.drains.leftDrained()) {
      if (this.status.get(h) !== 'alive') this.hostMessage.set(h, `${this.hostMessage.get(h) ?? 'failed'} (left drained: the phase's drain took it out of the pool, or tried to, and it was not put back)`);
    }
    const hosts = this.hosts.map((name) => {
      const steps = [...this.records.get(name)!.entries()].map(([, r]) => r);
      const st = this.status.get(name)!;
      const status: HostStatus = st === 'alive' ? (steps.some((s) => s.status === 'changed' && !s.resumed) ? 'changed' : 'ok') : (st as Exclude<typeof st, 'alive' | 'excluded'>);
      this.emit({ type: 'host-finished', host: name, status, message: this.hostMessage.get(name) });
      return { name, status, steps };
    });
    const all = hosts.flatMap((h) => h.steps.filter((s) => !s.resumed));
    const count = (s: StepStatus) => all.filter((x) => x.status === s).length;
    const summary = { hosts: hosts.length, ok: count('ok'), changed: count('changed'), failed: count('failed'), skipped: count('skipped'), unreachable: hosts.filter((h) => h.status === 'unreachable').length };
    const anyFailed = hosts.some((h) => h.status === 'failed') || this.stopReason !== undefined;
    const outcome = this.interrupted ? 'interrupted' : anyFailed || summary.unreachable ? 'failed' : 'ok';
    const codes: ExitCodeValue[] = [ExitCode.Ok];
    if (anyFailed) codes.push(ExitCode.Failed);
    if (summary.unreachable) codes.push(ExitCode.Unreachable);
    const exitCode = this.interrupted ? EXIT_INTERRUPTED : worstExitCode(codes);
    const reason = this.interrupted ? 'interrupted: running steps finished, nothing new started' : this.stopReason;
    this.emit({ type: 'run-finished', outcome, reason });
    return { hosts, summary, outcome, reason, exitCode };
  }
}

/** The `apply --json` document: {hosts:[{name,steps:[{id,status,durationMs,message}]}],summary}. */
export function applyDocument(r: ApplyResult): { hosts: Array<{ name: string; steps: Array<{ id: string; status: StepStatus; durationMs: number; message?: string | undefined }> }>; summary: ApplyResult['summary'] } {
  return { hosts: r.hosts.map((h) => ({ name: h.name, steps: h.steps.map(({ id, status, durationMs, message }) => ({ id, status, durationMs, message })) })), summary: r.summary };
}

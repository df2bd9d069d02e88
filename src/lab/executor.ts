/**
 * The lab's ScriptExecutor: what a simulated host does with one framed script. It recognises the
 * script by id, validates its parameters with the handler's schema, applies the handler's effect to
 * the host's state after the simulated duration, and answers what the real script would print: the
 * envelope's JSON result as the last output line, exit code 0 or 1. Set-type scripts are counted and
 * persisted; with the run frame's tag (the playbook step), Tests and Sets are also counted per step, and
 * the host profile's `steps` settings (duration, simulated failure) apply. A script the lab does not
 * know fails the way PowerShell fails on an unknown command.
 * Ad-hoc text (no script id) runs for real in pwsh with the Windows shim, or fails as not emulated
 * (handlers/adhoc.ts).
 */
import type { ScriptExecutor, ScriptInvocation, ScriptOutcome } from './dispatcher.js';
import { runAdhoc } from './handlers/adhoc.js';
import { commandNotFound, envelopeFailure } from './handlers/powershell-errors.js';
import { HANDLERS, handlerRegistry } from './handlers/index.js';
import type { AnyLabHandler, HandlerResult, HostPowerControl, LabView } from './handlers/types.js';
import type { LabStepProfile } from './profile/schema.js';
import { stepCounters } from './state/counters.js';
import { TEST_BATCH_SCRIPT } from '../resources/script-results.js';
import type { ShimPool } from './shim/shim-runner.js';
import type { LabHostRuntime } from './state/host.js';
import type { LabHostState } from './state/types.js';

export interface LabExecutorOptions {
  /** The running host by inventory name. */
  host(name: string): LabHostRuntime | undefined;
  view: LabView;
  /**
   * Persist a host's state (atomically) after a Set-type script; the script's answer waits for what
   * it returns (the lab writes behind: LabStateStore.saveSoon, docs/lab.md#state).
   */
  persist(state: LabHostState): Promise<void>;
  handlers?: readonly AnyLabHandler[];
  sleep?: (ms: number) => Promise<void>;
  /** The lab drops the host's connections (fault drop-mid-command). */
  dropConnections?(host: LabHostRuntime): void;
  /** Called after a Set-type script succeeded (the reboot fault hangs here). */
  afterSet?(host: LabHostRuntime): void;
  /**
   * The host's faults were just armed by a script of their `atStep`, which runs for about 2 × `midMs`:
   * a `down` or `reboot` fault strikes after `midMs` (the fault at-step).
   */
  stepArmed?(host: LabHostRuntime, midMs: number): void;
  /** pwsh with the Windows shim, for ad-hoc text; absent or null: no pwsh (handlers/adhoc.ts). */
  shim?: ShimPool | null;
  /** A host's power, for handlers that restart it (resources.reboot); absent: they fail as not emulated. */
  power?(host: LabHostRuntime): HostPowerControl;
}

const defaultSleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export class LabExecutor implements ScriptExecutor {
  private readonly handlers: Map<string, AnyLabHandler>;
  private readonly sleep: (ms: number) => Promise<void>;
  /** host NUL step → simulated failures already given (a step profile's `fail.times`). */
  private readonly stepFailuresUsed = new Map<string, number>();

  constructor(private readonly opts: LabExecutorOptions) {
    this.handlers = handlerRegistry(opts.handlers ?? HANDLERS);
    this.sleep = opts.sleep ?? defaultSleep;
  }

  handlerFor(scriptId: string): AnyLabHandler | undefined {
    return this.handlers.get(scriptId);
  }

  /** The host profile's settings for the step a script runs for (its tag), if any. */
  private stepProfile(rt: LabHostRuntime, tag: string | undefined): LabStepProfile | undefined {
    return tag !== undefined && Object.hasOwn(rt.profile.steps, tag) ? rt.profile.steps[tag] : undefined;
  }

  /** Whether this run of the step must fail by its profile (consumes one of `fail.times`). */
  private stepFails(rt: LabHostRuntime, tag: string, step: LabStepProfile | undefined): boolean {
    if (!step?.fail) return false;
    if (step.fail.times === undefined) return true;
    const key = `${rt.ref.name}\u0000${tag}`;
    const used = this.stepFailuresUsed.get(key) ?? 0;
    if (used >= step.fail.times) return false;
    this.stepFailuresUsed.set(key, used + 1);
    return true;
  }

  async run(inv: ScriptInvocation): Promise<ScriptOutcome> {
    const rt = this.opts.host(inv.host.name);
    if (!rt) return commandNotFound(inv.script, `the lab has no host named ${inv.host.name}`);
    rt.scriptsRunning++;
    try {
      return await this.runOn(rt, inv);
    } finally {
      rt.scriptsRunning--;
    }
  }

  private async runOn(rt: LabHostRuntime, inv: ScriptInvocation): Promise<ScriptOutcome> {
    rt.counters.scripts++;
    const now = () => new Date(Date.now() + rt.profile.clockSkewSec * 1000);
    const tag = inv.tag;
    const step = this.stepProfile(rt, tag);
    const armedNow = rt.faults.enterStep(tag);

    if (inv.scriptId === null || inv.scriptId === 'adhoc') {
      if (tag !== undefined) stepCounters(rt.counters, tag).otherCalls++;
      const ms = (step?.durationMs ?? 2) * rt.faults.slowFactor;
      if (armedNow) this.opts.stepArmed?.(rt, Math.max(ms / 2, 1));
      await this.sleep(ms);
      if (tag !== undefined && this.stepFails(rt, tag, step)) {
        rt.counters.faults++;
        const failure = stepFailure(tag, step!);
        // Ad-hoc text has no envelope: the failure is PowerShell's error record of a thrown exception.
        return { exitCode: failure.exitCode, output: [], errors: [{ message: failure.message, category: 'NotSpecified', fullyQualifiedErrorId: 'CortexLabStepFailure' }], warnings: [] };
      }
      return runAdhoc(inv, rt.state, { shim: this.opts.shim ?? null, scriptIds: [...this.handlers.keys()] });
    }
    const handler = this.handlers.get(inv.scriptId);
    if (!handler) return commandNotFound(inv.script, `no lab handler models script id ${inv.scriptId}`);

    const parsed = handler.params.safeParse(inv.params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.map(String).join('.') || '(params)';
      return envelopeFailure(`Cannot validate argument on parameter '${param}'. ${issue.message}`, 'InvalidArgument');
    }

    const baseMs = step?.durationMs ?? rt.profile.scriptDurationMs[handler.id] ?? handler.defaultDurationMs;
    const durationMs = Math.round(baseMs * rt.faults.slowFactor);
    if (armedNow) this.opts.stepArmed?.(rt, Math.max(durationMs / 2, 1));
    if (handler.setType) rt.counters.setCalls++;
    const isTestBatch = handler.id === TEST_BATCH_SCRIPT;
    // A test batch's tag is its phase: its requests name the steps.
    const perStep = tag !== undefined && !isTestBatch ? stepCounters(rt.counters, tag) : null;
    if (isTestBatch) countTests(rt, parsed.data);
    else if (perStep && handler.setType) perStep.setCalls++;
    else if (perStep) perStep.otherCalls++;
    const failed = (outcome: ScriptOutcome): ScriptOutcome => {
      if (perStep && handler.setType && outcome.exitCode !== 0) perStep.setFailures++;
      return outcome;
    };

    if (rt.faults.dropMidCommand()) {
      rt.counters.faults++;
      // Let the client's long poll settle on this command, then cut the connection under it.
      await this.sleep(Math.max(durationMs / 2, 1));
      this.opts.dropConnections?.(rt);
      await this.sleep(Math.max(durationMs / 2, 1));
      return failed(envelopeFailure('The connection was dropped while the command ran (lab fault drop-mid-command).', 'ConnectionError'));
    }
    await this.sleep(durationMs);
    if (rt.faults.failScript(handler.id)) {
      rt.counters.faults++;
      return failed(envelopeFailure(`Simulated failure of ${handler.id} (lab fault fail-script).`, 'NotSpecified'));
    }
    if (tag !== undefined && this.stepFails(rt, tag, step)) {
      rt.counters.faults++;
      const f = stepFailure(tag, step!);
      return failed({ ...envelopeFailure(f.message, 'NotSpecified'), exitCode: f.exitCode });
    }

    let result: HandlerResult;
    try {
      const power = this.opts.power?.(rt);
      result = await handler.run({ host: rt.ref, state: rt.state, params: parsed.data, lab: this.opts.view, now, input: inv.input, power, corruptTransfers: rt.faults.corruptTransfers, faults: { failRabbitmqUpgrade: () => rt.faults.failRabbitmqUpgrade() } });
    } catch (err) {
      return failed({
        exitCode: 1,
        output: [],
        errors: [{ message: `lab handler ${handler.id} failed: ${(err as Error).message}`, category: 'NotSpecified', fullyQualifiedErrorId: 'LabHandlerException' }],
        warnings: [],
      });
    }
    if ('raw' in result) return failed(result.raw);
    if (handler.setType) {
      // A Set that failed partway keeps what it already changed, as on Windows (a startup type set,
      // then the start refused): saved too, not only in memory until the next successful Set.
      if (!result.ok || result.changed !== false) {
        rt.state.updatedAt = new Date().toISOString();
        await this.opts.persist(rt.state);
      }
      if (result.ok) this.opts.afterSet?.(rt);
    }
    const envelope = result.ok
      ? { ok: true, data: result.data ?? null, error: null }
      : { ok: false, data: result.data ?? null, error: result.error };
    return failed({ exitCode: result.ok ? 0 : 1, output: [JSON.stringify(envelope)], errors: [], warnings: [] });
  }
}

/** One Test per request of a test batch, counted for the request's step (its own, not the frame's tag). */
function countTests(rt: LabHostRuntime, params: unknown): void {
  const requests = (params as { requests?: unknown }).requests;
  if (!Array.isArray(requests)) return;
  for (const r of requests) {
    const step = (r as { step?: unknown } | null)?.step;
    if (typeof step === 'string') stepCounters(rt.counters, step).testCalls++;
  }
}

/** What a step's simulated failure says: the step, the profile's message, and that the lab made it up. */
function stepFailure(tag: string, step: LabStepProfile): { message: string; exitCode: number } {
  return { message: `step ${tag}: ${step.fail?.message ?? 'the step failed'} (simulated failure from the lab profile)`, exitCode: step.exitCode ?? 1 };
}

export { commandNotFound, envelopeFailure };

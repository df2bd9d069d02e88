/**
 * The lab's ScriptExecutor: what a simulated host does with one framed script. It recognises the
 * script by id, validates its parameters with the handler's schema, applies the handler's effect to
 * the host's state after the simulated duration, and answers what the real script would print: the
 * envelope's JSON result as the last output line, exit code 0 or 1. Set-type scripts are counted and
 * persisted. A script the lab does not know fails the way PowerShell fails on an unknown command.
 * Ad-hoc text (no script id) runs for real in pwsh with the Windows shim, or fails as not emulated
 * (handlers/adhoc.ts).
 */
import type { ScriptExecutor, ScriptInvocation, ScriptOutcome } from './dispatcher.js';
import { runAdhoc } from './handlers/adhoc.js';
import { commandNotFound, envelopeFailure } from './handlers/powershell-errors.js';
import { HANDLERS, handlerRegistry } from './handlers/index.js';
import type { AnyLabHandler, HandlerResult, LabView } from './handlers/types.js';
import type { ShimPool } from './shim/shim-runner.js';
import type { LabHostRuntime } from './state/host.js';
import type { LabHostState } from './state/types.js';

export interface LabExecutorOptions {
  /** The running host by inventory name. */
  host(name: string): LabHostRuntime | undefined;
  view: LabView;
  /** Persist a host's state (atomically) after a Set-type script. */
  persist(state: LabHostState): Promise<void>;
  handlers?: readonly AnyLabHandler[];
  sleep?: (ms: number) => Promise<void>;
  /** The lab drops the host's connections (fault drop-mid-command). */
  dropConnections?(host: LabHostRuntime): void;
  /** Called after a Set-type script succeeded (the reboot fault hangs here). */
  afterSet?(host: LabHostRuntime): void;
  /** pwsh with the Windows shim, for ad-hoc text; absent or null: no pwsh (handlers/adhoc.ts). */
  shim?: ShimPool | null;
}

const defaultSleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export class LabExecutor implements ScriptExecutor {
  private readonly handlers: Map<string, AnyLabHandler>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: LabExecutorOptions) {
    this.handlers = handlerRegistry(opts.handlers ?? HANDLERS);
    this.sleep = opts.sleep ?? defaultSleep;
  }

  handlerFor(scriptId: string): AnyLabHandler | undefined {
    return this.handlers.get(scriptId);
  }

  async run(inv: ScriptInvocation): Promise<ScriptOutcome> {
    const rt = this.opts.host(inv.host.name);
    if (!rt) return commandNotFound(inv.script, `the lab has no host named ${inv.host.name}`);
    rt.counters.scripts++;
    const now = () => new Date(Date.now() + rt.profile.clockSkewSec * 1000);

    if (inv.scriptId === null || inv.scriptId === 'adhoc') {
      await this.sleep(2 * rt.faults.slowFactor);
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

    const durationMs = Math.round((rt.profile.scriptDurationMs[handler.id] ?? handler.defaultDurationMs) * rt.faults.slowFactor);
    if (handler.setType) rt.counters.setCalls++;

    if (rt.faults.dropMidCommand()) {
      rt.counters.faults++;
      // Let the client's long poll settle on this command, then cut the connection under it.
      await this.sleep(Math.max(durationMs / 2, 1));
      this.opts.dropConnections?.(rt);
      await this.sleep(Math.max(durationMs / 2, 1));
      return envelopeFailure('The connection was dropped while the command ran (lab fault drop-mid-command).', 'ConnectionError');
    }
    await this.sleep(durationMs);
    if (rt.faults.failScript(handler.id)) {
      rt.counters.faults++;
      return envelopeFailure(`Simulated failure of ${handler.id} (lab fault fail-script).`, 'NotSpecified');
    }

    let result: HandlerResult;
    try {
      result = await handler.run({ host: rt.ref, state: rt.state, params: parsed.data, lab: this.opts.view, now, input: inv.input });
    } catch (err) {
      return {
        exitCode: 1,
        output: [],
        errors: [{ message: `lab handler ${handler.id} failed: ${(err as Error).message}`, category: 'NotSpecified', fullyQualifiedErrorId: 'LabHandlerException' }],
        warnings: [],
      };
    }
    if ('raw' in result) return result.raw;
    if (result.ok && handler.setType) {
      if (result.changed !== false) {
        rt.state.updatedAt = new Date().toISOString();
        await this.opts.persist(rt.state);
      }
      this.opts.afterSet?.(rt);
    }
    const envelope = result.ok
      ? { ok: true, data: result.data ?? null, error: null }
      : { ok: false, data: result.data ?? null, error: result.error };
    return { exitCode: result.ok ? 0 : 1, output: [JSON.stringify(envelope)], errors: [], warnings: [] };
  }
}

export { commandNotFound, envelopeFailure };

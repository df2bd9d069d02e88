/**
 * The real HostAgent (../apply/agent.ts) over a Session and the resident script runner:
 * - facts(): ps1/probes/facts.ps1 (only when some `when:` reads facts: otherwise no round trip);
 * - test(): every request in ONE resources.test-batch call;
 * - set(): the type's Set script (resources.<type>), secrets put into the params it sends on stdin;
 *   a file step's source is uploaded first, beside its destination, and moved into place by the Set;
 *   with `apply --artifacts pull`, a source that is a store artifact is instead downloaded by the Set
 *   from the run's pull server (`download` in its params: URL, token, pinned thumbprint);
 * - reboot(): resources.reboot, then fresh sessions polled (with backoff, up to a deadline) until the
 *   host reports a NEW boot time: an open port alone proves nothing.
 * Every script call carries its step id as the run frame's tag (a test batch: its steps' ids joined
 * with commas; the lab counts Tests by each request's step). Malformed host replies are
 * ProtocolErrors naming host and step (the runner's contract check, and the batch's shape here).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { CortexError, InputError, ProtocolError, ScriptError, UnreachableError } from '../../errors.js';
import type { FactsParams } from '../../preflight/facts.js';
import { REBOOT_EXIT_CODES, type ResourceTypeName } from '../../resources/index.js';
import { probesFacts, resourcesTestBatch, RESOURCE_SET_SCRIPTS } from '../../scripts/catalog.js';
import type { AnyScriptContract, ParamsOf, ResultOf } from '../../scripts/contract.js';
import { setScriptId } from '../../resources/script-results.js';
import { redact } from '../../secrets/registry.js';
import type { PipelineOptions, RunOptions, ScriptResult, UploadResult } from '../../runner/index.js';
import type { HostAgent, ResourceRequest, SetResult, TestResults } from '../apply/agent.js';
import type { StepSecrets } from './step-secrets.js';
import { fileSourcePath, isFile } from './file-sources.js';
import { factPathsOf } from '../plan/conditions.js';
import { stepsOf, type Playbook } from '../playbook/types.js';

/** The slice of the ScriptRunner the agent uses (tests pass a fake). */
export interface AgentRunner {
  call<C extends AnyScriptContract>(contract: C, params: ParamsOf<C>, options?: RunOptions): Promise<ScriptResult<ResultOf<C>>>;
  /** Optional: several scripts sent at once, results in order (the resident runner's pipelining). */
  callPipelined?<C extends AnyScriptContract>(items: ReadonlyArray<{ contract: C; params: ParamsOf<C>; options?: RunOptions }>, batch?: PipelineOptions): Array<Promise<ScriptResult<ResultOf<C>>>>;
  upload(localPath: string, remotePath: string): Promise<UploadResult>;
}

/** One open connection to the host: a runner over a fresh session, and how to close both. */
export interface AgentConnection {
  runner: AgentRunner;
  close(): Promise<void>;
}

export interface RebootWait {
  /** First wait before polling, then doubled up to maxPollMs. */
  pollMs: number;
  maxPollMs: number;
  /** Give up after this long (the host did not come back). */
  deadlineMs: number;
}

export const DEFAULT_REBOOT_WAIT: RebootWait = { pollMs: 5_000, maxPollMs: 30_000, deadlineMs: 20 * 60_000 };
/** Logins refused in a row while waiting for a rebooted host before the wait gives up (an AuthError: exit 2). */
export const REBOOT_AUTH_REFUSALS = 3;

export interface SessionAgentOptions {
  host: string;
  /** Opens a new session and runner to the host (again after a reboot). */
  open: () => Promise<AgentConnection>;
  /** Parameters of the facts probe (roles, installPath, ports of the host). */
  factsParams: FactsParams;
  /** false: no `when:` reads facts, so facts() costs no round trip and returns null. */
  readFacts: boolean;
  /** Secrets of the steps' params, resolved before the run. */
  secrets: StepSecrets;
  /** Folder that relative file sources are read from (the playbook's). */
  sourceDir: string;
  /**
   * `apply --artifacts pull`: the download of a file source (absolute path) for this host, or null to
   * push it (not a store artifact). Absent: every source is pushed.
   */
  downloadFor?: ((sourcePath: string) => { url: string; token: string; thumbprint: string } | null) | undefined;
  /** Timeout of each Test batch and probe (ms). */
  scriptTimeoutMs?: number;
  /** Timeout of each Set by step id (the step's timeout); default 30 min. */
  setTimeoutMs?: (step: string) => number;
  reboot?: Partial<RebootWait>;
  /** The run's interrupt: the wait for a rebooting host ends at once (the host's state is then unknown). */
  signal?: AbortSignal | undefined;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const SET_SCRIPTS = new Map(RESOURCE_SET_SCRIPTS.map((c) => [c.id, c]));
const UNREACHABLE = new Set(['unreachable', 'auth', 'tls']);

/** What a Test was asked: a pretest answers a later request only if it asked the same. */
const requestKey = (q: ResourceRequest): string => JSON.stringify([q.resource, q.params]);
const BOOT_STEP = 'reboot:boot-time';

export class SessionAgent implements HostAgent {
  readonly host: string;
  private conn: Promise<AgentConnection> | null = null;
  /** Facts read on this connection before the run (the preflight gate's), for the first facts(). */
  private readAlready: unknown = undefined;
  /** Steps to Test with the gate's probes (pretestWithProbes), not sent yet. */
  private pretestPending: ResourceRequest[] | null = null;
  /** The Tests read with the gate's probes, by step, for the first test() (before any change). */
  private pretested: Promise<Map<string, { request: string; result: TestResults[string] | undefined }> | null> | null = null;
  /** The session ended by done(), still closing. */
  private ended: Promise<void> | null = null;
  private readonly wait: RebootWait;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: SessionAgentOptions) {
    this.host = o.host;
    this.wait = { ...DEFAULT_REBOOT_WAIT, ...o.reboot };
    // The default wait ends early on the run's interrupt (the loop then stops).
    this.sleep = o.sleep ?? ((ms) => sleepFor(ms, undefined, o.signal ? { signal: o.signal } : {}).catch(() => undefined));
    this.now = o.now ?? Date.now;
  }

  private connection(): Promise<AgentConnection> {
    if (!this.conn) {
      const c = this.o.open();
      // A failed open is not kept: the next call tries again.
      c.catch(() => {
        if (this.conn === c) this.conn = null;
      });
      this.conn = c;
    }
    return this.conn;
  }

  /** Drop the connection (its session is gone or unusable); the next call opens a new one. */
  private async drop(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await c.then((x) => x.close()).catch(() => undefined);
  }

  /** Run on the current connection; a transport failure drops it (so the next call reconnects). */
  private async withRunner<T>(fn: (r: AgentRunner) => Promise<T>): Promise<T> {
    const c = await this.connection();
    return this.onConnection(fn(c.runner));
  }

  /** A call's outcome on the connection: a transport failure or timeout drops it (the next call reconnects). */
  private async onConnection<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof CortexError && (UNREACHABLE.has(err.kind) || err.kind === 'timeout')) await this.drop();
      throw err;
    }
  }

  /**
   * Open the connection now (the steps then run on it): the preflight gate connects through the
   * agent, so the host is probed and changed on one session and one powershell.exe. Rejects as the
   * transport does (UnreachableError, AuthError, TlsError).
   */
  async connect(): Promise<void> {
    await this.connection();
  }

  /** A shipped script on the agent's connection (the gate's probes), checked by its contract. */
  async call<C extends AnyScriptContract>(contract: C, params: ParamsOf<C>, options?: RunOptions): Promise<ScriptResult<ResultOf<C>>> {
    if (this.pretestPending) return (await this.callPipelined([{ contract, params, ...(options ? { options } : {}) }]))[0]!;
    return this.withRunner((r) => r.call(contract, params, options));
  }

  /** Several scripts at once when the runner pipelines (else one after the other); results in order. */
  async callPipelined<C extends AnyScriptContract>(items: ReadonlyArray<{ contract: C; params: ParamsOf<C>; options?: RunOptions }>): Promise<Array<Promise<ScriptResult<ResultOf<C>>>>> {
    const { runner } = await this.connection();
    const pretest = this.pretestPending;
    this.pretestPending = null;
    if (runner.callPipelined && pretest?.length) {
      // The pretest rides behind the probes: the same Send, its answer read after theirs.
      const all = runner.callPipelined<AnyScriptContract>([...items, { contract: resourcesTestBatch, params: this.batchParams(pretest), options: this.batchOptions(pretest) }]);
      const testCall = all.pop() as Promise<ScriptResult<ResultOf<typeof resourcesTestBatch>>>;
      this.pretested = this.onConnection(this.data(testCall, resourcesTestBatch.id))
        .then((data) => {
          const results = testResultsOf(this.host, pretest, data);
          return new Map(pretest.map((q) => [q.step, { request: requestKey(q), result: results[q.step] }]));
        })
        // A pretest that failed is not an error of the run: the executor's own Test asks again.
        .catch(() => null);
      return all as Array<Promise<ScriptResult<ResultOf<C>>>>;
    }
    if (runner.callPipelined) return runner.callPipelined(items);
    return items.map((i) => this.call(i.contract, i.params, i.options));
  }

  /**
   * Test these steps together with the next probes the gate sends (one Send on WinRM), before any
   * change: the run's first test() on this host then answers them without a round trip of its own.
   * Only for steps whose Test does not depend on the gate's verdict or facts (no `when:`).
   */
  pretestWithProbes(requests: readonly ResourceRequest[]): void {
    this.pretestPending = requests.length ? [...requests] : null;
  }

  /** Resolves once the pretest has answered (or failed): the gate holds the host's fork until then. */
  async pretestSettled(): Promise<void> {
    this.pretestPending = null;
    await this.pretested;
  }

  /**
   * The facts the probe returned on this host just before the run (the preflight gate reads them with
   * the same parameters): the first facts() returns them instead of asking again. After a reboot,
   * facts() reads the host again.
   */
  factsRead(facts: unknown): void {
    this.readAlready = facts;
  }

  async facts(): Promise<unknown> {
    if (!this.o.readFacts) return null;
    if (this.readAlready !== undefined) {
      const known = this.readAlready;
      this.readAlready = undefined;
      return known;
    }
    return this.withRunner((r) => this.data(r.call(probesFacts, this.o.factsParams, { timeoutMs: this.o.scriptTimeoutMs ?? 120_000 }), probesFacts.id));
  }

  async test(requests: ResourceRequest[]): Promise<TestResults> {
    if (!requests.length) return {};
    const pre = this.pretested;
    if (pre) {
      // Answered once, by the first test(): after it, a change may have made them stale.
      this.pretested = null;
      const known = await pre;
      if (known) {
        const hits: TestResults = {};
        const misses = requests.filter((q) => {
          const k = known.get(q.step);
          if (k?.result === undefined || k.request !== requestKey(q)) return true;
          hits[q.step] = k.result;
          return false;
        });
        return misses.length ? { ...hits, ...(await this.test(misses)) } : hits;
      }
    }
    const data = await this.withRunner((r) => this.data(r.call(resourcesTestBatch, this.batchParams(requests), this.batchOptions(requests)), resourcesTestBatch.id));
    return testResultsOf(this.host, requests, data);
  }

  private batchParams(requests: readonly ResourceRequest[]): ParamsOf<typeof resourcesTestBatch> {
    return { requests: requests.map((q) => ({ step: q.step, resource: q.resource, params: q.params })) } as ParamsOf<typeof resourcesTestBatch>;
  }

  private batchOptions(requests: readonly ResourceRequest[]): RunOptions {
    return { tag: requests.map((q) => q.step).join(','), timeoutMs: this.o.scriptTimeoutMs ?? 300_000, hostLock: true };
  }

  async set(request: ResourceRequest, signal: AbortSignal): Promise<SetResult> {
    return (await this.setThen(request, null, signal)).set;
  }

  /**
   * The Set and its verifying Test in one round trip: both frames go to the resident PowerShell at
   * once (the runner's pipelining), which runs them in order and, when the Set succeeded, answers both
   * together (answerTogether: on WinRM one Send and one Receive). A failed Set is answered at once. The
   * Test is read-only, so running it after a Set that failed changes nothing; its answer is then not read.
   */
  async setAndTest(request: ResourceRequest, verify: ResourceRequest[], signal: AbortSignal): Promise<{ set: SetResult; tested: () => Promise<TestResults> }> {
    const r = await this.setThen(request, verify, signal);
    return { set: r.set, tested: r.tested ?? (() => this.test(verify)) };
  }

  private async setThen(request: ResourceRequest, verify: ResourceRequest[] | null, signal: AbortSignal): Promise<{ set: SetResult; tested: (() => Promise<TestResults>) | null }> {
    this.pretested = null;
    const contract = SET_SCRIPTS.get(setScriptId(request.resource));
    if (!contract) throw new InputError(`resource type ${request.resource} has no Set script`, { host: this.host, step: request.step });
    const params = { ...(this.o.secrets.paramsFor(request.step, this.host, request.params) as Record<string, unknown>) };
    // The step's timeout stops the script; closing the session ends whatever the host still runs.
    const onAbort = () => void this.drop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.withRunner(async (r) => {
        // A file's content given as text travels in the params; a source is pulled (apply --artifacts pull) or uploaded first.
        if (request.resource === 'file' && params.state !== 'absent' && params.source !== undefined) {
          const download = this.o.downloadFor?.(fileSourcePath(this.o.sourceDir, String(params.source))) ?? null;
          if (download) params.download = download;
          else params.stagedPath = await this.stage(r, request.step, params);
        }
        const setOptions = { tag: request.step, timeoutMs: this.o.setTimeoutMs?.(request.step) ?? 30 * 60_000, hostLock: true };
        let setCall: Promise<ScriptResult<ResultOf<typeof contract>>>;
        let tested: (() => Promise<TestResults>) | null = null;
        if (verify?.length && r.callPipelined) {
          const [s, t] = r.callPipelined<AnyScriptContract>(
            [
              { contract, params, options: setOptions },
              { contract: resourcesTestBatch, params: this.batchParams(verify), options: this.batchOptions(verify) },
            ],
            { answerTogether: true },
          );
          setCall = s as Promise<ScriptResult<ResultOf<typeof contract>>>;
          const testCall = t as Promise<ScriptResult<ResultOf<typeof resourcesTestBatch>>>;
          testCall.catch(() => undefined); // read only after a successful Set
          tested = () => this.onConnection(this.data(testCall, resourcesTestBatch.id)).then((data) => testResultsOf(this.host, verify, data));
        } else {
          setCall = r.call(contract, params, setOptions);
        }
        const res = await setCall;
        if (!res.ok) return { set: { ok: false, rebootRequired: false, message: redact(res.error?.message ?? `Set failed with exit code ${res.exitCode}`) }, tested };
        const d = res.data!;
        const byCode = d.exitCode !== null && REBOOT_EXIT_CODES.includes(d.exitCode);
        return { set: { ok: true, rebootRequired: d.rebootRequired || byCode, message: d.message === null ? undefined : redact(d.message), exitCode: d.exitCode ?? undefined }, tested };
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Upload a file step's source beside its destination (same volume: the Set's move is atomic). */
  private async stage(r: AgentRunner, step: string, params: Record<string, unknown>): Promise<string> {
    const local = fileSourcePath(this.o.sourceDir, String(params.source ?? ''));
    if (!isFile(local)) {
      throw new InputError(`the file source ${local} does not exist on this workstation`, { host: this.host, step, field: 'source', hint: 'Give a file path relative to the playbook, or an absolute one.' });
    }
    const staged = `${String(params.path)}.cortex-upload`;
    await r.upload(local, staged);
    return staged;
  }

  async reboot(reason: string, step = 'reboot'): Promise<void> {
    this.pretested = null;
    const before = await this.bootTime();
    await this.withRunner((r) => this.data(r.call(SET_SCRIPTS.get('resources.reboot')!, { reason }, { tag: step, timeoutMs: 120_000, hostLock: true }), 'resources.reboot'));
    await this.drop();
    const t0 = this.now();
    let delay = this.wait.pollMs;
    let last = 'no answer yet';
    let refused = 0;
    for (;;) {
      await this.sleep(delay);
      if (this.o.signal?.aborted) {
        throw new UnreachableError(`the run was interrupted while waiting for the host to come back from the reboot (${reason})`, { host: this.host, hint: 'apply --resume continues once it is back.' });
      }
      delay = Math.min(this.wait.maxPollMs, delay * 2);
      try {
        const now = await this.bootTime();
        if (now !== before) return;
        last = `it still reports the boot time ${before}: it has not restarted yet`;
        await this.drop();
      } catch (err) {
        await this.drop();
        if (err instanceof CortexError && err.kind === 'protocol') throw err;
        // A login refused again and again will not succeed by waiting, and each try counts toward the
        // account's lockout: a few refusals in a row (a host still joining its domain) are waited out.
        refused = err instanceof CortexError && err.kind === 'auth' ? refused + 1 : 0;
        if (refused >= REBOOT_AUTH_REFUSALS) throw err;
        last = err instanceof CortexError ? err.detail : String(err);
      }
      if (this.now() - t0 >= this.wait.deadlineMs) {
        throw new UnreachableError(`did not come back within ${Math.round(this.wait.deadlineMs / 1000)} s after the reboot (${reason}); last: ${last}`, {
          host: this.host,
          hint: 'Check the host on its console; apply --resume continues once it is back.',
        });
      }
    }
  }

  /** The host's last boot time, as the reboot resource's Test reads it. */
  private async bootTime(): Promise<string> {
    const r = await this.test([{ step: BOOT_STEP, resource: 'reboot' as ResourceTypeName, params: {} }]);
    const t = r[BOOT_STEP]!;
    if ('error' in t) throw new ProtocolError(`cannot read the boot time: ${t.error}`, { host: this.host, script: resourcesTestBatch.id });
    const boot = (t.state as { bootTime?: unknown } | null)?.bootTime;
    if (typeof boot !== 'string' || boot === '') throw new ProtocolError('the reboot Test returned no bootTime', { host: this.host, script: resourcesTestBatch.id, field: 'state.bootTime' });
    return boot;
  }

  /** A script's data; a script that failed is a ScriptError with the host's message. */
  private async data<T>(p: Promise<ScriptResult<T>>, script: string): Promise<T> {
    const r = await p;
    if (!r.ok) throw new ScriptError(r.error?.message ?? `failed with exit code ${r.exitCode}`, { host: this.host, script });
    return r.data as T;
  }

  /** The run is done with this host: its session ends now, in the background (close() waits for it). */
  done(): void {
    this.ended = this.drop();
  }

  async close(): Promise<void> {
    await Promise.all([this.ended, this.drop()]);
  }
}

/** The batch's answers by step, checked against what was asked: one answer per request, in order. */
export function testResultsOf(host: string, requests: readonly ResourceRequest[], data: ResultOf<typeof resourcesTestBatch>): TestResults {
  if (data.results.length !== requests.length) {
    throw new ProtocolError(`resources.test-batch answered ${data.results.length} of ${requests.length} requests`, { host, script: resourcesTestBatch.id, step: requests.map((q) => q.step).join(', ') });
  }
  const out: TestResults = {};
  requests.forEach((q, k) => {
    const a = data.results[k]!;
    if (a.step !== q.step) throw new ProtocolError(`resources.test-batch answer ${k + 1} is for step ${a.step}, not ${q.step}`, { host, script: resourcesTestBatch.id, step: q.step });
    out[q.step] = 'error' in a ? { error: redact(a.error) } : { state: a.state };
  });
  return out;
}

/** Whether any `when:` of the playbook reads facts (else the agents skip the facts probe). */
export function playbookReadsFacts(pb: Playbook): boolean {
  const all = [...stepsOf(pb), ...Object.values(pb.handlers), ...pb.phases.flatMap((p) => p.health?.checks ?? [])];
  return all.some((s) => factPathsOf(s).length > 0);
}

/**
 * The script runner: the PowerShell dialect over any Session (docs/scripts.md).
 *
 * Resident mode keeps one powershell.exe per session for the whole run and sends every script to it;
 * one-shot mode starts a process per script. Either way scripts run one at a time per session, in
 * call order. When a process dies or a script overruns its timeout, that script's caller gets a
 * ScriptError / OperationTimeoutError naming host and script, the process is discarded, and the next
 * script starts a fresh one.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AuthError,
  CortexError,
  InputError,
  InternalError,
  OperationTimeoutError,
  ProtocolError,
  ScriptError,
  TlsError,
  UnreachableError,
  type ErrorContext,
  type ErrorKind,
} from '../errors.js';
import { gzipText, type ResultFrame, type RunRequestFrame } from '../protocol/script-frames.js';
import type { Session } from '../transport/session.js';
import { bootstrapLine, type RunnerMode } from './bootstrap.js';
import { PowerShellLanguageModeError } from './language-mode.js';
import { PowerShellProcess } from './powershell-process.js';
import { toScriptResult, type ScriptResult } from './result.js';
import { libraryFiles, loadScript, type LoadedScript } from './scripts.js';
import { checkParams, parseData, type AnyScriptContract, type ParamsOf, type ResultOf } from '../scripts/contract.js';
import { wireTextCached } from './wire-text.js';
import type { UploadOptions, UploadResult } from './upload.js';

/** The slice of a pino logger the runner uses. */
export interface RunnerLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ScriptRunnerOptions {
  mode?: RunnerMode;
  log?: RunnerLog;
  /** How long powershell.exe may take to print its ready frame (default 60 s). */
  startTimeoutMs?: number;
  /** Extra time after a script's timeout for the bootstrap to stop it and report (default 15 s). */
  graceMs?: number;
}

export interface RunOptions {
  /** The script's timeout; the bootstrap stops it then (default 300 s). */
  timeoutMs?: number;
  /** Send ps1/lib with the script (default true; ad-hoc exec runs plain PowerShell without it). */
  lib?: boolean;
  /** `text`: output formatted as the console shows it, one line per item (ad-hoc exec). */
  outputFormat?: 'text';
  /** What the script runs for (a playbook step id): sent in the run frame for the lab's counters and logs. */
  tag?: string;
  /** Run under the host's lock (script-frames.ts, hostLock): resource Tests and Sets. */
  hostLock?: boolean;
}

export type ScriptSource = { id: string; text: string } | LoadedScript;

/** How a pipelined batch is answered. */
export interface PipelineOptions {
  /**
   * The host writes the batch's results together, once the last script ran (each succeeded one is kept
   * for the next: answerWithNext in script-frames.ts), so one WinRM Receive reads them all; a failed
   * script's result, with those kept before it, comes at once. Default: each as soon as it is there.
   */
  answerTogether?: boolean;
}

export const ADHOC_SCRIPT_ID = 'adhoc';

type CortexErrorClass = new (detail: string, context?: ErrorContext, options?: { cause?: unknown }) => CortexError;
const errorClassOfKind: Record<ErrorKind, CortexErrorClass> = {
  input: InputError,
  unreachable: UnreachableError,
  auth: AuthError,
  tls: TlsError,
  protocol: ProtocolError,
  timeout: OperationTimeoutError,
  script: ScriptError,
  internal: InternalError,
};
const DEFAULT_TIMEOUT_MS = 300_000;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let library: { libGz: string; libHash: string } | null = null;

/**
 * ps1/lib as it travels: its wire text (wire-text.ts), gzip-compressed (script-frames.ts `libGz`: about
 * 61 KB of text as 16 KB), and its name, the SHA-256 of the uncompressed wire text. Computed once.
 */
function wireLibrary(): { libGz: string; libHash: string } {
  if (library) return library;
  // File by file: one file's here-string (sent as it is) must not keep the others' comments on the wire.
  const text = libraryFiles().map(wireTextCached).join('\n');
  library = { libGz: gzipText(text), libHash: sha256(text) };
  return library;
}

let warming: 'no' | 'bootstrap' | 'lib' = 'no';

/**
 * Prepare, soon and once per process, what the first request on every host needs: the bootstrap's
 * stdin line and, with `lib`, the library's wire text and hash (together about 10–35 ms of file reads
 * and text work, cold). Called as the sessions start connecting, it runs while they wait on the network
 * instead of between a host's Command and its first Send. A failure is left for the real use to report.
 */
export function warmWireTexts(o: { lib: boolean }): void {
  if (warming === 'lib' || (warming === 'bootstrap' && !o.lib)) return;
  warming = o.lib ? 'lib' : 'bootstrap';
  setImmediate(() => {
    try {
      bootstrapLine();
      if (o.lib) wireLibrary();
    } catch {
      // The request that needs them reports it, with its host and script.
    }
  });
}

const shipped = new Map<string, { scriptGz: string; scriptHash: string }>();

/**
 * A shipped script as it travels, its wire text gzip-compressed (`scriptGz`), and its name, the SHA-256
 * of the uncompressed wire text (computed once per text).
 */
function shippedScript(source: string): { scriptGz: string; scriptHash: string } {
  let s = shipped.get(source);
  if (!s) {
    const script = wireTextCached(source);
    s = { scriptGz: gzipText(script), scriptHash: sha256(script) };
    if (shipped.size < 256) shipped.set(source, s);
  }
  return s;
}

export class ScriptRunner {
  readonly mode: RunnerMode;
  private resident: PowerShellProcess | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Counters for logs, tests and benchmarks. */
  readonly stats = { processesStarted: 0, scriptsRun: 0, processesReplaced: 0 };

  constructor(
    readonly session: Session,
    private readonly opts: ScriptRunnerOptions = {},
  ) {
    this.mode = opts.mode ?? 'resident';
  }

  private get host(): string {
    return this.session.host.name;
  }

  /** Queue a task behind the running one: one script at a time per session. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Run a script with its parameters. Resolves with the result whether the script succeeded or not
   * (check `ok`); rejects only when the script could not run to an answer (process died, timeout,
   * transport failure).
   */
  run<T = unknown>(script: ScriptSource, params: Record<string, unknown> = {}, options: RunOptions = {}): Promise<ScriptResult<T>> {
    return this.enqueue(() => this.runNow<T>(script, params, options));
  }

  /** Run a script and return its data; a failed script becomes a ScriptError with its message. */
  async runData<T = unknown>(script: ScriptSource, params: Record<string, unknown> = {}, options: RunOptions = {}): Promise<T> {
    const result = await this.run<T>(script, params, options);
    if (!result.ok) {
      const e = result.error;
      throw new ScriptError(e ? `${e.message} (${e.category})` : `failed with exit code ${result.exitCode}`, {
        host: this.host,
        script: script.id,
      });
    }
    return result.data as T;
  }

  /**
   * Run a shipped script by its contract (src/scripts/catalog.ts): the parameters are checked before
   * anything is sent (a mismatch is our bug: InternalError), and an `ok` result's data is checked
   * against the contract (another shape: ProtocolError naming host, script and field).
   */
  call<C extends AnyScriptContract>(contract: C, params: ParamsOf<C>, options: RunOptions = {}): Promise<ScriptResult<ResultOf<C>>> {
    const sent = checkParams(contract, this.host, params) as Record<string, unknown>;
    return this.run(loadScript(contract.id), sent, options).then((r) => this.checked(contract, r));
  }

  /** call(), then its data; a failed script becomes a ScriptError with its message. */
  async callData<C extends AnyScriptContract>(contract: C, params: ParamsOf<C>, options: RunOptions = {}): Promise<ResultOf<C>> {
    const result = await this.call(contract, params, options);
    if (!result.ok) {
      const e = result.error;
      throw new ScriptError(e ? `${e.message} (${e.category})` : `failed with exit code ${result.exitCode}`, { host: this.host, script: contract.id });
    }
    return result.data as ResultOf<C>;
  }

  /** runPipelined() by contracts, each checked as call() checks it. */
  callPipelined<C extends AnyScriptContract>(items: ReadonlyArray<{ contract: C; params: ParamsOf<C>; options?: RunOptions }>, batch: PipelineOptions = {}): Array<Promise<ScriptResult<ResultOf<C>>>> {
    const runs = items.map((i) => ({ script: loadScript(i.contract.id), params: checkParams(i.contract, this.host, i.params) as Record<string, unknown>, ...(i.options ? { options: i.options } : {}) }));
    return this.runPipelined(runs, batch).map((p, k) => p.then((r) => this.checked(items[k]!.contract, r)));
  }

  private checked<C extends AnyScriptContract>(contract: C, r: ScriptResult): ScriptResult<ResultOf<C>> {
    return r.ok ? { ...r, data: parseData(contract, this.host, r.data) } : (r as ScriptResult<ResultOf<C>>);
  }

  /** Upload a file (see upload.ts): skipped when the host has the same SHA-256 already. */
  async upload(localPath: string, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    // Loaded on the first upload: it brings the script catalog (every resource type's schemas),
    // which commands that upload nothing (exec) need not load.
    const { uploadFile } = await import('./upload.js');
    return uploadFile(this, localPath, remotePath, options);
  }

  /** Serialise a raw task with the scripts (the upload's receiver process uses it). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.enqueue(task);
  }

  private requestFor(script: ScriptSource, params: Record<string, unknown>, options: RunOptions): RunRequestFrame {
    return {
      type: 'run',
      id: randomUUID(),
      scriptId: script.id,
      // Shipped scripts (they have a file) and the library travel without comments (wire-text.ts) and
      // gzip-compressed, each with its name: the process keeps them, and powershell-process.ts sends only
      // the name once it has (script-frames.ts). Ad-hoc text travels whole, and plain, every time.
      ...('file' in script && script.file ? shippedScript(script.text) : { script: script.text }),
      ...(options.lib === false ? {} : wireLibrary()),
      ...(options.outputFormat ? { outputFormat: options.outputFormat } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      ...(options.hostLock === true ? { hostLock: true } : {}),
      params,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
  }

  private runNow<T>(script: ScriptSource, params: Record<string, unknown>, options: RunOptions): Promise<ScriptResult<T>> {
    return this.runBatchNow([{ script, params, options }])[0] as Promise<ScriptResult<T>>;
  }

  /**
   * Run several scripts pipelined: in resident mode every request frame goes out at once (one Send
   * on WinRM, in the bootstrap's own Send when the process is new) and the results come back in
   * order. Unlike run() called in turn, a script that kills the process fails the ones after it too
   * (they are not retried on a fresh process). One-shot mode runs them one after the other.
   * Each promise is the caller's to await.
   */
  runPipelined(items: ReadonlyArray<{ script: ScriptSource; params?: Record<string, unknown>; options?: RunOptions }>, how: PipelineOptions = {}): Array<Promise<ScriptResult>> {
    const all = items.map((i) => ({ script: i.script, params: i.params ?? {}, options: i.options ?? {} }));
    if (this.mode === 'oneshot') return all.map((i) => this.run(i.script, i.params, i.options));
    // Queued like one run(), but each result is handed out as soon as it arrives; the next task
    // waits for all of them.
    const start = () => this.runBatchNow(all, how.answerTogether === true);
    const batch = this.tail.then(start, start);
    this.tail = batch.then((rs) => Promise.allSettled(rs)).catch(() => undefined);
    return all.map((_, k) => batch.then((results) => results[k] as Promise<ScriptResult>));
  }

  /**
   * Start every item (one request each) and return their result promises, in order. `together`: every
   * request but the last asks for its result to be kept and written with the next one's (answerWithNext),
   * so a kept result's deadline also allows for the scripts after it.
   */
  private runBatchNow(items: ReadonlyArray<{ script: ScriptSource; params: Record<string, unknown>; options: RunOptions }>, together = false): Array<Promise<ScriptResult>> {
    if (this.closed) {
      return items.map(({ script }) => Promise.reject(new ScriptError('the script runner is closed', { host: this.host, script: script.id })));
    }
    const frames = items.map(({ script, params, options }, k) => ({
      ...this.requestFor(script, params, options),
      ...(together && k < items.length - 1 ? { answerWithNext: true } : {}),
    }));
    // A request under the host's lock may first wait up to its timeout for the lock, then run as long.
    const budget = (f: RunRequestFrame) => f.timeoutMs * (f.hostLock === true ? 2 : 1);
    const reqs = items.map(({ script, options }, k) => {
      const frame = frames[k]!;
      const waitsFor = frame.answerWithNext ? frames.slice(k + 1).reduce((ms, f) => ms + budget(f), 0) : 0;
      return { script, options, frame, deadlineMs: budget(frame) + waitsFor + (this.opts.graceMs ?? 15_000) };
    });
    const started = Date.now();
    this.stats.scriptsRun += reqs.length;
    const procReady = this.mode === 'resident' ? this.residentProcess(reqs) : this.startProcess(reqs);
    const sent = procReady.then((proc) => {
      const first = proc.takeFirstResults();
      // Frames the process was not started with go out now, synchronously, so they share one Send.
      return { proc, results: reqs.map((r, k) => first[k] ?? proc.request(r.frame, r.deadlineMs)) };
    });
    sent.catch(() => undefined);
    let previous: Promise<unknown> = Promise.resolve();
    return reqs.map((r, k) => {
      const mine = previous.then(
        () => this.finishOne(sent, k, r, started),
        () => this.finishOne(sent, k, r, started),
      );
      previous = mine.catch(() => undefined);
      return mine;
    });
  }

  /** Await request `k` of a batch and turn its frame into a result (in order: diagnostics belong to it). */
  private async finishOne(
    sent: Promise<{ proc: PowerShellProcess; results: Array<Promise<ResultFrame>> }>,
    k: number,
    r: { script: ScriptSource; options: RunOptions; frame: RunRequestFrame },
    started: number,
  ): Promise<ScriptResult> {
    const { script, options, frame } = r;
    let proc: PowerShellProcess | null = null;
    let frameResult: ResultFrame;
    try {
      const s = await sent;
      proc = s.proc;
      frameResult = await s.results[k]!;
      if (this.mode === 'oneshot') await proc.closeStdin().catch(() => undefined);
    } catch (err) {
      if (proc && this.mode === 'resident') this.discard(proc);
      if (proc && this.mode === 'oneshot') await proc.terminate();
      this.opts.log?.warn({ host: this.host, script: script.id, err: (err as Error).message }, 'script did not complete');
      throw this.withScript(err, script.id);
    }
    const diagnostics = proc.takeDiagnostics();
    if (frameResult.bootstrapError) {
      // The bootstrap answered, but could not run the script; it carries on with the next request.
      const { stage, message } = frameResult.bootstrapError;
      const detail =
        stage === 'request'
          ? `powershell.exe could not read the request: ${message}`
          : stage === 'lib' || stage === 'script'
            ? `powershell.exe did not keep the ${stage === 'lib' ? 'library' : 'script'} the request named, even after it was sent again: ${message}`
            : `powershell.exe could not run the script: ${message}`;
      const context = { host: this.host, script: script.id };
      this.opts.log?.warn({ ...context, stage, err: message }, 'bootstrap refused a request');
      if (this.mode === 'oneshot') await proc.terminate();
      throw stage === 'run' ? new ScriptError(detail, context) : new ProtocolError(detail, context);
    }
    if (this.mode === 'oneshot') {
      // One process per script: let it exit (it does right after the result) or end it.
      await Promise.race([proc.exited, new Promise((res) => setTimeout(res, 5000).unref())]);
      await proc.terminate();
    }
    const result = toScriptResult(frameResult, diagnostics, options.lib !== false);
    this.opts.log?.debug(
      { host: this.host, script: script.id, ok: result.ok, exitCode: result.exitCode, durationMs: Date.now() - started },
      'script finished',
    );
    if (frameResult.timedOut) {
      // The bootstrap stopped the pipeline, but what it left running is unknown: start clean.
      if (this.mode === 'resident') this.discard(proc);
      throw new OperationTimeoutError(`script did not finish within ${frame.timeoutMs} ms and was stopped`, {
        host: this.host,
        script: script.id,
        hint: 'Raise the script timeout if the host is just slow.',
      });
    }
    return result;
  }

  /** The same kind of error, with host and script in its context (the original stays as the cause). */
  private withScript(err: unknown, scriptId: string): Error {
    if (err instanceof CortexError) {
      // A language-mode refusal is about the host, not this script (and keeps its own class).
      if (err.context.script || err instanceof PowerShellLanguageModeError) return err;
      const Ctor = errorClassOfKind[err.kind];
      return new Ctor(err.detail, { ...err.context, host: err.context.host ?? this.host, script: scriptId }, { cause: err });
    }
    return new ScriptError(`${(err as Error)?.message ?? String(err)}`, { host: this.host, script: scriptId }, { cause: err });
  }

  private async startProcess(first: ReadonlyArray<{ frame: RunRequestFrame; deadlineMs: number }> = []): Promise<PowerShellProcess> {
    const p = await PowerShellProcess.start(this.session, this.mode, this.opts.startTimeoutMs ?? 60_000, first);
    this.stats.processesStarted++;
    this.opts.log?.debug({ host: this.host, pid: p.pid, psVersion: p.psVersion, mode: this.mode }, 'powershell.exe ready');
    return p;
  }

  private async residentProcess(first: ReadonlyArray<{ frame: RunRequestFrame; deadlineMs: number }> = []): Promise<PowerShellProcess> {
    if (this.resident && this.resident.alive) return this.resident;
    if (this.resident) this.stats.processesReplaced++;
    this.resident = null;
    this.resident = await this.startProcess(first);
    return this.resident;
  }

  private discard(proc: PowerShellProcess): void {
    if (!proc.alive && this.resident !== proc) return; // already discarded (a pipelined batch fails as a whole)
    if (this.resident === proc) this.resident = null;
    this.stats.processesReplaced++;
    void proc.terminate();
  }

  /**
   * End the idle resident process now, from inside an exclusive task (the next script starts a fresh
   * one). The upload does this before streaming a file through another process: on WinRM every
   * process shares the session's one socket, and an idle resident's Receive polls would hold each of
   * the upload's Sends back; a PowerShell start is cheap next to that.
   */
  async releaseResidentNow(): Promise<void> {
    const p = this.resident;
    this.resident = null;
    if (p) await p.close();
  }

  /** End the resident process (the session stays open; the caller closes it). */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      this.closed = true;
      const p = this.resident;
      this.resident = null;
      if (p) await p.close();
    });
  }
}

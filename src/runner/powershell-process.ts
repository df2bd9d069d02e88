/**
 * One powershell.exe on a host running the bootstrap (ps1/bootstrap/resident.ps1): started, fed
 * request frames, its result frames matched to requests by id. It knows nothing about queues or
 * restarts (runner.ts decides those); it reports death and timeouts as typed errors.
 */
import { StringDecoder } from 'node:string_decoder';
import { CortexError, OperationTimeoutError, ProtocolError, ScriptError } from '../errors.js';
import {
  LineSplitter,
  decodeFrameLine,
  encodeFrame,
  responseFrameSchema,
  type ReadyFrame,
  type ResultFrame,
  type RunRequestFrame,
} from '../protocol/script-frames.js';
import type { RemoteProcess, Session } from '../transport/session.js';
import { bootstrapLine, bootstrapSpec, type RunnerMode } from './bootstrap.js';
import { decodeStderr } from './clixml.js';
import { PowerShellLanguageModeError } from './language-mode.js';

/** Whether a frame carries the library's text, plain or compressed (script-frames.ts). */
const carriesLib = (f: RunRequestFrame): boolean => f.lib !== undefined || f.libGz !== undefined;
/** Whether a frame carries its script's text, plain or compressed. */
const carriesScript = (f: RunRequestFrame): boolean => f.script !== undefined || f.scriptGz !== undefined;

interface Pending {
  id: string;
  scriptId: string;
  resolve(frame: ResultFrame): void;
  reject(err: Error): void;
}

export class PowerShellProcess {
  private ready: ReadyFrame | null = null;
  private readyWaiter: { resolve(f: ReadyFrame): void; reject(e: Error): void } | null = null;
  private pending = new Map<string, Pending>();
  private diagnostics: string[] = [];
  private stderrText = '';
  private readonly stderrDecoder = new StringDecoder('utf8');
  private deadReason: Error | null = null;
  private exitCode: number | null = null;
  private firstResults: Array<Promise<ResultFrame>> = [];
  /** Settles when the ready frame arrived (start() sets it). */
  private readyReached: Promise<unknown> | null = null;
  /**
   * The libHash of the library this process keeps, and the scriptHash of every script it keeps, once a
   * request carrying them was written: requests are read in order, so every later one may name them
   * instead of carrying their text again (~16 KB compressed for the library; script-frames.ts).
   */
  private libKept: string | null = null;
  private readonly scriptsKept = new Set<string>();

  private constructor(
    private readonly session: Session,
    private readonly proc: RemoteProcess,
  ) {}

  /**
   * Spawn the bootstrap and wait for its ready frame. With `first`, those requests go out in the
   * same Send as the bootstrap line (the host buffers stdin; the bootstrap reads them after starting),
   * saving round trips; their results are then `takeFirstResults()`.
   */
  static async start(
    session: Session,
    mode: RunnerMode,
    startTimeoutMs: number,
    first: ReadonlyArray<{ frame: RunRequestFrame; deadlineMs: number }> = [],
  ): Promise<PowerShellProcess> {
    const proc = await session.spawn(bootstrapSpec(mode), { timeoutMs: startTimeoutMs });
    const p = new PowerShellProcess(session, proc);
    // The waiter first: output the transport buffered before anyone listened (a fatal frame, the
    // process already gone) is delivered as soon as listen() registers, and must find it.
    const ready = new Promise<ReadyFrame>((resolve, reject) => (p.readyWaiter = { resolve, reject }));
    ready.catch(() => undefined);
    p.readyReached = ready;
    p.listen();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OperationTimeoutError(`powershell.exe did not start within ${startTimeoutMs} ms; it was terminated`, {
              host: session.host.name,
              hint: 'A slow or overloaded host: raise the start timeout, or check that powershell.exe runs for this account.',
            }),
          ),
        startTimeoutMs,
      );
    });
    try {
      // The write and the ready frame are awaited together: if the write fails, the process dies
      // and `ready` rejects too, and that rejection must have an owner (else it is unhandled).
      let written: Promise<void> = Promise.resolve();
      if (first.length > 0) {
        // Written in one synchronous run, so the transport coalesces them into one Send.
        p.firstResults = first.map((f, i) => {
          const result = p.exchange(f.frame, f.deadlineMs, i === 0 ? bootstrapLine() : null);
          // Owned by whoever takes firstResults; until then a failure must not go unhandled.
          result.catch(() => undefined);
          return result;
        });
      } else {
        written = proc.write(bootstrapLine());
      }
      const started = Promise.all([written, ready]).then(([, frame]) => frame);
      p.ready = await Promise.race([started, timeout]);
      return p;
    } catch (err) {
      await proc.terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The results of the requests passed to start(), once; empty after that or when none were. */
  takeFirstResults(): Array<Promise<ResultFrame>> {
    const r = this.firstResults;
    this.firstResults = [];
    return r;
  }

  get pid(): number | undefined {
    return this.ready?.pid;
  }

  get psVersion(): string | undefined {
    return this.ready?.psVersion;
  }

  get alive(): boolean {
    return this.deadReason === null;
  }

  /** The exit code once the process ended (one-shot mode reads it). */
  get exited(): Promise<number> {
    return this.proc.exit.then(
      (s) => s.exitCode,
      () => -1,
    );
  }

  private listen(): void {
    const lines = new LineSplitter((line) => this.onLine(line), { onOverflow: (n) => this.diagnostics.push(`a line of ${n} characters from the host was dropped (longer than a frame may be)`) });
    this.proc.on('stdout', (chunk) => lines.push(chunk));
    this.proc.on('stderr', (chunk) => {
      this.stderrText += this.stderrDecoder.write(chunk);
    });
    this.proc.exit.then(
      (status) => {
        this.exitCode = status.exitCode;
        this.die(
          new ScriptError(
            `powershell.exe ended (exit code ${status.exitCode}) ${this.exitContext()}${this.stderrTail()}.`,
            { host: this.session.host.name },
          ),
        );
      },
      (err: unknown) => this.die(err instanceof Error ? err : new ScriptError(String(err), { host: this.session.host.name })),
    );
  }

  private exitContext(): string {
    return this.ready ? 'while a script was running' : 'before it was ready';
  }

  private stderrTail(): string {
    const text = decodeStderr(this.stderrText + this.stderrDecoder.end()).trim();
    if (!text) return '';
    const tail = text.length > 2000 ? `…${text.slice(-2000)}` : text;
    return `; stderr: ${tail}`;
  }

  private onLine(line: string): void {
    let frame: unknown;
    try {
      frame = decodeFrameLine(line);
    } catch {
      this.malformed(`a frame that is not base64 of JSON: ${line.slice(0, 200)}`, null);
      return;
    }
    if (frame === null) {
      // Stray native output: bytes were split as latin1; re-read them as UTF-8.
      const text = Buffer.from(line, 'latin1').toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') this.diagnostics.push(text);
      return;
    }
    const parsed = responseFrameSchema.safeParse(frame);
    if (!parsed.success) {
      const id = (frame as { id?: unknown }).id;
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'unknown shape';
      this.malformed(`a malformed ${String((frame as { type?: unknown }).type ?? 'untyped')} frame (${where})`, typeof id === 'string' ? id : null);
      return;
    }
    const f = parsed.data;
    if (f.type === 'ready') {
      this.readyWaiter?.resolve(f);
      this.readyWaiter = null;
      if (this.pending.size === 0) this.proc.idle?.();
    } else if (f.type === 'fatal') {
      this.die(new PowerShellLanguageModeError(f.languageMode, { host: this.session.host.name }));
    } else {
      // id null: the bootstrap could not read the request's id; it answers in order, so it is the oldest.
      const p = f.id === null ? this.pending.values().next().value : this.pending.get(f.id);
      if (p) {
        this.pending.delete(p.id);
        // Every request answered: the bootstrap prints nothing until the next one (WinRM stops polling).
        if (this.pending.size === 0) this.proc.idle?.();
        p.resolve(f);
      } else {
        this.diagnostics.push(`result frame for unknown request ${String(f.id)}`);
      }
    }
  }

  /**
   * The host printed a frame we cannot accept. The request it answers (by id, else the oldest open one)
   * fails with a ProtocolError; the runner then discards this process, whose state is unknown.
   */
  private malformed(what: string, id: string | null): void {
    const p = (id !== null ? this.pending.get(id) : undefined) ?? this.pending.values().next().value;
    if (!p) {
      this.diagnostics.push(`ignored ${what}`);
      return;
    }
    this.pending.delete(p.id);
    p.reject(
      new ProtocolError(`powershell.exe answered with ${what}`, {
        host: this.session.host.name,
        script: p.scriptId,
        hint: 'The runner starts a fresh powershell.exe for the next script.',
      }),
    );
  }

  private die(reason: Error): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    this.readyWaiter?.reject(reason);
    this.readyWaiter = null;
    for (const p of this.pending.values()) {
      const err =
        reason instanceof CortexError && reason.kind !== 'script'
          ? reason
          : new ScriptError(`${reason instanceof CortexError ? reason.detail : reason.message}`, {
              host: this.session.host.name,
              script: p.scriptId,
              hint: 'The runner starts a fresh powershell.exe for the next script.',
            });
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Diagnostics gathered since the last call (non-frame stdout lines, decoded stderr), and reset. */
  takeDiagnostics(): string[] {
    const out = this.diagnostics;
    this.diagnostics = [];
    const stderr = decodeStderr(this.stderrText).trim();
    this.stderrText = '';
    if (stderr) out.push(...stderr.split('\n'));
    return out;
  }

  /**
   * Send one request and wait for its result, at most `deadlineMs`. On the deadline the process is
   * terminated (its state is unknown) and an OperationTimeoutError names host and script.
   */
  request(frame: RunRequestFrame, deadlineMs: number): Promise<ResultFrame> {
    return this.exchange(frame, deadlineMs, null);
  }

  /**
   * The frame as written: without `lib`/`libGz` and `script`/`scriptGz` where this process already keeps
   * them (then `libHash` and `scriptHash` name them); what it carries counts as kept from now on.
   * `whole`: all of it.
   */
  private wireFrame(frame: RunRequestFrame, whole: boolean): RunRequestFrame {
    const out = { ...frame };
    // Sent again alone, nothing follows it in the same write: its answer must not wait for another.
    if (whole) delete out.answerWithNext;
    if (carriesLib(frame) && frame.libHash !== undefined) {
      if (!whole && this.libKept === frame.libHash) {
        delete out.lib;
        delete out.libGz;
      } else this.libKept = frame.libHash;
    }
    if (carriesScript(frame) && frame.scriptHash !== undefined) {
      if (!whole && this.scriptsKept.has(frame.scriptHash)) {
        delete out.script;
        delete out.scriptGz;
      } else this.scriptsKept.add(frame.scriptHash);
    }
    return out;
  }

  /** request(), with `prefix` (the bootstrap line) written ahead of the frame in the same write. */
  private async exchange(frame: RunRequestFrame, deadlineMs: number, prefix: Buffer | null): Promise<ResultFrame> {
    if (this.deadReason) throw this.deadReason;
    if (this.pending.has(frame.id)) throw new ProtocolError(`duplicate request id ${frame.id}`, { host: this.session.host.name });
    const answer = (): Promise<ResultFrame> =>
      new Promise<ResultFrame>((resolve, reject) => this.pending.set(frame.id, { id: frame.id, scriptId: frame.scriptId, resolve, reject }));
    const first = answer();
    // A process that does not keep the library or script the frame names (it never read the request that
    // carried it) answers bootstrapError stage `lib` or `script`, having run nothing: send it once more, whole.
    const result = first.then((f) => {
      const stage = f.bootstrapError?.stage;
      if (!((stage === 'lib' && carriesLib(frame)) || (stage === 'script' && carriesScript(frame)))) return f;
      if (this.deadReason) throw this.deadReason;
      const again = answer();
      void this.proc.write(Buffer.from(encodeFrame(this.wireFrame(frame, true)), 'ascii')).catch(() => undefined);
      return again;
    });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const timeout = new Promise<never>((_, reject) => {
      const arm = (): void => {
        if (settled) return;
        timer = setTimeout(() => {
          this.pending.delete(frame.id);
          void this.terminate();
          reject(
            new OperationTimeoutError(
              `script did not finish within ${frame.timeoutMs} ms (and did not stop within ${deadlineMs - frame.timeoutMs} ms more); its powershell.exe was terminated`,
              { host: this.session.host.name, script: frame.scriptId, hint: 'Raise the script timeout if the host is just slow.' },
            ),
          );
        }, deadlineMs);
      };
      // A request sent with the bootstrap waits in stdin while PowerShell starts: its clock starts at
      // the ready frame (the start has its own timeout), as the bootstrap's own does.
      if (prefix && this.readyReached) void this.readyReached.then(arm, () => undefined);
      else arm();
    });
    try {
      const bytes = Buffer.from(encodeFrame(this.wireFrame(frame, false)), 'ascii');
      // Two writes in one synchronous run: the transport sends them together, with a single copy.
      const written = prefix ? Promise.all([this.proc.write(prefix), this.proc.write(bytes)]) : this.proc.write(bytes);
      await Promise.race([written, result, timeout]);
      return await Promise.race([result, timeout]);
    } finally {
      settled = true;
      clearTimeout(timer);
      this.pending.delete(frame.id);
    }
  }

  async closeStdin(): Promise<void> {
    await this.proc.closeStdin();
  }

  /** Ask the bootstrap to exit, wait briefly, then terminate. Never throws. */
  async close(waitMs = 5000): Promise<void> {
    if (this.deadReason) return;
    try {
      await this.proc.write(Buffer.from(encodeFrame({ type: 'exit', id: 'exit' }), 'ascii'));
      await this.proc.closeStdin();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.proc.exit.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    } catch {
      // fall through to terminate
    }
    await this.terminate();
  }

  async terminate(): Promise<void> {
    if (!this.deadReason) this.die(new ScriptError('powershell.exe was terminated', { host: this.session.host.name }));
    await this.proc.terminate();
  }
}

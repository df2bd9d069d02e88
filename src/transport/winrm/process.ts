/**
 * A command running in a WinRS shell, as a RemoteProcess. One pump per process drives the
 * protocol: queued stdin goes out first (Send), otherwise it long-polls Receive and streams each
 * rsp:Stream's bytes to the listeners as they arrive, until Done; then Signal terminate frees the
 * command on the host.
 *
 * All requests share the session's single socket, and a held Receive blocks it. So while stdin is
 * open, or another process shares the session, the pump polls with a short OperationTimeout (a
 * write or another process's request waits at most that long), and after
 * each Send or output it first yields once, so a caller that writes again right away — the resident
 * PowerShell answering a result with the next request, or an upload loop — gets its Send out
 * without a Receive in between. A warm request/response round trip is thus Send + Receive.
 *
 * Between round trips the caller may say it expects nothing until its next write (idle()): then the
 * pump stops polling, so that write, however late it comes (a step waiting for other hosts), is not
 * stuck behind a held poll for up to the short OperationTimeout. It still polls once every
 * IDLE_CHECK_MS, so a process that ends while idle is noticed before the next request.
 */
import type { ExitStatus, OutputStream, RemoteProcess } from '../session.js';
import { CortexError, InternalError, ProtocolError } from '../../errors.js';
import { WsmanFaultError } from './errors.js';
import type { WinrsShells, ShellHandle } from './shell.js';

/** While idle (see idle()), one liveness poll this often. */
export const IDLE_CHECK_MS = 10_000;

export interface ProcessTiming {
  /** Receive OperationTimeout once stdin is closed (settings.operationTimeoutSec). */
  longPollMs: number;
  /** Receive OperationTimeout while stdin is open. */
  interactivePollMs: number;
  /** HTTP wait beyond the long poll, and for every other request. */
  requestTimeoutMs: number;
  /** True while other processes share the session's socket: then every poll is short, so none starves. */
  shared: () => boolean;
}

/** STATUS_CONTROL_C_EXIT: the exit code Windows reports for a console process ended by a signal. */
export const TERMINATED_EXIT_CODE = 0xc000013a;

interface PendingWrite {
  data: Buffer;
  end: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class WinrmProcess implements RemoteProcess {
  readonly exit: Promise<ExitStatus>;
  private settleExit!: (s: ExitStatus) => void;
  private failExit!: (e: unknown) => void;
  private readonly listeners: Record<OutputStream, Array<(chunk: Buffer) => void>> = { stdout: [], stderr: [] };
  private readonly writes: PendingWrite[] = [];
  private stdinClosed = false;
  private finished = false;
  private failure: unknown = null;
  private terminating = false;
  private signalled = false;
  /** The shell is being deleted: no Signal needed (see endWithShell). */
  private shellGoing = false;
  private wakeUp: (() => void) | null = null;
  /** When the caller said it expects no output until its next write (idle()); null when it did not. */
  private idleSince: number | null = null;
  /** Receive requests made (tests, benchmarks). */
  receives = 0;
  sends = 0;

  constructor(
    private readonly hostName: string,
    private readonly shells: WinrsShells,
    private readonly shell: ShellHandle,
    readonly commandId: string,
    private readonly timing: ProcessTiming,
  ) {
    this.exit = new Promise<ExitStatus>((resolve, reject) => {
      this.settleExit = resolve;
      this.failExit = reject;
    });
    // Nobody may be awaiting `exit` when the transport fails; that must not crash the process.
    this.exit.catch(() => undefined);
    void this.pump();
  }

  on(stream: OutputStream, listener: (chunk: Buffer) => void): void {
    this.listeners[stream].push(listener);
  }

  write(data: Uint8Array): Promise<void> {
    if (this.stdinClosed) return Promise.reject(new InternalError('write() after closeStdin()'));
    if (data.length === 0) return Promise.resolve();
    return this.enqueue(Buffer.from(data.buffer, data.byteOffset, data.byteLength), false);
  }

  closeStdin(): Promise<void> {
    if (this.stdinClosed) return Promise.resolve();
    this.stdinClosed = true;
    return this.enqueue(Buffer.alloc(0), true);
  }

  idle(): void {
    if (!this.stdinClosed && !this.finished) this.idleSince = Date.now();
  }

  private enqueue(data: Buffer, end: boolean): Promise<void> {
    this.idleSince = null;
    if (this.failure) return Promise.reject(this.failure);
    if (this.finished) {
      // The process ended: like a closed pipe, further input goes nowhere. Closing is always fine.
      return end ? Promise.resolve() : Promise.reject(new ProtocolError('the process has ended; its stdin is closed', { host: this.hostName }));
    }
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ data, end, resolve, reject });
      this.poke();
    });
  }

  async terminate(): Promise<void> {
    return this.stop(false);
  }

  /**
   * End the process because its shell is about to be deleted (session close): deleting a shell ends
   * the commands in it, so no Signal is sent — one request fewer per session (Ansible closes the
   * same way). The caller must delete the shell.
   */
  endWithShell(): Promise<void> {
    return this.stop(true);
  }

  private async stop(shellGoing: boolean): Promise<void> {
    if (shellGoing) this.shellGoing = true;
    if (this.finished || this.terminating) return;
    this.terminating = true;
    this.poke();
    // Don't wait out a held long poll: its output is unwanted now.
    this.shells.abortReceive(this);
    await this.exit.then(
      () => undefined,
      () => undefined,
    );
  }

  private poke(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Wait until poked (a write or terminate) or `ms` passed. */
  private sleepUnlessPoked(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      t.unref(); // an idle process does not keep the program running (a held poll did not either once closed)
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Wait until poked (a write or terminate) or one macrotask turn passed. */
  private yieldOnce(): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setImmediate(() => {
        this.wakeUp = null;
        resolve();
      });
      this.wakeUp = () => {
        clearImmediate(t);
        resolve();
      };
    });
  }

  private emit(stream: string, chunk: Buffer): void {
    if (chunk.length === 0 || (stream !== 'stdout' && stream !== 'stderr')) return;
    for (const l of this.listeners[stream]) {
      try {
        l(chunk);
      } catch {
        // A listener's bug must not stop the protocol (or leave the command running on the host).
      }
    }
  }

  private async pump(): Promise<void> {
    const t = this.timing;
    let yielded = false;
    try {
      for (;;) {
        if (this.terminating) {
          if (!this.shellGoing) await this.signalOnce();
          this.finish({ exitCode: TERMINATED_EXIT_CODE });
          return;
        }
        if (this.writes.length > 0) {
          await this.flushWrites();
          yielded = false;
          continue;
        }
        if (!this.stdinClosed && !yielded) {
          await this.yieldOnce();
          yielded = true;
          continue;
        }
        if (this.idleSince !== null && !this.stdinClosed) {
          const left = this.idleSince + IDLE_CHECK_MS - Date.now();
          if (left > 0) {
            await this.sleepUnlessPoked(left);
            continue;
          }
          this.idleSince = Date.now(); // a liveness poll now; the next one IDLE_CHECK_MS later
        }
        const poll = this.stdinClosed && !t.shared() ? t.longPollMs : t.interactivePollMs;
        this.receives++;
        let r;
        try {
          r = await this.shells.receive(this.shell, this.commandId, poll, t.requestTimeoutMs, this);
        } catch (e) {
          if (this.terminating) continue; // aborted by terminate(): go on to the Signal
          throw e;
        }
        if (r === null) continue; // OperationTimeout: nothing yet, poll again
        let output = false;
        for (const s of r.streams) {
          if (s.data.length > 0) output = true;
          this.emit(s.name, s.data);
        }
        if (output) yielded = false;
        if (r.state?.done) {
          if (r.state.exitCode === null) throw new ProtocolError('WinRM reported the command Done without an ExitCode', { host: this.hostName });
          const status = { exitCode: r.state.exitCode };
          await this.signalOnce().catch(() => undefined);
          this.finish(status);
          return;
        }
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Send queued writes, coalescing adjacent small ones into one envelope. */
  private async flushWrites(): Promise<void> {
    const batch: PendingWrite[] = [this.writes.shift()!];
    let bytes = batch[0]!.data.length;
    while (this.writes.length > 0 && !batch[batch.length - 1]!.end && bytes + this.writes[0]!.data.length <= 256 * 1024) {
      const w = this.writes.shift()!;
      batch.push(w);
      bytes += w.data.length;
    }
    const data = batch.length === 1 ? batch[0]!.data : Buffer.concat(batch.map((w) => w.data));
    const end = batch[batch.length - 1]!.end;
    try {
      this.sends++;
      await this.shells.send(this.shell, this.commandId, data, end, this.timing.requestTimeoutMs);
    } catch (e) {
      if (!(e instanceof WsmanFaultError)) {
        for (const w of batch) w.reject(e);
        throw e;
      }
      // The service refused the input (typically: the process already ended and its pipe is gone).
      // Like writing to a closed pipe: the writes fail, closing succeeds, and the pump goes on to
      // Receive the exit code instead of failing the whole process.
      this.stdinClosed = true;
      for (const w of batch) (w.data.length === 0 && w.end ? w.resolve : () => w.reject(e))();
      for (const w of this.writes.splice(0)) (w.end ? w.resolve : () => w.reject(e))();
      return;
    }
    for (const w of batch) w.resolve();
  }

  private async signalOnce(): Promise<void> {
    if (this.signalled) return;
    this.signalled = true;
    try {
      await this.shells.signal(this.shell, this.commandId, this.timing.requestTimeoutMs);
    } finally {
      this.shells.release(this.shell, this.timing.requestTimeoutMs);
    }
  }

  private finish(status: ExitStatus): void {
    if (this.finished) return;
    this.finished = true;
    for (const w of this.writes.splice(0)) (w.end ? w.resolve : () => w.reject(new ProtocolError('the process ended before its input was sent', { host: this.hostName })))();
    this.settleExit(status);
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const err =
      e instanceof CortexError
        ? e
        : new ProtocolError(`WinRM command failed: ${(e as Error)?.message ?? String(e)}`, { host: this.hostName }, { cause: e });
    this.failure = err;
    for (const w of this.writes.splice(0)) w.reject(err);
    if (!this.signalled) {
      // The command may still run on the host: free it (and its shell slot) on a best-effort basis.
      void this.signalOnce().catch(() => undefined);
    }
    this.failExit(err);
  }
}

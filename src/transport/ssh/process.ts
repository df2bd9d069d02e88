/**
 * One process on an SSH exec channel: stdout is the channel's data, stderr its extended data, stdin
 * its writes, EOF its end, and the exit status the `exit-status` (or `exit-signal`) request. The
 * exit promise settles on channel close, after every byte of output has been delivered.
 */
import { constants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { ProtocolError, type CortexError } from '../../errors.js';
import type { ExitStatus, OutputStream, RemoteProcess } from '../session.js';

type Listener = (chunk: Buffer) => void;

/** POSIX convention for a process ended by a signal (the lab's sshd runs POSIX processes). */
function signalExitCode(signal: string): number {
  const n = (constants.signals as Record<string, number | undefined>)[`SIG${signal}`];
  return 128 + (n ?? 0);
}

export class SshProcess implements RemoteProcess {
  readonly exit: Promise<ExitStatus>;
  private readonly listeners: Record<OutputStream, Listener[]> = { stdout: [], stderr: [] };
  /** Output that arrived before anyone listened: handed to the first listener. */
  private readonly early: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  private status: ExitStatus | null = null;
  private stdinClosed = false;
  private terminated = false;
  private done = false;
  private settle!: { resolve: (s: ExitStatus) => void; reject: (e: Error) => void };
  private readonly ended: Promise<void>;

  constructor(
    private readonly channel: ClientChannel,
    private readonly host: string,
    onEnd: () => void,
  ) {
    this.exit = new Promise<ExitStatus>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Callers that never await exit must not crash the process with an unhandled rejection.
    this.exit.catch(() => undefined);
    this.ended = this.exit.then(
      () => undefined,
      () => undefined,
    );
    channel.on('data', (c: Buffer) => this.emit('stdout', c));
    channel.stderr.on('data', (c: Buffer) => this.emit('stderr', c));
    channel.on('exit', (code: number | null, signal?: string) => {
      if (typeof code === 'number') this.status = { exitCode: code >>> 0 };
      else if (signal) this.status = { exitCode: signalExitCode(signal) };
    });
    channel.on('error', () => undefined); // surfaced through close / connection loss
    channel.on('close', () => {
      onEnd();
      if (this.status) this.finish(this.status);
      // Terminated before the host reported a status: Windows reports 1 for a killed process.
      else if (this.terminated) this.finish({ exitCode: 1 });
      else this.fail(new ProtocolError('the SSH channel closed without an exit status', { host: this.host }));
    });
  }

  on(stream: OutputStream, listener: Listener): void {
    this.listeners[stream].push(listener);
    const early = this.early[stream];
    if (early.length > 0) {
      this.early[stream] = [];
      for (const c of early) listener(c);
    }
  }

  private emit(stream: OutputStream, chunk: Buffer): void {
    const ls = this.listeners[stream];
    if (ls.length === 0) this.early[stream].push(chunk);
    else for (const l of ls) l(chunk);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.stdinClosed) throw new ProtocolError('write after stdin was closed', { host: this.host });
    if (this.done) throw new ProtocolError('the process has ended; it cannot read more input', { host: this.host });
    const accepted = new Promise<void>((resolve, reject) => {
      this.channel.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
        if (err) reject(new ProtocolError(`writing to the process failed: ${err.message}`, { host: this.host }));
        else resolve();
      });
    });
    // ssh2 never calls back when the channel closes with data still queued.
    const closed = this.ended.then(() => {
      throw new ProtocolError('the process ended before reading all of its input', { host: this.host });
    });
    await Promise.race([accepted, closed]);
  }

  async closeStdin(): Promise<void> {
    if (this.stdinClosed || this.done) return;
    this.stdinClosed = true;
    this.channel.end();
  }

  async terminate(): Promise<void> {
    if (this.done) return;
    this.terminated = true;
    try {
      // OpenSSH (≥ 7.9) delivers the signal to the process; Windows' sshd ends it on close.
      this.channel.signal('TERM');
    } catch {
      /* the channel may already be closing */
    }
    try {
      this.channel.close();
    } catch {
      /* already closed */
    }
    await Promise.race([this.ended, new Promise((r) => setTimeout(r, 5_000).unref())]);
    // A server that never confirms the close: the process is gone as far as we are concerned.
    this.finish({ exitCode: 1 });
  }

  /** The connection died under the process. */
  connectionLost(error: CortexError): void {
    this.fail(error);
  }

  private finish(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    this.settle.resolve(status);
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.settle.reject(error);
  }
}

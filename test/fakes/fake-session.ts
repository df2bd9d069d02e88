/**
 * An in-memory Session for unit tests: spawn() starts a process through a lab Dispatcher in-process
 * (usually the lab's powershell.exe emulation), so runner ↔ lab run end to end without a network.
 * It records every spawned command line and can crash a running process on demand.
 */
import type { Dispatcher, LabProcess } from '../../src/lab/dispatcher.js';
import type { ExitStatus, HostRef, OutputStream, ProcessSpec, RemoteProcess, Session, TransportKind } from '../../src/transport/session.js';

export class FakeProcess implements RemoteProcess {
  readonly exit: Promise<ExitStatus>;
  private resolveExit!: (s: ExitStatus) => void;
  private rejectExit!: (e: Error) => void;
  private listeners: Record<OutputStream, Array<(c: Buffer) => void>> = { stdout: [], stderr: [] };
  private early: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  private ended = false;
  private stdinClosed = false;
  lab!: LabProcess;
  bytesWritten = 0;
  /** Everything written to stdin, in order. */
  readonly written: Buffer[] = [];

  constructor(readonly spec: ProcessSpec) {
    this.exit = new Promise((resolve, reject) => {
      this.resolveExit = resolve;
      this.rejectExit = reject;
    });
    this.exit.catch(() => undefined);
  }

  get running(): boolean {
    return !this.ended;
  }

  emit(stream: OutputStream, chunk: Buffer): void {
    if (this.ended) return;
    if (this.listeners[stream].length === 0) this.early[stream].push(chunk);
    for (const l of this.listeners[stream]) l(chunk);
  }

  end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveExit({ exitCode: code });
  }

  on(stream: OutputStream, listener: (chunk: Buffer) => void): void {
    this.listeners[stream].push(listener);
    const early = this.early[stream];
    this.early[stream] = [];
    for (const c of early) listener(c);
  }

  /** stdin operations run in call order, each after a turn of the event loop (like a network hop). */
  private stdinChain: Promise<void> = Promise.resolve();

  write(data: Uint8Array): Promise<void> {
    if (this.stdinClosed) return Promise.reject(new Error('write after closeStdin'));
    const copy = Buffer.from(data);
    this.stdinChain = this.stdinChain.then(async () => {
      await new Promise((r) => setImmediate(r));
      if (this.ended) return;
      this.bytesWritten += copy.length;
      this.written.push(copy);
      this.lab.stdin(copy, false);
    });
    return this.stdinChain;
  }

  closeStdin(): Promise<void> {
    if (this.stdinClosed) return this.stdinChain;
    this.stdinClosed = true;
    this.stdinChain = this.stdinChain.then(async () => {
      await new Promise((r) => setImmediate(r));
      if (!this.ended) this.lab.stdin(Buffer.alloc(0), true);
    });
    return this.stdinChain;
  }

  async terminate(): Promise<void> {
    if (this.ended) return;
    this.lab.terminate();
    this.end(1);
  }

  /** The transport fails mid-command (connection dropped): exit rejects with the transport's error. */
  drop(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.rejectExit(err);
    this.lab.terminate();
  }

  /** The process dies on its own (killed on the host, out of memory): exit code, no more output. */
  crash(exitCode = -1073741819 >>> 0): void {
    this.end(exitCode);
    this.lab.terminate();
  }
}

export interface FakeSessionOptions {
  transport?: TransportKind;
  putFile?: (localPath: string, remotePath: string) => Promise<void>;
}

export class FakeSession implements Session {
  readonly transport: TransportKind;
  readonly spawned: ProcessSpec[] = [];
  readonly processes: FakeProcess[] = [];
  closed = false;
  putFile?: (localPath: string, remotePath: string) => Promise<void>;

  constructor(
    readonly host: HostRef,
    private readonly dispatcher: Dispatcher,
    opts: FakeSessionOptions = {},
  ) {
    this.transport = opts.transport ?? 'winrm';
    if (opts.putFile) this.putFile = opts.putFile;
  }

  /** How many processes were started whose executable is powershell.exe. */
  get powershellStarts(): number {
    return this.spawned.filter((s) => /powershell(\.exe)?$/i.test(s.command)).length;
  }

  /** The newest process still running. */
  get current(): FakeProcess | undefined {
    return [...this.processes].reverse().find((p) => p.running);
  }

  async spawn(spec: ProcessSpec): Promise<RemoteProcess> {
    if (this.closed) throw new Error('session closed');
    this.spawned.push({ command: spec.command, args: [...spec.args] });
    const proc = new FakeProcess(spec);
    this.processes.push(proc);
    proc.lab = this.dispatcher.start(this.host, spec.command, spec.args, {
      stdout: (c) => proc.emit('stdout', c),
      stderr: (c) => proc.emit('stderr', c),
      exit: (code) => proc.end(code),
    });
    return proc;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.processes.map((p) => p.terminate()));
  }
}

/**
 * WinRS shells and commands of one simulated host: the state behind Create, Command, Send,
 * Receive, Signal and Delete. A command's output is queued in arrival order (stdout and stderr
 * interleaved as the process wrote them) and handed out by Receive in pieces that fit the
 * client's MaxEnvelopeSize; a Receive with nothing to return waits for output, exit or its
 * deadline (the long poll).
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher, LabHostRef, LabProcess, LabProcessOutput } from '../dispatcher.js';
import type { OutputPiece } from './responses.js';

export class LabCommand {
  readonly id: string;
  private readonly queue: OutputPiece[] = [];
  private queuedBytes = 0;
  exitCode: number | null = null;
  stdinEnded = false;
  private waiters = new Set<() => void>();
  process: LabProcess | null = null;

  constructor(id: string) {
    this.id = id;
  }

  /** The LabProcessOutput the dispatcher writes to. Calls after exit are ignored. */
  readonly output: LabProcessOutput = {
    stdout: (chunk) => this.push('stdout', chunk),
    stderr: (chunk) => this.push('stderr', chunk),
    exit: (code) => {
      if (this.exitCode !== null) return;
      this.exitCode = code >>> 0;
      this.wake();
    },
  };

  private push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.exitCode !== null || chunk.length === 0) return;
    // Copy: the dispatcher may reuse its buffer after the call returns.
    // (allocUnsafe + set is one memcpy; Buffer.from(buffer) and Buffer.copyBytesFrom measured 4-7x slower.)
    const data = Buffer.allocUnsafe(chunk.length);
    data.set(chunk);
    this.queue.push({ stream, data });
    this.queuedBytes += chunk.length;
    this.wake();
  }

  get hasOutput(): boolean {
    return this.queue.length > 0;
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** True when a Receive would answer at once: output queued or the process has exited. */
  get ready(): boolean {
    return this.queue.length > 0 || this.exitCode !== null;
  }

  /** Take output pieces worth at most `maxRawBytes` raw bytes (splitting the last piece if needed). */
  take(maxRawBytes: number): OutputPiece[] {
    const out: OutputPiece[] = [];
    let room = Math.max(1, maxRawBytes);
    while (room > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.data.length <= room) {
        out.push(head);
        this.queue.shift();
        room -= head.data.length;
        this.queuedBytes -= head.data.length;
      } else {
        out.push({ stream: head.stream, data: head.data.subarray(0, room) });
        head.data = head.data.subarray(room);
        this.queuedBytes -= room;
        room = 0;
      }
    }
    return out;
  }

  /** Resolves when output or exit is available, the deadline passes, or `signal` aborts. */
  waitReady(ms: number, signal: AbortSignal): Promise<void> {
    if (this.ready || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    // Let a synchronous burst of writes land before answering, so one Receive carries all of it.
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    setImmediate(() => ws.forEach((w) => w()));
  }

  terminate(): void {
    if (this.exitCode === null) {
      try {
        this.process?.terminate();
      } catch {
        // A simulated process that fails to terminate is gone for us anyway.
      }
      this.output.exit(0xc000013a); // STATUS_CONTROL_C_EXIT, what a terminated console process reports
    }
    this.wake();
  }
}

export class LabShell {
  readonly id: string;
  readonly owner: string;
  readonly commands = new Map<string, LabCommand>();

  constructor(id: string, owner: string) {
    this.id = id;
    this.owner = owner;
  }

  command(id: string | null): LabCommand | undefined {
    return id === null ? undefined : this.commands.get(id.toUpperCase());
  }

  startCommand(host: LabHostRef, dispatcher: Dispatcher, command: string, args: string[], requestedId: string | null): LabCommand {
    const cmd = new LabCommand((requestedId ?? randomUUID()).toUpperCase());
    this.commands.set(cmd.id, cmd);
    cmd.process = dispatcher.start(host, command, args, cmd.output);
    return cmd;
  }

  close(): void {
    for (const c of this.commands.values()) c.terminate();
    this.commands.clear();
  }
}

/** The shells of one host, with the per-user quota (MaxShellsPerUser). */
export class ShellTable {
  private readonly shells = new Map<string, LabShell>();

  get size(): number {
    return this.shells.size;
  }

  get(id: string | null): LabShell | undefined {
    return id === null ? undefined : this.shells.get(id.toUpperCase());
  }

  countFor(owner: string): number {
    let n = 0;
    for (const s of this.shells.values()) if (s.owner === owner) n++;
    return n;
  }

  create(owner: string, requestedId: string | null): LabShell {
    const id = (requestedId ?? randomUUID()).toUpperCase();
    const shell = new LabShell(id, owner);
    this.shells.set(id, shell);
    return shell;
  }

  delete(id: string): boolean {
    const s = this.shells.get(id.toUpperCase());
    if (!s) return false;
    s.close();
    this.shells.delete(s.id);
    return true;
  }

  clear(): void {
    for (const s of this.shells.values()) s.close();
    this.shells.clear();
  }
}

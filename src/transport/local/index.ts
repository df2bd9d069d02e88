/**
 * The local transport: PowerShell on the workstation itself (single-box installs, running on the
 * host). A Session whose processes are child processes (execa); `powershell.exe` / `pwsh` in a
 * ProcessSpec is mapped onto whichever PowerShell the workstation has.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { InternalError, ProtocolError, UnreachableError } from '../../errors.js';
import type { ExitStatus, HostRef, OutputStream, ProcessSpec, RemoteProcess, Session } from '../session.js';
import { findPowerShell, isPowerShellName } from './find-powershell.js';

export { findPowerShell } from './find-powershell.js';

export interface LocalSessionOptions {
  /** PATH-style list searched for PowerShell (default: $PATH). */
  searchPath?: string;
}

type Listener = (chunk: Buffer) => void;

class LocalProcess implements RemoteProcess {
  readonly exit: Promise<ExitStatus>;
  private readonly listeners: Record<OutputStream, Listener[]> = { stdout: [], stderr: [] };
  private readonly early: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  private stdinClosed = false;
  private done = false;

  constructor(
    private readonly child: ResultPromise,
    private readonly host: string,
  ) {
    child.stdout?.on('data', (c: Buffer) => this.emit('stdout', c));
    child.stderr?.on('data', (c: Buffer) => this.emit('stderr', c));
    // The child may exit without reading its stdin: that is not our error.
    child.stdin?.on('error', () => undefined);
    this.exit = child.then((r) => {
      this.done = true;
      if (typeof r.exitCode === 'number') return { exitCode: r.exitCode >>> 0 };
      const signo = r.signal ? (constants.signals as Record<string, number | undefined>)[r.signal] : undefined;
      return { exitCode: 128 + (signo ?? 0) };
    });
    this.exit.catch(() => undefined);
  }

  on(stream: OutputStream, listener: Listener): void {
    this.listeners[stream].push(listener);
    const early = this.early[stream];
    this.early[stream] = [];
    for (const c of early) listener(c);
  }

  private emit(stream: OutputStream, c: Buffer): void {
    if (this.listeners[stream].length === 0) this.early[stream].push(c);
    else for (const l of this.listeners[stream]) l(c);
  }

  async write(data: Uint8Array): Promise<void> {
    const stdin = this.child.stdin;
    if (this.stdinClosed || !stdin) throw new ProtocolError('write after stdin was closed', { host: this.host });
    if (this.done) throw new ProtocolError('the process has ended; it cannot read more input', { host: this.host });
    await new Promise<void>((resolve, reject) => {
      stdin.write(data, (err) => (err ? reject(new ProtocolError(`writing to the process failed: ${err.message}`, { host: this.host })) : resolve()));
    });
  }

  async closeStdin(): Promise<void> {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    this.child.stdin?.end();
  }

  async terminate(): Promise<void> {
    if (this.done) return;
    this.child.kill('SIGTERM');
    const killed = await Promise.race([this.exit.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref())]);
    if (!killed) this.child.kill('SIGKILL');
    await this.exit.catch(() => undefined);
  }
}

class LocalSession implements Session {
  readonly transport = 'local' as const;
  private readonly processes = new Set<LocalProcess>();
  private closed = false;

  constructor(
    readonly host: HostRef,
    private readonly powershell: string,
  ) {}

  async spawn(spec: ProcessSpec): Promise<RemoteProcess> {
    if (this.closed) throw new InternalError('the local session is closed', { host: this.host.name });
    const file = isPowerShellName(spec.command) ? this.powershell : spec.command;
    const child = execa(file, spec.args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      encoding: 'buffer',
      windowsHide: true,
      stripFinalNewline: false,
    });
    const proc = new LocalProcess(child, this.host.name);
    this.processes.add(proc);
    void proc.exit.finally(() => this.processes.delete(proc)).catch(() => undefined);
    // A missing executable surfaces as a failed result: report it as a spawn failure.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new UnreachableError(`cannot start ${file}: ${err.message}`, { host: this.host.name })));
    });
    return proc;
  }

  /** On the workstation a "remote" path is a local one: copy the file there. */
  async putFile(localPath: string, remotePath: string): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    await copyFile(localPath, remotePath);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.processes].map((p) => p.terminate()));
  }
}

export async function openLocalSession(host: HostRef, opts: LocalSessionOptions = {}): Promise<Session> {
  const powershell = findPowerShell(opts.searchPath ?? process.env.PATH ?? '');
  if (!powershell) {
    throw new UnreachableError('neither powershell.exe nor pwsh found on this workstation', {
      host: host.name,
      hint: 'Install PowerShell (pwsh) or use transport winrm or ssh for this host.',
    });
  }
  return new LocalSession(host, powershell);
}

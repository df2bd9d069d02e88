/**
 * Runs PowerShell text for real, in pwsh 7 with the lab's Windows shim loaded for one machine's view:
 * a long-lived pwsh per ShimHost (shim-host.ps1) takes one request at a time, each in a fresh runspace,
 * and a ShimPool shares a few of them (started on first use, stopped when idle). The lab runs ad-hoc text
 * through a pool (src/lab/handlers/adhoc.ts); the differential test runs the ps1/ scripts through a host.
 *
 * Bounded: every request has a timeout (the host stops the runspace; if that hangs, the process is killed)
 * and an output cap. pwsh runs as the lab's own user, on loopback input only (docs/lab.md).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InternalError, OperationTimeoutError, ProtocolError } from '../../errors.js';
import { packageDir } from '../../package-root.js';
import type { WindowsView } from './view-schema.js';

const RESULT_MARKER = 'CORTEXSHIM1 ';
/** How long pwsh may take to start and load the shim (seconds at worst on a busy 2-core machine). */
const SHIM_START_TIMEOUT_MS = 60_000;

export interface ShimRequest {
  script: string;
  /** Text run before the script in its runspace (ps1/lib/*.ps1 for the project's scripts). */
  lib?: string;
  /** $CortexParams of the envelope. */
  params?: Record<string, unknown>;
  view: WindowsView;
  /** Hand back the view after the run (what the script's write commands changed). */
  exportView?: boolean;
  timeoutMs?: number;
  /** 'text': output formatted as a console shows it (ad-hoc text); 'strings' (default): strings as they are. */
  outputFormat?: 'text' | 'strings';
  maxOutputChars?: number;
}

export interface ShimResult {
  exitCode: number;
  output: string[];
  errors: Array<{ message: string; category: string; fullyQualifiedErrorId: string }>;
  warnings: string[];
  timedOut: boolean;
  /** The view after the run (exportView), unvalidated: read it with WindowsViewSchema. */
  view?: unknown;
}

/** The shim's folder (src/lab/shim/ of the package: shipped as source, see package.json "files"). */
export function shimDir(): string {
  const dir = join(packageDir('the lab\'s PowerShell shim'), 'src', 'lab', 'shim');
  if (!existsSync(join(dir, 'windows-shim.psm1'))) throw new InternalError(`cannot find the lab's PowerShell shim: ${join(dir, 'windows-shim.psm1')} is missing`);
  return dir;
}

/**
 * The pwsh to run: $CORTEX_PWSH, else the project's pinned one (.tools/bin/pwsh, scripts/setup.sh), else
 * `pwsh` on PATH; null when there is none.
 */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CORTEX_PWSH !== undefined) return env.CORTEX_PWSH && existsSync(env.CORTEX_PWSH) ? env.CORTEX_PWSH : null;
  try {
    const pinned = join(packageDir('.tools/bin/pwsh'), '.tools', 'bin', 'pwsh');
    if (existsSync(pinned)) return pinned;
  } catch {
    // not inside the package: only PATH is left
  }
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'pwsh'))) return join(dir, 'pwsh');
  }
  return null;
}

interface Pending {
  resolve(r: ShimResult): void;
  reject(e: Error): void;
  stray: string[];
  timer: NodeJS.Timeout;
}

/** One pwsh running shim-host.ps1. Requests are queued: one runs at a time. */
export class ShimHost {
  private child: ChildProcessWithoutNullStreams | null = null;
  private ready: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | null = null;
  private buffer = '';
  private stderr = '';
  private exited = false;
  /** Requests queued or running. */
  busy = 0;
  /** When the last request ended (ms since epoch). */
  idleSince = Date.now();
  /** How long the process took to be ready (ms), once started. */
  startMs: number | null = null;

  constructor(
    private readonly pwsh: string,
    private readonly startTimeoutMs = SHIM_START_TIMEOUT_MS,
  ) {}

  get alive(): boolean {
    return this.child !== null && !this.exited;
  }

  /** The process ended (or could not start): a pool replaces it. */
  get dead(): boolean {
    return this.exited;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const dir = shimDir();
    const started = Date.now();
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      const child = spawn(this.pwsh, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', join(dir, 'shim-host.ps1'), '-ShimModule', join(dir, 'windows-shim.psm1')], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
      });
      this.child = child;
      let isReady = false;
      // A pwsh that starts but never says ready (a hung .NET start, a full disk) must not hold the lab.
      const readyTimer = setTimeout(() => {
        if (isReady) return;
        this.exited = true;
        rejectReady(new OperationTimeoutError(`the lab's shim host (pwsh) was not ready within ${this.startTimeoutMs} ms; it was killed: ${this.stderr.trim().slice(-500)}`));
        child.kill('SIGKILL');
      }, this.startTimeoutMs);
      readyTimer.unref();
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        this.stderr = (this.stderr + d).slice(-4000);
      });
      child.stdout.on('data', (d: string) => {
        this.buffer += d;
        let nl: number;
        while ((nl = this.buffer.indexOf('\n')) >= 0) {
          const line = this.buffer.slice(0, nl).replace(/\r$/, '');
          this.buffer = this.buffer.slice(nl + 1);
          if (!line.startsWith(RESULT_MARKER)) {
            this.pending?.stray.push(line);
            continue;
          }
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(Buffer.from(line.slice(RESULT_MARKER.length), 'base64').toString('utf8')) as Record<string, unknown>;
          } catch (e) {
            this.fail(new ProtocolError(`the lab's shim host wrote an unreadable result line: ${(e as Error).message}`));
            continue;
          }
          if (msg.type === 'ready') {
            isReady = true;
            clearTimeout(readyTimer);
            this.startMs = Date.now() - started;
            resolveReady();
            continue;
          }
          const p = this.pending;
          if (!p) continue;
          this.pending = null;
          clearTimeout(p.timer);
          const r = msg as unknown as ShimResult;
          p.resolve({ ...r, output: [...p.stray, ...(r.output ?? [])], errors: r.errors ?? [], warnings: r.warnings ?? [] });
        }
      });
      child.on('error', (e) => {
        this.exited = true;
        const err = new InternalError(`cannot start pwsh for the lab's Windows shim (${this.pwsh}): ${e.message}`);
        if (!isReady) rejectReady(err);
        this.fail(err);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(readyTimer);
        this.exited = true;
        const err = new InternalError(`the lab's shim host (pwsh) exited (${signal ?? code}): ${this.stderr.trim().slice(-500)}`);
        if (!isReady) rejectReady(err);
        this.fail(err);
      });
    });
    return this.ready;
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  /** Start the process now (otherwise the first request starts it). */
  async warm(): Promise<void> {
    await this.start();
  }

  run(req: ShimRequest): Promise<ShimResult> {
    this.busy++;
    const job = this.queue.then(() => this.runNow(req));
    this.queue = job.catch(() => undefined);
    return job.finally(() => {
      this.busy--;
      this.idleSince = Date.now();
    });
  }

  private async runNow(req: ShimRequest): Promise<ShimResult> {
    await this.start();
    const child = this.child;
    if (!child || this.exited) throw new InternalError(`the lab's shim host (pwsh) is not running: ${this.stderr.trim().slice(-500)}`);
    const timeoutMs = req.timeoutMs ?? 60_000;
    return new Promise<ShimResult>((resolveRun, rejectRun) => {
      // The host stops a runspace at its timeout; this is the backstop for one that will not stop.
      const timer = setTimeout(() => {
        this.exited = true;
        this.fail(new OperationTimeoutError(`PowerShell text in the lab's Windows shim did not stop within 10 s of its ${timeoutMs} ms timeout; its pwsh was killed`));
        child.kill('SIGKILL');
      }, timeoutMs + 10_000);
      this.pending = { resolve: resolveRun, reject: rejectRun, stray: [], timer };
      child.stdin.write(`${JSON.stringify({ id: 1, ...req, timeoutMs })}\n`);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.stdin.end();
      setTimeout(() => {
        if (!this.exited) child.kill('SIGKILL');
      }, 3000).unref();
    });
  }
}

export interface ShimPoolOptions {
  pwsh: string;
  /** Most pwsh processes at once (default 2: the lab shares the machine's cores with everything else). */
  size?: number;
  /** Stop a process idle this long (default 60 s). */
  idleMs?: number;
}

/** A few ShimHosts shared by every host of a lab: requests carry their machine's view. */
export class ShimPool {
  private readonly hosts: ShimHost[] = [];
  private readonly size: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: ShimPoolOptions) {
    this.size = Math.max(1, opts.size ?? 2);
    this.idleMs = opts.idleMs ?? 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idleMs, 10_000));
    this.sweeper.unref();
  }

  private sweep(): void {
    for (const h of [...this.hosts]) {
      if (h.dead || (h.busy === 0 && Date.now() - h.idleSince > this.idleMs)) {
        this.hosts.splice(this.hosts.indexOf(h), 1);
        void h.close();
      }
    }
  }

  private pick(): ShimHost {
    for (const h of [...this.hosts]) if (h.dead) this.hosts.splice(this.hosts.indexOf(h), 1);
    const idle = this.hosts.find((h) => h.busy === 0);
    if (idle) return idle;
    if (this.hosts.length < this.size) {
      const h = new ShimHost(this.opts.pwsh);
      this.hosts.push(h);
      return h;
    }
    return this.hosts.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  run(req: ShimRequest): Promise<ShimResult> {
    return this.pick().run(req);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = this.hosts.splice(0);
    await Promise.all(all.map((h) => h.close()));
  }
}

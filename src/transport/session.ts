/**
 * The Session: one authenticated connection to one host, reused for the whole run. It only moves
 * bytes: start a process, feed its stdin, stream its stdout/stderr, end it, and (optionally) put a
 * file. Everything PowerShell-specific (envelope, resident process, CLIXML) lives in src/runner/.
 *
 * Implementations: transport/winrm (WinRS shell), transport/ssh (ssh2 channels), transport/local
 * (a child process on the workstation). One contract suite (test/transport/contract.ts) runs against
 * every implementation.
 */
import { OperationTimeoutError } from '../errors.js';

export type TransportKind = 'winrm' | 'ssh' | 'local';

export interface HostRef {
  /** Inventory host name, used in every message. */
  name: string;
  /** Address or DNS name the transport connects to. */
  address: string;
}

export interface ProcessSpec {
  /** Executable, e.g. `powershell.exe`. */
  command: string;
  /** Arguments, passed as separate items where the transport allows it. Never secrets: they show in process listings. */
  args: string[];
}

export interface ExitStatus {
  /** Win32 exit code (a DWORD: may exceed 2^31). */
  exitCode: number;
}

export type OutputStream = 'stdout' | 'stderr';

/** A process running on the host. Output is delivered in order, as it arrives. */
export interface RemoteProcess {
  /** Write bytes to stdin. Resolves when the transport has accepted them (WinRS Send answered). */
  write(data: Uint8Array): Promise<void>;
  /** Close stdin (EOF). Idempotent. */
  closeStdin(): Promise<void>;
  /** Listen to a stream. Listeners registered before output arrives see all of it. */
  on(stream: OutputStream, listener: (chunk: Buffer) => void): void;
  /** Settles when the process ends; rejects with a CortexError when the transport fails mid-command. */
  readonly exit: Promise<ExitStatus>;
  /** End the process (WinRS Signal terminate, SSH channel close, kill). Idempotent; never throws. */
  terminate(): Promise<void>;
  /**
   * A hint from a caller that speaks request/response over stdin (the resident PowerShell): nothing is
   * expected on stdout or stderr until its next write. A transport that polls for output on the same
   * connection its writes use (WinRM) holds off polling, so that write goes out at once instead of
   * waiting out a poll. Optional; the next write ends it.
   */
  idle?(): void;
}

export interface SpawnOptions {
  /**
   * Upper bound for transport-level waits of this process (each request/poll); the script runner
   * enforces script timeouts itself and calls terminate().
   */
  timeoutMs?: number;
}

export interface Session {
  readonly host: HostRef;
  readonly transport: TransportKind;
  /** Start a process. Rejects with UnreachableError / AuthError / TlsError / ProtocolError. */
  spawn(spec: ProcessSpec, options?: SpawnOptions): Promise<RemoteProcess>;
  /**
   * Native file transfer when the transport has one (SFTP). When absent, the script runner streams
   * the file through a PowerShell process's stdin. Either way the runner verifies SHA-256 on the host.
   */
  putFile?(localPath: string, remotePath: string): Promise<void>;
  /** Release everything on the host (WinRS Delete, channel close) and the connection. Idempotent. */
  close(): Promise<void>;
}

export interface CollectedRun extends ExitStatus {
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Run a process to completion: write `stdin` (if any), close stdin, collect output.
 * Terminates the process and rejects if it does not end within `timeoutMs`.
 */
export async function runToCompletion(
  session: Session,
  spec: ProcessSpec,
  opts: { stdin?: Uint8Array; timeoutMs: number },
): Promise<CollectedRun> {
  const proc = await session.spawn(spec, { timeoutMs: opts.timeoutMs });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.on('stdout', (c) => out.push(c));
  proc.on('stderr', (c) => err.push(c));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject before terminating: a transport whose terminate settles `exit` at once must not win the race.
      reject(
        new OperationTimeoutError(`${spec.command} did not finish within ${opts.timeoutMs} ms; it was terminated`, {
          host: session.host.name,
        }),
      );
      void proc.terminate();
    }, opts.timeoutMs);
  });
  try {
    if (opts.stdin && opts.stdin.length > 0) await Promise.race([proc.write(opts.stdin), timeout]);
    await Promise.race([proc.closeStdin(), timeout]);
    const status = await Promise.race([proc.exit, timeout]);
    return { exitCode: status.exitCode, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
  } finally {
    clearTimeout(timer);
  }
}

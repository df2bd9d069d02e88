/**
 * The seam between the lab's protocol endpoints (WinRM server in src/lab/winrm/, the SSH entry point
 * in src/lab/ssh/) and what a simulated host does with a command. An endpoint calls `start` for each
 * command it receives and relays the process's stdin/stdout/stderr/exit over its own protocol.
 *
 * Implementations: src/lab/powershell/ emulates powershell.exe (the runner's bootstrap, frames of
 * src/protocol/script-frames.ts) and a few cmd.exe built-ins; it hands each framed script to a
 * ScriptExecutor, which src/lab/handlers/ fills with the modelled effect of every ps1/ script.
 */

export interface LabHostRef {
  /** Inventory name. */
  name: string;
  /** Loopback address the host listens on. */
  address: string;
}

/** Where the simulated process writes. Calls after `exit` are ignored. */
export interface LabProcessOutput {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  exit(code: number): void;
}

/** The endpoint's handle on a running simulated process. */
export interface LabProcess {
  /** Bytes the client sent to stdin; `end` is true on the last chunk (EOF). */
  stdin(chunk: Buffer, end: boolean): void;
  /** The client asked to terminate (WinRS Signal terminate, channel close). */
  terminate(): void;
}

export interface Dispatcher {
  start(host: LabHostRef, command: string, args: string[], out: LabProcessOutput): LabProcess;
}

/** What the lab returns for one framed script: mirrors ResultFrame minus id/duration bookkeeping. */
export interface ScriptOutcome {
  exitCode: number;
  /** Pipeline output lines; the envelope result (JSON text) last. */
  output: string[];
  errors: Array<{ message: string; category: string; fullyQualifiedErrorId: string }>;
  warnings: string[];
}

export interface ScriptInvocation {
  host: LabHostRef;
  /** From the script's `# cortex-script:` header; null when it has none (ad-hoc exec). */
  scriptId: string | null;
  script: string;
  params: Record<string, unknown>;
  timeoutMs: number;
  /** Raw bytes the script reads from stdin after its header frame (runner.receive-file). Optional (additive). */
  input?: Buffer;
  /** The run frame's tag (the playbook step it runs for), for counters per step. Optional (additive). */
  tag?: string;
}

/**
 * Runs one script on a simulated host: validates parameters, applies the modelled effect to the host
 * state and returns what the real script would print, after the simulated duration.
 */
export interface ScriptExecutor {
  run(invocation: ScriptInvocation): Promise<ScriptOutcome>;
}

/**
 * The lab's process table for a simulated Windows host: what happens when a client starts a command.
 *
 * - `powershell.exe … -EncodedCommand <loader>` whose text is headed `# cortex-script: bootstrap.resident`
 *   emulates the runner's bootstrap (ps1/bootstrap/resident.ps1): it reads the bootstrap text as the
 *   first stdin line (base64 of gzip, as the loader expands it), prints a ready frame after the host's
 *   simulated PowerShell start time, then answers each run request frame with a result frame from the ScriptExecutor (the script id comes
 *   from the script's own header line; ad-hoc text has none; `scriptGz` and `libGz` are expanded first,
 *   as the real bootstrap's Expand-CortexRequest does). It keeps the library and the scripts a
 *   request carries under their names and refuses a name it does not keep, as the real bootstrap does
 *   (script-frames.ts). A succeeded request with answerWithNext has its result written with the next
 *   one's, in one write (so one WinRS Receive reads both). One-shot loaders handle one request and
 *   exit with its code. An exit request or stdin EOF ends the process.
 * - `runner.receive-file` (ps1/runner/receive-file.ps1): a header frame, then raw bytes, to the executor.
 * - Any other PowerShell text (-EncodedCommand, -Command): run by the executor as one script; output on
 *   stdout, errors and warnings as CLIXML on stderr, exit code like powershell.exe (1 after errors).
 * - cmd.exe built-ins: hostname, echo, exit, ver, `cmd /c …`; any other program is "not emulated by the lab"
 *   (PowerShell text, on the other hand, runs for real where pwsh is present: handlers/adhoc.ts).
 */
import { decodeFrameLine, encodeFrame, LineSplitter, scriptIdOf, type RunRequestFrame } from '../../protocol/script-frames.js';
import { expandText } from './gzip-text.js';
import type { Dispatcher, LabHostRef, LabProcess, LabProcessOutput, ScriptExecutor, ScriptOutcome } from '../dispatcher.js';
import { commandWords, exeName, parsePowerShellArgs } from './command-line.js';
import { cmdNotEmulated, errorRecordText, failedOutcome, pipelineStopped, toClixml } from './records.js';

export interface PowerShellDispatcherOptions {
  /** Simulated cold start of powershell.exe for a host (the lab profile's powershellStartMs; default 0). */
  powershellStartMs?: (host: LabHostRef) => number;
  /**
   * Whether the emulated bootstrap stops a script at its timeout (default true, as the real one does).
   * False models a pipeline that ignores the stop (a native program that never returns), so only the
   * runner's own deadline ends it.
   */
  bootstrapStopsScripts?: boolean;
  /** Process ids start here (for ready frames). */
  firstPid?: number;
}

/** The id in a script's first line, or null (ad-hoc text). */
export function ownScriptId(text: string): string | null {
  return scriptIdOf(text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '');
}

const PS_VERSION = '5.1.17763.1';
const sleep = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : setImmediate(r)));

/** The real bootstrap's bootstrapError message (Enter-CortexHostLock) when the host's lock was not free within the request's timeout. */
export function hostLockTimeoutMessage(timeoutMs: number): string {
  return `TimeoutException: another cortex-deploy process on this host held its lock for ${timeoutMs} ms (a run stopped during a change, still finishing it?); nothing was run`;
}

/**
 * The host's lock of the real bootstrap (script-frames.ts, hostLock): one per simulated host, shared by
 * all its processes, taken by a request for its script only, waiters served in order.
 */
export class LabHostLocks {
  private readonly held = new Map<string, Array<() => void>>();

  /** Resolves with a release function once the host's lock is ours, or with null after `timeoutMs`. */
  acquire(host: string, timeoutMs: number): Promise<(() => void) | null> {
    const queue = this.held.get(host);
    if (!queue) {
      this.held.set(host, []);
      return Promise.resolve(this.releaser(host));
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(this.releaser(host));
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      queue.push(grant);
    });
  }

  private releaser(host: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.held.get(host)?.shift();
      if (next) next();
      else this.held.delete(host);
    };
  }
}

export function createPowerShellDispatcher(executor: ScriptExecutor, opts: PowerShellDispatcherOptions = {}): Dispatcher {
  let nextPid = opts.firstPid ?? 4100;
  const locks = new LabHostLocks();
  const startMs = (host: LabHostRef) => Math.max(0, opts.powershellStartMs?.(host) ?? 0);
  return {
    start(host: LabHostRef, command: string, args: string[], out: LabProcessOutput): LabProcess {
      const words = commandWords(command, args);
      const exe = exeName(words[0] ?? '');
      const pid = nextPid++;
      const sink = guardedOutput(out);
      if (exe === 'powershell' || exe === 'pwsh') {
        const inv = parsePowerShellArgs(words.slice(1));
        if (inv.kind === 'encoded' || inv.kind === 'command') {
          const id = ownScriptId(inv.text);
          if (id === 'bootstrap.resident') {
            return bootstrapProcess(host, executor, sink, {
              locks,
              pid,
              startMs: startMs(host),
              oneShot: /^\$CortexOneShot\s*=\s*\$true/im.test(inv.text),
              stops: opts.bootstrapStopsScripts !== false,
            });
          }
          if (id === 'runner.receive-file') return receiverProcess(host, executor, sink, inv.text, startMs(host));
          // `-Command -` reads the script from stdin (Ansible's module wrapper sends it that way).
          if (inv.kind === 'command' && inv.text.trim() === '-') return stdinScriptProcess(host, executor, sink, startMs(host));
          return scriptProcess(host, executor, sink, inv.text, startMs(host));
        }
        if (inv.kind === 'error') {
          sink.stderr(Buffer.from(`${inv.message}\r\n`));
          sink.exit(1);
          return idleProcess();
        }
        // No command: with stdin redirected (always, over WinRS or SSH), powershell.exe reads its script from stdin.
        return stdinScriptProcess(host, executor, sink, startMs(host));
      }
      return cmdBuiltin(host, command, words, sink);
    },
  };
}

/** Output that ignores writes after exit, so racing timers cannot write into a finished process. */
function guardedOutput(out: LabProcessOutput): LabProcessOutput & { readonly done: boolean } {
  let done = false;
  return {
    get done() {
      return done;
    },
    stdout: (c) => {
      if (!done) out.stdout(c);
    },
    stderr: (c) => {
      if (!done) out.stderr(c);
    },
    exit: (code) => {
      if (done) return;
      done = true;
      out.exit(code);
    },
  };
}

function idleProcess(): LabProcess {
  return { stdin: () => undefined, terminate: () => undefined };
}

/** Exit code a WinRS Signal terminate leaves on a process. */
const TERMINATED_EXIT_CODE = 1;

function bootstrapProcess(
  host: LabHostRef,
  executor: ScriptExecutor,
  out: ReturnType<typeof guardedOutput>,
  cfg: { locks: LabHostLocks; pid: number; startMs: number; oneShot: boolean; stops: boolean },
): LabProcess {
  let gotBootstrap = false;
  let eof = false;
  const requests: RunRequestFrame[] = [];
  // What this process keeps by name, as the real bootstrap keeps it (Resolve-CortexLibrary, Resolve-CortexScript).
  const kept: KeptTexts = { lib: null, scripts: new Map() };
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const lines = new LineSplitter((line) => {
    if (!gotBootstrap) {
      gotBootstrap = true;
      let text = '';
      try {
        text = expandText(line.trim());
      } catch {
        // Not base64 of gzip: the loader's FromBase64String or GZipStream fails, and nothing is dot-sourced.
      }
      if (ownScriptId(text) !== 'bootstrap.resident') {
        // What [scriptblock]::Create would make of garbage: a parse error, then the process ends.
        out.stderr(Buffer.from(toClixml([{ stream: 'Error', text: errorRecordText(parseError()) }])));
        out.exit(1);
      }
      notify();
      return;
    }
    let frame: unknown;
    try {
      frame = decodeFrameLine(line);
    } catch {
      return; // the real bootstrap would fail on ConvertFrom-Json; a corrupt line is a client bug
    }
    if (!frame) return;
    const f = frame as { type?: unknown };
    if (f.type === 'exit') eof = true;
    else if (f.type === 'run') requests.push(frame as RunRequestFrame);
    notify();
  });

  const loop = async () => {
    await sleep(cfg.startMs);
    while (!gotBootstrap && !eof && !out.done) await new Promise<void>((r) => (wake = r));
    if (out.done) return;
    if (!gotBootstrap) return out.exit(0);
    out.stdout(Buffer.from(encodeFrame({ type: 'ready', pid: cfg.pid, psVersion: PS_VERSION })));
    let lastCode = 0;
    // Results kept for the next one (answerWithNext), written with it in one write, as the real bootstrap does.
    let held: string[] = [];
    for (;;) {
      while (requests.length === 0 && !eof && !out.done) await new Promise<void>((r) => (wake = r));
      if (out.done) return;
      const req = requests.shift();
      if (!req) break; // EOF or exit request with nothing queued
      const answer = await runRequest(host, executor, req, cfg.stops, kept, cfg.locks);
      if (out.done) return;
      lastCode = answer.exitCode;
      held.push(answer.frame);
      if (req.answerWithNext === true && !cfg.oneShot && answer.exitCode === 0 && !answer.timedOut) continue;
      out.stdout(Buffer.from(held.join('')));
      held = [];
      if (cfg.oneShot) break;
    }
    if (held.length > 0) out.stdout(Buffer.from(held.join('')));
    out.exit(cfg.oneShot ? lastCode : 0);
  };
  void loop().catch((err: unknown) => {
    out.stderr(Buffer.from(`lab bootstrap failed: ${String(err)}\r\n`));
    out.exit(1);
  });

  return {
    stdin(chunk, end) {
      lines.push(chunk);
      if (end) {
        eof = true;
        notify();
      }
    },
    terminate() {
      out.exit(TERMINATED_EXIT_CODE);
      notify();
    },
  };
}

function parseError() {
  return { message: 'Missing closing bracket or unexpected input in the bootstrap text.', category: 'ParserError', fullyQualifiedErrorId: 'ParseException' };
}

/** What a resident process keeps by name: the libHash of its library, and its scripts by scriptHash. */
export interface KeptTexts {
  lib: string | null;
  scripts: Map<string, string>;
}

/**
 * The real bootstrap's Expand-CortexRequest, Resolve-CortexLibrary and Resolve-CortexScript: `libGz` and
 * `scriptGz` are expanded first (one that is not base64 of gzip: stage `request`, with the real one's
 * message up to the parenthesis, where .NET's words and zlib's differ); what a request carries with its
 * name is kept under it (one library, any number of scripts); a name alone that the process does not
 * keep is refused before anything runs (stage `lib`, then `script`), so the runner sends the request
 * again whole. The lab does not run the library's text; it needs the script's for its header id.
 */
export function resolveKept(
  packed: Pick<RunRequestFrame, 'lib' | 'libGz' | 'libHash' | 'script' | 'scriptGz' | 'scriptHash'>,
  kept: KeptTexts,
): { script: string | undefined } | { stage: 'request' | 'lib' | 'script'; message: string } {
  const req = { ...packed };
  for (const name of ['lib', 'script'] as const) {
    const value = req[`${name}Gz`];
    if (value === undefined || value === null) continue;
    try {
      req[name] = expandText(String(value));
    } catch (err) {
      return { stage: 'request', message: `FormatException: the request's ${name}Gz is not base64 of gzip (${(err as Error).message})` };
    }
  }
  if (req.lib) {
    if (req.libHash) kept.lib = req.libHash;
  } else if (req.libHash && kept.lib !== req.libHash) {
    return { stage: 'lib', message: `InvalidOperationException: this process keeps no library named ${req.libHash}; the request must carry lib` };
  }
  if (req.script !== undefined) {
    if (req.scriptHash) kept.scripts.set(req.scriptHash, req.script);
    return { script: req.script };
  }
  if (!req.scriptHash) return { script: undefined };
  const script = kept.scripts.get(req.scriptHash);
  if (script === undefined) return { stage: 'script', message: `InvalidOperationException: this process keeps no script named ${req.scriptHash}; the request must carry script` };
  return { script };
}

/** One request's result frame (encoded) with its exit code; the caller writes it. */
async function runRequest(
  host: LabHostRef,
  executor: ScriptExecutor,
  req: RunRequestFrame,
  stops: boolean,
  kept: KeptTexts,
  locks: LabHostLocks,
): Promise<{ frame: string; exitCode: number; timedOut: boolean }> {
  const started = Date.now();
  const refused = (refusal: { stage: 'request' | 'lib' | 'script' | 'run'; message: string }) => {
    const frame = { type: 'result' as const, id: req.id, exitCode: 1, output: [], errors: [], warnings: [], timedOut: false, durationMs: Date.now() - started, bootstrapError: refusal };
    return { frame: encodeFrame(frame), exitCode: 1, timedOut: false };
  };
  const resolved = resolveKept(req, kept);
  if ('stage' in resolved) return refused(resolved);
  // As the real loop: the host's lock is waited for before the script's text is checked.
  const release = req.hostLock === true ? await locks.acquire(host.name, req.timeoutMs) : () => undefined;
  if (!release) return refused({ stage: 'run', message: hostLockTimeoutMessage(req.timeoutMs) });
  try {
    if (resolved.script === undefined) return refused({ stage: 'run', message: 'ArgumentException: the request has no script text' });
    return await runResolved(host, executor, req, stops, resolved.script, started);
  } finally {
    release();
  }
}

async function runResolved(host: LabHostRef, executor: ScriptExecutor, req: RunRequestFrame, stops: boolean, script: string, started: number): Promise<{ frame: string; exitCode: number; timedOut: boolean }> {
  const invocation = { host, scriptId: ownScriptId(script), script, params: req.params ?? {}, timeoutMs: req.timeoutMs, ...(req.tag !== undefined ? { tag: req.tag } : {}) };
  const running = executor.run(invocation).catch(
    (err: unknown): ScriptOutcome =>
      failedOutcome({ message: err instanceof Error ? err.message : String(err), category: 'NotSpecified', fullyQualifiedErrorId: 'LabExecutorError' }),
  );
  let outcome: ScriptOutcome | 'timeout';
  if (stops) {
    let timer: NodeJS.Timeout | undefined;
    outcome = await Promise.race([running, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), req.timeoutMs)))]);
    clearTimeout(timer);
  } else {
    outcome = await running;
  }
  const timedOut = outcome === 'timeout';
  const o: ScriptOutcome = outcome === 'timeout' ? failedOutcome(pipelineStopped()) : outcome;
  const frame = encodeFrame({
    type: 'result',
    id: req.id,
    exitCode: o.exitCode,
    output: o.output,
    errors: o.errors,
    warnings: o.warnings,
    timedOut,
    durationMs: Date.now() - started,
  });
  return { frame, exitCode: o.exitCode, timedOut };
}

/** ps1/runner/receive-file.ps1: header frame line, then `length` raw bytes. */
function receiverProcess(host: LabHostRef, executor: ScriptExecutor, out: ReturnType<typeof guardedOutput>, _text: string, startMs: number): LabProcess {
  let header: Buffer | null = Buffer.alloc(0);
  let frame: RunRequestFrame | null = null;
  const body: Buffer[] = [];
  const finish = async () => {
    await sleep(startMs);
    if (out.done) return;
    if (!frame) {
      out.stderr(Buffer.from(toClixml([{ stream: 'Error', text: errorRecordText({ message: 'Exception calling "FromBase64String" with "1" argument(s): "Invalid length for a Base-64 char array or string."', category: 'NotSpecified', fullyQualifiedErrorId: 'FormatException' }) }])));
      return out.exit(1);
    }
    const o = await executor.run({ host, scriptId: 'runner.receive-file', script: '', params: frame.params, timeoutMs: frame.timeoutMs, input: Buffer.concat(body) });
    writeScriptOutput(out, o, false);
  };
  return {
    stdin(chunk, end) {
      if (header) {
        header = Buffer.concat([header, chunk]);
        const nl = header.indexOf(0x0a);
        if (nl >= 0) {
          try {
            frame = decodeFrameLine(header.subarray(0, nl).toString('ascii')) as RunRequestFrame | null;
          } catch {
            frame = null;
          }
          body.push(header.subarray(nl + 1));
          header = null;
        }
      } else body.push(chunk);
      if (end) void finish();
    },
    terminate() {
      out.exit(TERMINATED_EXIT_CODE);
    },
  };
}

/** Plain PowerShell text run as powershell.exe would: stdout text, CLIXML stderr, exit code. */
function scriptProcess(host: LabHostRef, executor: ScriptExecutor, out: ReturnType<typeof guardedOutput>, text: string, startMs: number): LabProcess {
  void (async () => {
    await sleep(startMs);
    if (out.done) return;
    const o = await executor
      .run({ host, scriptId: ownScriptId(text), script: text, params: {}, timeoutMs: 3_600_000 })
      .catch((err: unknown) => failedOutcome({ message: String(err), category: 'NotSpecified', fullyQualifiedErrorId: 'LabExecutorError' }));
    writeScriptOutput(out, o, true);
  })();
  return {
    stdin: () => undefined,
    terminate() {
      out.exit(TERMINATED_EXIT_CODE);
    },
  };
}

/** powershell.exe reading its script from stdin: runs what arrived once stdin ends. */
function stdinScriptProcess(host: LabHostRef, executor: ScriptExecutor, out: ReturnType<typeof guardedOutput>, startMs: number): LabProcess {
  const chunks: Buffer[] = [];
  let started: LabProcess | null = null;
  return {
    stdin(chunk, end) {
      if (started) return;
      chunks.push(chunk);
      if (end) started = scriptProcess(host, executor, out, Buffer.concat(chunks).toString('utf8'), startMs);
    },
    terminate() {
      out.exit(TERMINATED_EXIT_CODE);
    },
  };
}

function writeScriptOutput(out: LabProcessOutput, o: ScriptOutcome, failOnErrors: boolean): void {
  if (o.output.length > 0) out.stdout(Buffer.from(o.output.map((l) => `${l}\r\n`).join(''), 'utf8'));
  const records = [
    ...o.warnings.map((w) => ({ stream: 'Warning' as const, text: `${w}\r\n` })),
    ...o.errors.map((e) => ({ stream: 'Error' as const, text: errorRecordText(e) })),
  ];
  if (records.length > 0) out.stderr(Buffer.from(toClixml(records), 'utf8'));
  // powershell.exe -Command exits 1 when the last statement failed; the lab approximates with "any error".
  out.exit(o.exitCode !== 0 ? o.exitCode : failOnErrors && o.errors.length > 0 ? 1 : 0);
}

/** A few cmd.exe built-ins (WinRS runs commands through cmd.exe). */
function cmdBuiltin(host: LabHostRef, command: string, words: string[], out: LabProcessOutput): LabProcess {
  const exe = exeName(words[0] ?? '');
  const rest = words.slice(1);
  if (exe === 'cmd' && rest.length > 0 && /^\/[ck]$/i.test(rest[0] ?? '')) return cmdBuiltin(host, rest.slice(1).join(' '), rest.slice(1), out);
  switch (exe) {
    case 'hostname':
      out.stdout(Buffer.from(`${host.name}\r\n`));
      out.exit(0);
      break;
    case 'echo': {
      // cmd's echo prints the rest of the line as written.
      const raw = command.trim();
      const line = /^echo\s/i.test(raw) ? raw.replace(/^echo\s/i, '') : rest.join(' ');
      out.stdout(Buffer.from(`${line}\r\n`, 'utf8'));
      out.exit(0);
      break;
    }
    case 'exit': {
      const args = rest.filter((a) => a.toLowerCase() !== '/b');
      out.exit(Number.parseInt(args[0] ?? '0', 10) || 0);
      break;
    }
    case 'ver':
      out.stdout(Buffer.from('\r\nMicrosoft Windows [Version 10.0.17763.1]\r\n'));
      out.exit(0);
      break;
    default:
      // cmd.exe and Windows programs do not run in the lab; saying "not recognized" would claim Windows has no such program.
      out.stderr(Buffer.from(cmdNotEmulated(words[0] ?? command)));
      out.exit(1);
  }
  return idleProcess();
}

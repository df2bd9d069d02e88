/**
 * `cortex-deploy exec -i INV [--limit P] -- '<powershell>'`: ad-hoc PowerShell on the selected hosts in
 * parallel. The text runs through the script runner (id `adhoc`, no envelope, no ps1/lib), so it gets
 * the resident bootstrap's separate streams and exit code like every other script. Each host's output
 * is printed as one block when the host finishes, every line prefixed with the host name; then an exit
 * code per host and a summary line. Exit code (docs/exit-codes.md): 0 all ok, 1 a host's command failed,
 * 2 a host unreachable or refused the login, 3 invalid input.
 */
import pc from 'picocolors';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { CortexError, InputError, exitCodeOf } from '../../errors.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../../exit-codes.js';
import type { HostConfig } from '../../inventory/types.js';
import { ADHOC_SCRIPT_ID, ScriptRunner, warmWireTexts, type ScriptResult } from '../../runner/index.js';
import { redact } from '../../secrets/registry.js';
import { consoleText } from '../../report/console-text.js';
import { openSession } from '../../transport/connect.js';
import { insecureTlsWarning, settingsOrThrow } from '../../connection/settings.js';
import type { Session } from '../../transport/session.js';
import { prepareHostRun } from '../host-run.js';
import { DEFAULT_FORKS, fanOut } from '../../lifecycle/fan-out.js';
import { RunInterrupt } from '../../lifecycle/interrupt.js';
import type { CleanupOutcome } from '../../lifecycle/cleanup.js';
import { consoleLine } from '../../report/console-text.js';
import { interruptedLines, sessionClosedOnInterrupt } from '../interrupted.js';

export interface ExecArgs {
  inventory: string;
  limit?: string | undefined;
  forks: number;
  oneshot: boolean;
  timeout: number;
  json: boolean;
  /** The PowerShell text, as words after `--` (joined with spaces). */
  script: string[];
  verbose?: boolean | undefined;
  /** Trust SSH host keys seen for the first time and record them (TOFU). */
  acceptNewHostKeys?: boolean | undefined;
}

export interface ExecIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  color: boolean;
  /** Replaces the real transport (tests). `signal` aborts on an interrupt: a session still connecting gives up. */
  connect?: (host: HostConfig, signal: AbortSignal) => Promise<Session>;
  /** Where run logs go; null: none. */
  runDir?: string | null;
  /** Folder whose .cortex/runs/ gets the run (default: the current directory); see HostRunIo. */
  root?: string;
  /** The command line the run record stores, redacted (default: this process's arguments). */
  commandLine?: readonly string[];
  /** The run's interrupt (tests trigger it); default: one installed on SIGINT/SIGTERM for this run. */
  interrupt?: RunInterrupt;
}

/** `interrupted`: the run was interrupted before this host started, or while it ran. */
export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted';

export interface ExecHostOutcome {
  name: string;
  address: string;
  status: HostStatus;
  /** The remote exit code; null when the command never ran to an end. */
  exitCode: number | null;
  output: string[];
  errors: Array<{ message: string; category: string; fullyQualifiedErrorId: string }>;
  warnings: string[];
  /** Why the host failed or was unreachable (redacted). */
  error: string | null;
  durationMs: number;
  /** This host's share of the process exit code. */
  resultCode: ExitCodeValue;
  /** The session skipped TLS certificate verification (winrm.tls.insecure). */
  tlsInsecure: boolean;
}

export interface ExecDocument {
  hosts: ExecHostOutcome[];
  summary: { hosts: number; ok: number; failed: number; unreachable: number; interrupted?: { notStarted: string[]; stopped: string[] }; exitCode: ExitCodeValue };
}

export const DEFAULT_EXEC_TIMEOUT_S = 300;

function outcomeFromResult(host: HostConfig, r: ScriptResult, durationMs: number): ExecHostOutcome {
  // Output and diagnostics are shown in order; an envelope result (if the text printed one) is output too.
  const ok = r.exitCode === 0 && r.errors.length === 0;
  return {
    name: host.name,
    address: host.address,
    status: ok ? 'ok' : 'failed',
    exitCode: r.exitCode,
    output: [...r.output, ...r.stdoutDiagnostics],
    errors: r.errors.map(({ message, category, fullyQualifiedErrorId }) => ({ message, category, fullyQualifiedErrorId })),
    warnings: r.warnings,
    error: ok ? null : (r.error?.message ?? `exit code ${r.exitCode}`),
    durationMs,
    resultCode: ok ? ExitCode.Ok : ExitCode.Failed,
    tlsInsecure: insecureTlsWarning(host) !== null,
  };
}

function outcomeFromError(host: HostConfig, err: unknown, durationMs: number): ExecHostOutcome {
  const code = exitCodeOf(err);
  const message = redact(err instanceof CortexError ? err.message : String((err as Error)?.message ?? err));
  return {
    name: host.name,
    address: host.address,
    status: code === ExitCode.Unreachable ? 'unreachable' : 'failed',
    exitCode: null,
    output: [],
    errors: [],
    warnings: [],
    error: message,
    durationMs,
    resultCode: code,
    tlsInsecure: insecureTlsWarning(host) !== null,
  };
}

/** Run the text on one host: open a session, run it, close. Never throws: failures become the outcome. */
async function execOnHost(host: HostConfig, text: string, args: ExecArgs, connect: (h: HostConfig) => Promise<Session>): Promise<ExecHostOutcome> {
  const started = Date.now();
  let session: Session | null = null;
  try {
    session = await connect(host);
    const runner = new ScriptRunner(session, { mode: args.oneshot ? 'oneshot' : 'resident' });
    const r = await runner.run({ id: ADHOC_SCRIPT_ID, text }, {}, { timeoutMs: Math.round(args.timeout * 1000), lib: false, outputFormat: 'text' });
    // No graceful exit of the resident powershell.exe (about four more requests per host): closing
    // the session below ends it (WinRS shell Delete, SSH channel close, the local process killed).
    return outcomeFromResult(host, r, Date.now() - started);
  } catch (err) {
    return outcomeFromError(host, err, Date.now() - started);
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** Human lines for one host: every line prefixed with the host name, then its exit line. */
export function renderHostBlock(o: ExecHostOutcome, color: boolean, width: number): string {
  const c = pc.createColors(color);
  const prefix = `${c.bold(o.name.padEnd(width))} | `;
  const lines: string[] = [];
  const text = o.output.flatMap((item) => consoleText(item).split('\n'));
  // Out-String frames tables with blank lines; keep the inner ones, drop those around the output.
  while (text.length && text[0]!.trim() === '') text.shift();
  while (text.length && text[text.length - 1]!.trim() === '') text.pop();
  for (const l of text) lines.push(`${prefix}${l.trimEnd()}`);
  for (const w of o.warnings) lines.push(`${prefix}${c.yellow(`WARNING: ${consoleText(w)}`)}`);
  for (const e of o.errors) for (const l of consoleText(e.message).split('\n')) lines.push(`${prefix}${c.red(l)}`);
  const secs = `${(o.durationMs / 1000).toFixed(1)} s`;
  if (o.status === 'ok') lines.push(`${prefix}${c.green(`ok, exit code 0 (${secs})`)}`);
  else if (o.status === 'failed' && o.exitCode !== null) lines.push(`${prefix}${c.red(`failed, exit code ${o.exitCode} (${secs})`)}`);
  else lines.push(`${prefix}${c.red(`${o.status}: ${consoleText(o.error ?? 'unknown error')}`)}`);
  return `${lines.join('\n')}\n`;
}

export function summarize(outcomes: ExecHostOutcome[]): ExecDocument['summary'] {
  const interrupted = outcomes.filter((o) => o.status === 'interrupted');
  const notStarted = (o: ExecHostOutcome) => o.error === NOT_STARTED;
  return {
    hosts: outcomes.length,
    ok: outcomes.filter((o) => o.status === 'ok').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    unreachable: outcomes.filter((o) => o.status === 'unreachable').length,
    ...(interrupted.length ? { interrupted: { notStarted: interrupted.filter(notStarted).map((o) => o.name), stopped: interrupted.filter((o) => !notStarted(o)).map((o) => o.name) } } : {}),
    exitCode: worstExitCode(outcomes.map((o) => o.resultCode)),
  };
}

const NOT_STARTED = 'not started: the run was interrupted';

function interruptedOutcome(host: HostConfig, why: string, durationMs: number): ExecHostOutcome {
  return { name: host.name, address: host.address, status: 'interrupted', exitCode: null, output: [], errors: [], warnings: [], error: why, durationMs, resultCode: ExitCode.Interrupted, tlsInsecure: insecureTlsWarning(host) !== null };
}

export async function runExecCommand(args: ExecArgs, io: ExecIo): Promise<number> {
  const text = args.script.join(' ').trim();
  if (text === '') {
    throw new InputError('no PowerShell to run', { field: 'script', hint: "Put it after --, e.g. cortex-deploy exec -i site.yaml -- 'Get-Service RabbitMQ'" });
  }
  const { hosts, run, log, connections, finish } = await prepareHostRun(args, io, 'exec', { script: text });
  // The command it ran, in the run log too (redacted there like every field).
  log.info({ hosts: hosts.map((h) => h.name), forks: args.forks, oneshot: args.oneshot, script: text }, 'exec started');
  const interrupt = io.interrupt ?? new RunInterrupt({ notify: (line) => io.stderr.write(`${consoleLine(line)}\n`) }).install();
  const open = io.connect ?? (async (h: HostConfig, signal: AbortSignal) => openSession(settingsOrThrow(connections, h.name), { log, signal, acceptNewHostKeys: args.acceptNewHostKeys === true }));
  const connect = sessionClosedOnInterrupt(open, interrupt);
  const width = Math.max(...hosts.map((h) => h.name.length));
  let outcomes: ExecHostOutcome[];
  let released: CleanupOutcome | null = null;
  // The text runs without the library (lib: false below): only the bootstrap line is worth preparing.
  warmWireTexts({ lib: false });
  try {
    outcomes = await fanOut({
      hosts,
      forks: args.forks,
      signal: interrupt.signal,
      notStarted: (h) => interruptedOutcome(h, NOT_STARTED, 0),
      run: async (h, work) => {
        const o = await execOnHost(h, text, args, (host) => connect(host, work.signal));
        // A host that fails after the interrupt was stopped, not failed.
        return interrupt.interrupted && o.status !== 'ok' ? interruptedOutcome(h, `stopped: the run was interrupted while this host ran (${o.error ?? 'no result'})`, o.durationMs) : o;
      },
      onFinished: (_h, o) => {
        log.info({ host: o.name, status: o.status, exitCode: o.exitCode, durationMs: o.durationMs, error: o.error }, 'host finished');
        if (!args.json && o.status !== 'interrupted') io.stdout.write(renderHostBlock(o, io.color, width));
      },
    });
  } finally {
    released = await interrupt.finish();
  }
  const summary = summarize(outcomes);
  if (args.json) {
    const doc: ExecDocument = { hosts: outcomes, summary };
    io.stdout.write(`${redact(JSON.stringify(doc, null, 2))}\n`);
  } else {
    const c = pc.createColors(io.color);
    const parts = [`${summary.ok} ok`, `${summary.failed} failed`, `${summary.unreachable} unreachable`];
    const undone = summary.interrupted ? summary.interrupted.notStarted.length + summary.interrupted.stopped.length : 0;
    if (undone) parts.push(`${undone} interrupted`);
    io.stdout.write(`${c.bold('exec:')} ${summary.hosts} host${summary.hosts === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
  }
  if (interrupt.interrupted) {
    const undone = summary.interrupted ?? { notStarted: [], stopped: [] };
    for (const l of interruptedLines(interrupt.reason ?? 'SIGINT', hosts.length, undone, released)) io.stderr.write(`${l}\n`);
    log.warn({ interrupted: interrupt.reason, ...undone, sessionsClosed: released?.done.length ?? 0, sessionsNotClosed: released?.failed ?? [] }, 'exec interrupted');
  }
  log.info({ summary }, 'exec finished');
  finish({
    exitCode: summary.exitCode,
    interrupted: interrupt.interrupted,
    summary,
    results: outcomes.map((o) => ({ host: o.name, status: o.status, details: [{ id: 'exit', status: o.exitCode === null ? 'none' : String(o.exitCode), message: o.error ?? '' }] })),
  });
  run.logger.flush();
  return summary.exitCode;
}

export const execCommand: CommandModule<object, ExecArgs> = {
  command: COMMANDS.exec.command,
  describe: COMMANDS.exec.describe,
  builder: (y: Argv<object>) =>
    y
      .positional('script', { type: 'string', array: true, default: [], describe: 'PowerShell text (after --)' })
      .option('inventory', { alias: 'i', type: 'string', demandOption: true, describe: 'Inventory file (YAML)' })
      .option('limit', { type: 'string', describe: 'Hosts, groups or globs (app*, !db1, &web)' })
      .option('forks', { type: 'number', default: DEFAULT_FORKS, describe: 'Hosts at once (the same default for every command: docs/hosts.md)' })
      .option('oneshot', { type: 'boolean', default: false, describe: 'A fresh powershell.exe for the command instead of the resident runner' })
      .option('timeout', { type: 'number', default: DEFAULT_EXEC_TIMEOUT_S, describe: 'Seconds the command may run on each host' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON document on stdout (nothing else there)' })
      .option('accept-new-host-keys', { type: 'boolean', default: false, describe: 'SSH: trust host keys seen for the first time and add them to known_hosts (a changed key is still refused)' })
      .example("$0 exec -i site.yaml --limit app1 -- 'Get-Service RabbitMQ'", 'One service on one host')
      .example("$0 exec -i site.yaml --limit 'app,!app3' --forks 5 -- 'Get-CimInstance Win32_OperatingSystem | Select-Object Caption, LastBootUpTime'", 'Several hosts, five at a time')
      .example("$0 exec -i site.yaml --json -- 'hostname'", 'Machine-readable result per host')
      .epilogue(
        'The text runs as plain PowerShell 5.1 in a fresh runspace per host; its output, warnings and errors are shown per host, prefixed with the host name. ' +
          'Exit codes: 0 ok everywhere, 1 the command failed on some host (non-zero exit code or an error record), 2 a host unreachable or login refused, 3 invalid inventory or flags.',
      ) as unknown as Argv<ExecArgs>,
  handler: async (argv) => {
    // yargs leaves the words after `--` in `_`, behind the command name.
    const a = argv as unknown as ExecArgs & { _: Array<string | number> };
    const rest = a._.map(String);
    const words = [...(a.script ?? []), ...(rest[0] === 'exec' ? rest.slice(1) : rest)];
    const color = (argv as { color?: boolean }).color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
    (argv as unknown as { exitCode: number }).exitCode = await runExecCommand({ ...a, script: words }, { stdout: process.stdout, stderr: process.stderr, color });
  },
};

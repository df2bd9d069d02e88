/**
 * `cortex-deploy preflight -i INV`: the read-only dry run admins hand to their infrastructure team.
 * Loads the inventory, opens one session per host, runs the facts probe (and the reach probe where the
 * host has peers), judges with the pure rules of src/preflight/, and renders the reports. This module
 * is the only one that writes: progress on stderr, the table (or --json) on stdout, report files.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import type { HostConfig } from '../../inventory/types.js';
import { InputError } from '../../errors.js';
import { prepareHostRun } from '../host-run.js';
import { redact } from '../../secrets/registry.js';
import type { PreflightHost } from '../../preflight/finding.js';
import { isCheckId } from '../../preflight/check-ids.js';
import { DEFAULT_PROBE_TIMEOUT_MS, runPreflight, type Connect } from '../../preflight/run.js';
import { DEFAULT_FORKS } from '../../lifecycle/fan-out.js';
import { FAIL_ON_LEVELS, exitCodeOf, hostStatus, type FailOn, type PreflightReport } from '../../preflight/outcome.js';
import { preflightEnd, preflightHtmlReporter, preflightJsonReporter, preflightJunitReporter, preflightProgressReporter, preflightTableReporter } from '../../report/preflight-reporters.js';
import { allReporters, wantsColor } from '../../report/run-reporter.js';
import { connectForPreflight } from '../../preflight/connect.js';
import { checkReportPath, checkReportPaths, reportFileOptions, type ReportFileArgs } from '../report-paths.js';
import type { ReportMeta } from '../../report/meta.js';
import { toolVersion } from '../../version.js';
import { operatorName } from '../../runs/record.js';
import { insecureTlsWarning, settingsOrThrow } from '../../connection/settings.js';
import { ExitCode } from '../../exit-codes.js';
import { RunInterrupt } from '../../lifecycle/interrupt.js';
import type { CleanupOutcome } from '../../lifecycle/cleanup.js';
import { consoleLine } from '../../report/console-text.js';
import { closedOnInterrupt, interruptedLines } from '../interrupted.js';
import { buildSiteFacts, renderSiteFacts, type HostCapture } from '../../preflight/site-facts.js';

export interface PreflightArgs extends ReportFileArgs {
  inventory: string;
  limit?: string | undefined;
  forks: number;
  json: boolean;
  timeout: number;
  verbose?: boolean | undefined;
  /** Trust SSH host keys seen for the first time and record them (TOFU). */
  acceptNewHostKeys?: boolean | undefined;
  /** 'warn': a warning fails the run (exit 1); default 'fail'. */
  failOn?: FailOn | undefined;
  /** Write every host's facts and the inventory's shape to this file (docs/site-facts.md). */
  saveFacts?: string | undefined;
}

export interface PreflightIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  color: boolean;
  /** Replaces the real transport (tests). */
  connect?: Connect;
  /** Where run logs go; null: none. */
  runDir?: string | null;
  /** Folder whose .cortex/runs/ gets the run (default: the current directory); see HostRunIo. */
  root?: string;
  /** The command line the run record stores, redacted (default: this process's arguments). */
  commandLine?: readonly string[];
  /** The run's interrupt (tests trigger it); default: one installed on SIGINT/SIGTERM for this run. */
  interrupt?: RunInterrupt;
}

export function toPreflightHost(h: HostConfig): PreflightHost {
  // The inventory schema admits only known check ids; the filter keeps the types honest.
  const waivers = (h.waivers ?? []).flatMap((w) => (isCheckId(w.check) ? [{ check: w.check, reason: w.reason, expires: w.expires, source: `${w.position.file}:${w.position.line}:${w.position.col}` }] : []));
  return { name: h.name, address: h.address, roles: [...h.roles], installPath: h.installPath ?? null, ...(insecureTlsWarning(h) ? { tlsInsecure: true } : {}), ...(waivers.length ? { waivers } : {}) };
}

function writeReport(file: string, text: string): string {
  const path = resolve(file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`cannot write the report ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { hint: 'Check the path and its permissions.' });
  }
  return path;
}

/** Runs the command; returns the exit code (docs/exit-codes.md): 0 pass (warnings allowed), 1 a check failed, 2 a host unreachable. */
export async function runPreflightCommand(args: PreflightArgs, io: PreflightIo): Promise<number> {
  if (args.failOn !== undefined && !FAIL_ON_LEVELS.includes(args.failOn)) {
    throw new InputError(`--fail-on ${String(args.failOn)} is not a level.`, { field: '--fail-on', hint: `Use one of: ${FAIL_ON_LEVELS.join(', ')}.` });
  }
  checkReportPaths(args);
  if (args.saveFacts !== undefined) checkReportPath('--save-facts', args.saveFacts);
  const { inventory, hosts: selected, run, log, connections, finish } = await prepareHostRun(args, io, 'preflight');
  log.info({ hosts: selected.length, forks: args.forks }, 'preflight started');

  const interrupt = io.interrupt ?? new RunInterrupt({ notify: (line) => io.stderr.write(`\n${consoleLine(line)}\n`) }).install();
  const open: Connect =
    io.connect ?? (async (host, signal) => connectForPreflight(settingsOrThrow(connections, host.name), { log, signal: signal ?? interrupt.signal, acceptNewHostKeys: args.acceptNewHostKeys === true }));
  const connect = closedOnInterrupt(open, interrupt);

  const tty = io.stderr.isTTY === true && !args.verbose;
  // Every output is a reporter fed the run's events (docs/reporting.md): progress on stderr, the table or --json on stdout, report files.
  const progress = preflightProgressReporter(io.stderr, { color: io.color && tty, live: tty });
  const collected = (label: string, file: string | undefined) => {
    let text = '';
    return file === undefined ? null : { label, file, stream: { write: (t: string) => (text += t) }, text: () => text };
  };
  const files = [collected('JSON report', args.reportJson), collected('JUnit report', args.reportJunit), collected('HTML report', args.reportHtml)];
  const [jsonFile, junitFile, htmlFile] = files;
  const documents = allReporters(
    args.json ? preflightJsonReporter(io.stdout) : preflightTableReporter(io.stdout, { color: io.color, width: Math.min(io.stdout.columns ?? 100, 160) }),
    ...(jsonFile ? [preflightJsonReporter(jsonFile.stream)] : []),
    ...(junitFile ? [preflightJunitReporter(junitFile.stream)] : []),
    ...(htmlFile ? [preflightHtmlReporter(htmlFile.stream)] : []),
  );
  const reporters = allReporters(progress, documents);

  const captures = new Map<string, HostCapture>();
  let report: PreflightReport;
  let released: CleanupOutcome | null = null;
  try {
    report = await runPreflight({
      hosts: selected.map(toPreflightHost),
      connect,
      signal: interrupt.signal,
      forks: args.forks,
      timeoutMs: Math.round(args.timeout * 1000),
      onEvent: (e) => reporters.onEvent(e),
      events: {
        hostCaptured: (c) => captures.set(c.name, c),
        hostFinished: (o) => log.info({ host: o.host.name, reachable: o.reachable, durationMs: o.durationMs, findings: o.findings.filter((f) => f.status !== 'pass') }, 'host finished'),
      },
    });
  } finally {
    progress.close();
    released = await interrupt.finish();
  }
  if (interrupt.interrupted) report.summary.exitCode = ExitCode.Interrupted;
  else if (args.failOn === 'warn') report.summary.exitCode = exitCodeOf(report.hosts, 'warn');

  const meta: ReportMeta = { inventory: inventory.file, toolVersion: toolVersion(), runId: run.runId, startedAt: report.startedAt, operator: operatorName(), failOn: args.failOn ?? 'fail' };
  documents.finish(preflightEnd(report, meta));
  const written: string[] = [];
  for (const f of files) if (f) written.push(`${f.label}: ${writeReport(f.file, f.text())}`);
  if (args.saveFacts) {
    const doc = buildSiteFacts(selected, captures, { capturedAt: report.startedAt, toolVersion: meta.toolVersion, inventory: basename(inventory.file), components: inventory.components });
    written.push(`Site facts: ${writeReport(args.saveFacts, renderSiteFacts(doc))} (a twin: cortex-deploy lab up --from-facts FILE, docs/rehearse.md)`);
  }
  for (const line of written) io.stderr.write(`${redact(line)}\n`);
  if (interrupt.interrupted) {
    const undone = report.summary.interrupted ?? { notStarted: [], stopped: [] };
    const lines = interruptedLines(interrupt.reason ?? 'SIGINT', selected.length, undone, released);
    for (const l of lines) io.stderr.write(`${l}\n`);
    log.warn({ interrupted: interrupt.reason, ...undone, sessionsClosed: released?.done.length ?? 0, sessionsNotClosed: released?.failed ?? [] }, 'preflight interrupted');
  }
  log.info({ summary: report.summary }, 'preflight finished');
  finish({
    exitCode: report.summary.exitCode,
    interrupted: interrupt.interrupted,
    summary: report.summary,
    results: report.hosts.map((o) => ({ host: o.host.name, status: o.reachable ? hostStatus(o) : 'unreachable', details: o.findings.filter((f) => f.status !== 'pass').map((f) => ({ id: f.id, status: f.status, message: f.message, ...(f.waived ? { waived: f.waived.reason } : {}) })) })),
  });
  run.logger.flush();
  return report.summary.exitCode;
}

export const preflightCommand: CommandModule<object, PreflightArgs> = {
  command: COMMANDS.preflight.command,
  describe: COMMANDS.preflight.describe,
  builder: (y: Argv<object>) =>
    reportFileOptions(
      y
        .option('inventory', { alias: 'i', type: 'string', demandOption: true, describe: 'Inventory file (YAML)' })
        .option('limit', { type: 'string', describe: 'Hosts, groups or globs (app*, !db1, &web)' })
        .option('forks', { type: 'number', default: DEFAULT_FORKS, describe: 'Hosts probed at once (the same default for every command: docs/hosts.md)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the JSON document on stdout (nothing else there)' }),
      'one testcase per host x check',
    )
      .option('timeout', { type: 'number', default: DEFAULT_PROBE_TIMEOUT_MS / 1000, describe: 'Seconds each probe script may take' })
      .option('accept-new-host-keys', { type: 'boolean', default: false, describe: 'SSH: trust host keys seen for the first time and add them to known_hosts (a changed key is still refused)' })
      .option('save-facts', { type: 'string', describe: "Write every host's facts and the inventory's shape (no secrets) to FILE, for a twin lab (docs/site-facts.md)" })
      .option('fail-on', { choices: FAIL_ON_LEVELS, default: 'fail' as FailOn, describe: 'The least severe finding that fails the run (exit 1): fail, or warn to fail on warnings too' })
      .example('$0 preflight -i site.yaml', 'Probe every host; a table of hosts x checks')
      .example('$0 preflight -i site.yaml --report-html preflight.html --report-junit preflight.xml', 'Reports for the infrastructure team and CI')
      .example('$0 preflight -i site.yaml --limit app --json', 'Only the app servers, as JSON')
      .example('$0 preflight -i site.yaml --save-facts site.facts.json', 'Also keep the facts, to rehearse on a twin (lab up --from-facts)')
      .example('$0 preflight -i site.yaml --fail-on warn', 'Strict: a warning fails the run too (exit 1)')
      .epilogue('Checks, thresholds and remediations: docs/preflight.md. Exit codes: 0 ready (warnings allowed unless --fail-on warn), 1 a check failed, 2 a host unreachable or login refused, 3 invalid inventory or flags.') as unknown as Argv<PreflightArgs>,
  handler: async (argv) => {
    const color = wantsColor((argv as { color?: boolean }).color, process.env, process.stdout.isTTY);
    (argv as unknown as { exitCode: number }).exitCode = await runPreflightCommand(argv, { stdout: process.stdout, stderr: process.stderr, color });
  },
};

/**
 * `cortex-deploy apply`: install or upgrade per the playbook (docs/playbooks.md, "Running a playbook").
 *   apply -i INV [-p PLAYBOOK]     preflight gate, then the executor under the inventory's lock, journaled
 *   apply PLAN                     a saved plan, refused when what it read has drifted (naming what)
 *   apply -i INV --resume [RUN]    continue an interrupted run; finished steps are not redone
 *   apply -i INV --check           the same as plan
 * Step secrets are resolved (and prompted for), and file sources checked, before any host is touched. Ctrl-C: running steps
 * finish, the journal is written, exit 130.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { InputError, exitCodeOf } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { resolveStepSecrets, withSecretDigests } from '../../engine/agent/step-secrets.js';
import { checkFileSources } from '../../engine/agent/file-sources.js';
import type { HostStatus, StepStatus } from '../../engine/apply/events.js';
import { driftOf, parseSavedPlan, type SavedPlan } from '../../engine/plan/saved-plan.js';
import { runToResume } from '../../engine/run/resume.js';
import { journalPath, readJournal } from '../../engine/run/journal.js';
import { lockRun, runApply, type RunApplyResult, type RunLock } from '../../engine/run/run-apply.js';
import { pretestRequests } from '../../engine/apply/executor.js';
import { unusableConnectionsError } from '../../connection/settings.js';
import type { HostConfig } from '../../inventory/types.js';
import { exitCodeOf as preflightExitCode } from '../../preflight/outcome.js';
import { runPreflight } from '../../preflight/run.js';
import { APPLY_SCHEME } from '../../report/status-scheme.js';
import { ConsoleRunReporter } from '../../report/run-console.js';
import { allReporters, type RunReporter } from '../../report/run-reporter.js';
import { applyJsonReporter, type ApplyEnd } from '../../report/apply-json.js';
import { applyJunitReporter } from '../../report/apply-junit.js';
import { applyHtmlReporter } from '../../report/apply-html.js';
import type { PlaybookRunMeta } from '../../report/meta.js';
import { toolVersion } from '../../version.js';
import { operatorName } from '../../runs/record.js';
import { consoleLine } from '../../report/console-text.js';
import { redact, redactDeep } from '../../secrets/registry.js';
import type { RunInterrupt } from '../../lifecycle/interrupt.js';
import { hostAgents, probeThroughAgents, type HostAgents } from '../host-agents.js';
import { prepareHostRun } from '../host-run.js';
import { checkReportPaths, reportFileOptions, type ReportFileArgs } from '../report-paths.js';
import { inputsOf, loadRunPlaybook, playbookHosts, playbookRunOptions, type PlaybookRunArgs } from '../playbook-run.js';
import { toPreflightHost } from './preflight.js';
import { newInterrupt, runPlanCommand, writeOutputFile, type CommandIo } from './plan.js';
import { readHosts } from '../../engine/agent/read-hosts.js';
import { pulledSources } from '../../artifacts/pull/served.js';
import { startPullSession, ARTIFACT_TRANSFERS, type ArtifactTransfer, type PullSession } from '../../artifacts/pull/session.js';

export interface ApplyArgs extends PlaybookRunArgs, ReportFileArgs {
  /** A saved plan (`plan --out`). */
  plan?: string | undefined;
  /** '' (the flag alone): the latest interrupted run of the inventory; else a run id. */
  resume?: string | undefined;
  check?: boolean | undefined;
  acceptWarnings?: boolean | undefined;
  skipPreflight?: boolean | undefined;
  /** How store artifacts reach the hosts (docs/artifacts.md): push (default) or pull. */
  artifacts?: ArtifactTransfer | undefined;
  pullAddress?: string | undefined;
  pullCert?: string | undefined;
  pullKey?: string | undefined;
  pullPort?: number | undefined;
}

type Log = Parameters<typeof hostAgents>[0]['log'];

/**
 * The preflight gate: failures stop the run; warnings stop it unless accepted. Returns the exit code to stop with, or null to go on.
 * It probes through the run's agents: the sessions it opens (and the facts it reads) are the ones the steps then use.
 */
async function preflightGate(o: { hosts: readonly HostConfig[]; agents: HostAgents['agents']; interrupt: RunInterrupt; log: Log; args: ApplyArgs; io: CommandIo }): Promise<number | null> {
  const { args, io } = o;
  const probes = probeThroughAgents(o.agents);
  const report = await runPreflight({
    hosts: o.hosts.map(toPreflightHost),
    connect: probes.connect,
    signal: o.interrupt.signal,
    forks: args.forks,
    timeoutMs: Math.round(args.timeout * 1000),
    events: { hostCaptured: (capture) => probes.factsRead(capture.name, capture.facts) },
  });
  if (o.interrupt.interrupted) return ExitCode.Interrupted;
  const failing = report.summary.exitCode;
  const warned = preflightExitCode(report.hosts, 'warn') !== ExitCode.Ok;
  const lines: string[] = [];
  for (const h of report.hosts) for (const f of h.findings) if (f.status !== 'pass') lines.push(`  ${h.host.name}: ${f.id} ${f.status}: ${f.message}${f.remediation ? ` ${f.remediation}` : ''}`);
  o.log.info?.({ summary: report.summary }, 'preflight gate');
  if (failing !== ExitCode.Ok) {
    io.stderr.write(`Preflight failed; nothing was changed:\n${lines.map((l) => redact(consoleLine(l))).join('\n')}\nFix these (docs/preflight.md), then run apply again.\n`);
    return failing;
  }
  if (warned && args.acceptWarnings !== true) {
    io.stderr.write(`Preflight has warnings; nothing was changed:\n${lines.map((l) => redact(consoleLine(l))).join('\n')}\nFix them, or run apply again with --accept-warnings to go ahead anyway.\n`);
    return ExitCode.Failed;
  }
  if (warned) io.stderr.write(`Preflight warnings accepted (--accept-warnings):\n${lines.map((l) => redact(consoleLine(l))).join('\n')}\n`);
  else io.stderr.write(`Preflight passed on ${report.hosts.length} host${report.hosts.length === 1 ? '' : 's'}.\n`);
  return null;
}

/** --report-json/junit/html: each a document reporter into memory, saved when the run ends. */
function reportFiles(args: ApplyArgs, meta: PlaybookRunMeta): Array<{ label: string; reporter: RunReporter<StepStatus, HostStatus, ApplyEnd>; save: () => string }> {
  const out: Array<{ label: string; reporter: RunReporter<StepStatus, HostStatus, ApplyEnd>; save: () => string }> = [];
  const add = (label: string, flag: string, file: string | undefined, make: (stream: { write(s: string): boolean }) => RunReporter<StepStatus, HostStatus, ApplyEnd>) => {
    if (file === undefined) return;
    let text = '';
    const reporter = make({ write: (t: string) => ((text += t), true) });
    out.push({
      label,
      reporter,
      save: () => writeOutputFile(flag, file, text),
    });
  };
  add('JSON report', '--report-json', args.reportJson, (st) => applyJsonReporter(st, meta));
  add('JUnit report', '--report-junit', args.reportJunit, (st) => applyJunitReporter(st));
  add('HTML report', '--report-html', args.reportHtml, (st) => applyHtmlReporter(st, meta));
  return out;
}

/**
 * A run is resumed with the playbook it started with: its finished steps were done to that text, so a
 * changed playbook (or another one) would leave them unchecked against the new one.
 */
function checkResumable(runId: string, journal: string, playbookFile: string, playbookSha: string): void {
  const { header } = readJournal(journal);
  if (header.playbook.file !== playbookFile) {
    throw new InputError(`run ${runId} ran the playbook ${header.playbook.file}, not ${playbookFile}.`, { field: '--resume', hint: `Resume it with -p ${header.playbook.file}, or run apply without --resume.` });
  }
  if (header.playbook.sha256 !== playbookSha) {
    throw new InputError(`the playbook ${playbookFile} changed since run ${runId} started; the steps it finished were done to the old text.`, { field: '--resume', hint: 'Run apply without --resume: every step is tested again and only what differs is changed.' });
  }
}

function readSavedPlan(file: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the plan ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { field: 'PLAN', hint: 'Save one with: cortex-deploy plan -i site.yaml --out plan.json' });
  }
  return parseSavedPlan(text, file);
}

export async function runApplyCommand(args: ApplyArgs, io: CommandIo): Promise<number> {
  if (args.check) {
    if (args.plan !== undefined || args.resume !== undefined) throw new InputError('--check plans from the inventory and playbook; it takes no saved plan and no --resume.', { field: '--check' });
    return runPlanCommand({ ...args, detailedExitcode: false }, io);
  }
  checkReportPaths(args);
  checkPullFlags(args);
  let saved: SavedPlan | undefined;
  if (args.plan !== undefined) {
    if (args.resume !== undefined) throw new InputError('a saved plan is applied from its start; --resume continues an interrupted run of the inventory instead.', { field: '--resume' });
    saved = readSavedPlan(args.plan);
    if (args.inventory !== undefined && resolve(args.inventory) !== saved.inputs.inventory.file) {
      throw new InputError(`the plan ${args.plan} was made with the inventory ${saved.inputs.inventory.file}, not ${resolve(args.inventory)}.`, { field: '--inventory', hint: 'Leave -i out: a saved plan names its inventory and playbook.' });
    }
    if (args.playbook !== undefined && resolve(args.playbook) !== saved.inputs.playbook.file) {
      throw new InputError(`the plan ${args.plan} was made with the playbook ${saved.inputs.playbook.file}, not ${resolve(args.playbook)}.`, { field: '--playbook', hint: 'Leave -p out: a saved plan names its inventory and playbook.' });
    }
    args = { ...args, inventory: saved.inputs.inventory.file, playbook: saved.inputs.playbook.file, store: args.store ?? saved.inputs.store };
  }
  if (!args.inventory) throw new InputError('apply needs an inventory (-i FILE) or a saved plan (apply plan.json).', { field: '--inventory' });
  const root = io.root ?? process.cwd();
  const { inventory, hosts: selected, run, log, connections, finish } = await prepareHostRun(args, io, 'apply');
  try {
    return await applyPrepared(args, io, root, saved, { inventory, selected, run, log, connections, finish });
  } catch (err) {
    finish({ exitCode: exitCodeOf(err), interrupted: false, summary: { error: err instanceof Error ? err.message : String(err) }, results: [] });
    run.logger.flush();
    throw err;
  }
}

type Prepared = Pick<Awaited<ReturnType<typeof prepareHostRun>>, 'inventory' | 'run' | 'log' | 'connections' | 'finish'> & { selected: HostConfig[] };

async function applyPrepared(args: ApplyArgs, io: CommandIo, root: string, saved: SavedPlan | undefined, { inventory, selected, run, log, connections, finish }: Prepared): Promise<number> {
  const loaded = await loadRunPlaybook(args.playbook, inventory, args.store);
  let hosts = playbookHosts(loaded, selected);
  if (saved) {
    const inPlan = new Set([...saved.plan.changes.map((c) => c.host), ...saved.plan.skipped.map((s) => s.host)]);
    hosts = hosts.filter((h) => inPlan.has(h.name));
  }
  const resume = args.resume !== undefined ? runToResume(root, inventory.file, args.resume === '' ? undefined : args.resume) : undefined;
  if (resume) {
    checkResumable(resume, journalPath(root, resume), loaded.file, inputsOf(loaded, inventory).playbook.sha256);
    io.stderr.write(`resuming run ${resume}\n`);
  }
  // Before any host is touched: connection settings that cannot be used stop the run once, not per host.
  const unusable = unusableConnectionsError(connections, hosts.map((h) => h.name));
  if (unusable) throw unusable;
  // Before any host is touched: a `prompt` asks now, never in the middle of the run.
  checkFileSources(loaded, hosts.map((h) => h.name));
  const secrets = await resolveStepSecrets(loaded, hosts.map((h) => h.name));
  // Diffs that compare a secret with the host (erlang_cookie) get its SHA-256, never the value.
  const playbook = withSecretDigests(loaded, secrets);
  const pulling = pullingHosts(args, hosts);
  const inputs = inputsOf(playbook, inventory, args.store);
  const interrupt = newInterrupt(io);
  const meta: PlaybookRunMeta = { inventory: inventory.file, playbook: playbook.file, toolVersion: toolVersion(), runId: resume ?? run.runId, startedAt: new Date().toISOString(), operator: operatorName() };
  const files = reportFiles(args, meta);
  const consoleReporter = new ConsoleRunReporter<StepStatus, HostStatus>({ stream: io.stderr, scheme: APPLY_SCHEME, color: io.color });
  const reporter = allReporters<StepStatus, HostStatus, ApplyEnd>(
    consoleReporter,
    ...(args.json ? [applyJsonReporter(io.stdout, meta)] : []),
    ...files.map((f) => f.reporter),
  );
  let result: RunApplyResult | null = null;
  let stopped: number | null = null;
  let held: RunLock | undefined;
  try {
    // The lock before any session: a second apply is refused before its preflight touches a host.
    held = lockRun({ root, inventory, playbook, runId: run.runId, resume });
    const replaced = held.lock.replaced;
    if (replaced) io.stderr.write(`${consoleLine(`took over a stale lock of run ${replaced.runId} (pid ${replaced.pid} is gone)`)}\n`);
    // `--artifacts pull`: the pull server starts after the preflight gate; the agents ask it per file source.
    let pull: PullSession | null = null;
    const { agents, closeAll } = hostAgents({
      hosts,
      playbook,
      connections,
      secrets,
      interrupt,
      log,
      scriptTimeoutMs: Math.round(args.timeout * 1000),
      acceptNewHostKeys: args.acceptNewHostKeys === true,
      // Every step has answered before the sessions close, so the idle powershell.exe ends with its
      // session (shell Delete): no exit request and wait for it (about four requests per host).
      exitGracefully: false,
      ...(pulling.length ? { downloadFor: (host: string, source: string) => pull?.downloadFor(host, source) ?? null } : {}),
    });
    try {
      if (args.skipPreflight !== true) {
        // The first batch's Tests travel with the gate's probes (read-only; used only if the gate passes).
        if (!saved) for (const [h, requests] of pretestRequests(playbook, inventory, hosts.map((x) => x.name), held.resume)) agents[h]?.pretestWithProbes(requests);
        stopped = await preflightGate({ hosts, agents, interrupt, log, args, io });
      }
      if (stopped === null) {
        pull = pulling.length ? await startPull(args, io, playbook, pulling, log, interrupt) : null;
        if (saved) {
          // The same sessions read the hosts again and then apply: one connection per host.
          const readings = await readHosts({ inventory, playbook, agents, hosts: hosts.map((h) => h.name), forks: args.forks, signal: interrupt.signal });
          const drift = driftOf(saved, playbook, inputs, readings);
          if (drift.length) {
            throw new InputError(`the plan ${args.plan} is stale; nothing was changed. What changed since it was made:\n${drift.map((d) => `  ${d.host ?? '(inputs)'}${d.step ? `, step ${d.step}` : ''}: ${d.message}`).join('\n')}`, { field: 'PLAN', hint: 'Make a new plan: cortex-deploy plan -i INV --out FILE.' });
          }
        }
        result = await runApply({
          inventory,
          playbook,
          agents,
          hosts: hosts.map((h) => h.name),
          forks: args.forks,
          signal: interrupt.signal,
          onEvent: (e) => {
            reporter.onEvent(e);
            if (e.type === 'step-finished' || e.type === 'host-finished' || e.type === 'run-finished') log.info(redactDeep(e), e.type);
          },
          root,
          runId: run.runId,
          playbookText: inputs.playbookText,
          inventoryText: inputs.inventoryText,
          held,
        });
      }
    } finally {
      await closeAll();
      // The server lives exactly as long as the run: no host can fetch anything once apply ends.
      if (pull) {
        log.info({ pull: pull.server.stats() }, 'artifact pull server stopped');
        await pull.close();
      }
    }
    if (result) io.stderr.write(`run ${result.runId}: ${result.journal}\n`);
  } catch (err) {
    // No recap for a run that could not end (a stale plan, the lock, a bug): a clean terminal line.
    consoleReporter.close();
    throw err;
  } finally {
    held?.release();
    await interrupt.finish();
  }
  const code = result ? result.exitCode : (stopped ?? ExitCode.Failed);
  // The recap, --json and the report files: the run's own end, or the preflight gate's stop.
  reporter.finish(result ?? { outcome: stopped === ExitCode.Interrupted ? 'interrupted' : 'failed', reason: 'stopped by the preflight gate before any change', exitCode: code });
  for (const f of files) io.stderr.write(`${f.label}: ${f.save()}\n`);
  finish({
    exitCode: code,
    interrupted: interrupt.interrupted,
    summary: result ? { ...result.summary, outcome: result.outcome, journal: result.journal } : { stoppedBy: 'preflight' },
    results: result ? result.hosts.map((h) => ({ host: h.name, status: h.status, details: h.steps.filter((s) => s.status !== 'ok').map((s) => ({ id: s.id, status: s.status, message: s.message ?? '' })) })) : [],
  });
  run.logger.flush();
  return code;
}

function pullFlagsOf(args: ApplyArgs): string[] {
  return (['pullAddress', 'pullCert', 'pullKey', 'pullPort'] as const).filter((k) => args[k] !== undefined).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}

/** The hosts that pull store artifacts: all with --artifacts pull, none with push, else those whose inventory says `artifacts.transfer: pull`. */
function pullingHosts(args: ApplyArgs, hosts: readonly HostConfig[]): HostConfig[] {
  const pulling = hosts.filter((h) => (args.artifacts ?? h.artifacts?.transfer ?? 'push') === 'pull');
  const flags = pullFlagsOf(args);
  if (!pulling.length && flags.length) {
    throw new InputError(`${flags.join(', ')} only apply when hosts pull their artifacts.`, { field: '--artifacts', hint: 'Add --artifacts pull (or artifacts.transfer: pull in the inventory), or leave them out.' });
  }
  return pulling;
}

function checkPullFlags(args: ApplyArgs): void {
  if (args.artifacts !== undefined && !ARTIFACT_TRANSFERS.includes(args.artifacts)) {
    throw new InputError(`--artifacts ${String(args.artifacts)} is not a way to transfer artifacts.`, { field: '--artifacts', hint: 'Give push (over the session, the default) or pull (hosts download from this workstation).' });
  }
  const pullOnly = pullFlagsOf(args);
  if (args.artifacts === 'push' && pullOnly.length) {
    throw new InputError(`${pullOnly.join(', ')} only apply with --artifacts pull.`, { field: '--artifacts', hint: 'Add --artifacts pull, or leave them out.' });
  }
  if ((args.pullCert === undefined) !== (args.pullKey === undefined)) {
    throw new InputError('--pull-cert and --pull-key go together: the certificate and its private key.', { field: args.pullCert === undefined ? '--pull-cert' : '--pull-key', hint: 'Give both PEM files, or neither (a certificate is made for the run).' });
  }
}

/** `--artifacts pull`: the run's store artifacts served to its hosts; null when no file step's source is one. */
async function startPull(args: ApplyArgs, io: CommandIo, playbook: Awaited<ReturnType<typeof loadRunPlaybook>>, hosts: readonly HostConfig[], log: Log & { info(obj: object, msg?: string): void }, interrupt: RunInterrupt): Promise<PullSession | null> {
  const sources = await pulledSources(playbook, hosts.map((h) => h.name));
  if (!sources.size) {
    io.stderr.write('artifacts pull: no file step of this run has a store artifact as its source; every file is pushed over the session.\n');
    return null;
  }
  const pull = await startPullSession({
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, pullAddress: h.artifacts?.pullAddress })),
    sources,
    settings: { address: args.pullAddress, certFile: args.pullCert, keyFile: args.pullKey, port: args.pullPort },
    onRequest: (r) => log.info({ pullRequest: r }, 'artifact pull request'),
  });
  const release = interrupt.cleanups.register('artifact pull server', () => pull.close());
  const close = pull.close;
  const where = [...pull.server.ports].map(([a, p]) => `${a}:${p}`).join(', ');
  io.stderr.write(`artifact pull server: ${pull.artifacts.length} artifact${pull.artifacts.length === 1 ? '' : 's'} on https://${where} (certificate SHA-256 ${pull.server.thumbprint})\n`);
  return { ...pull, downloadFor: pull.downloadFor, close: async () => { release(); await close(); } };
}

export const applyCommand: CommandModule<object, ApplyArgs> = {
  command: COMMANDS.apply.command,
  describe: COMMANDS.apply.describe,
  builder: (y: Argv<object>) =>
    reportFileOptions(
      playbookRunOptions(y)
        .positional('plan', { type: 'string', describe: 'A saved plan (plan --out FILE) to apply instead of planning again' })
        .option('resume', { type: 'string', describe: 'Continue an interrupted run: the latest of this inventory, or the run id given' })
        .option('check', { type: 'boolean', default: false, describe: 'Change nothing: the same as plan' })
        .option('accept-warnings', { type: 'boolean', default: false, describe: 'Go ahead when preflight only warns' })
        .option('skip-preflight', { type: 'boolean', default: false, describe: 'Do not run the preflight gate first (hosts already checked, or the local transport off Windows)' })
        .option('artifacts', { type: 'string', choices: ['push', 'pull'], describe: 'How store artifacts reach the hosts: push over the session (default), or pull from an HTTPS server apply runs here (docs/artifacts.md)' })
        .option('pull-address', { type: 'string', describe: 'With --artifacts pull: the address hosts reach this workstation by (default: its address on the route to each host)' })
        .option('pull-port', { type: 'number', describe: 'With --artifacts pull: the port to serve on (default: a free one)' })
        .option('pull-cert', { type: 'string', describe: 'With --artifacts pull: a PEM certificate to serve with (default: one made for the run); hosts pin its SHA-256' })
        .option('pull-key', { type: 'string', describe: 'With --artifacts pull: the PEM private key of --pull-cert' }),
      'one testcase per host x step',
    )
      .example('$0 apply -i site.yaml', 'Preflight, then apply playbooks/cortex.yaml')
      .example('$0 apply -i site.yaml -p playbooks/upgrade.yaml --accept-warnings', 'Another playbook; preflight warnings accepted')
      .example('$0 apply plan.json', 'Apply a saved plan (refused if a host changed since)')
      .example('$0 apply -i site.yaml --resume', 'Continue the interrupted run; finished steps are not redone')
      .example('$0 apply -i site.yaml --limit app1 --json', 'One host, the result as JSON')
      .example('$0 apply -i site.yaml --artifacts pull', 'Hosts download the store artifacts from this workstation over HTTPS')
      .epilogue('Exit codes: 0 every step ok or changed, 1 a step or the preflight gate failed, 2 a host unreachable, 3 invalid input (inventory, playbook, flags, a stale saved plan, another apply holding the lock), 130 interrupted (docs/exit-codes.md). Runs: cortex-deploy runs list.') as unknown as Argv<ApplyArgs>,
  handler: async (argv) => {
    const color = (argv as { color?: boolean }).color !== false && !process.env.NO_COLOR && process.stderr.isTTY === true;
    (argv as unknown as { exitCode: number }).exitCode = await runApplyCommand(argv, { stdout: process.stdout, stderr: process.stderr, color });
  },
};

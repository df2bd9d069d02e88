/**
 * `cortex-deploy plan -i INV [-p PLAYBOOK] [--json] [--detailed-exitcode] [--out FILE]`: what apply
 * would change, per host and step, read-only (docs/playbooks.md). Per host one session: the facts
 * probe when a condition reads facts, then one Test batch; the diff is the planner's (pure).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { InputError, exitCodeOf } from '../../errors.js';
import { readHosts } from '../../engine/agent/read-hosts.js';
import { buildPlan, type Plan, type Readings } from '../../engine/plan/plan.js';
import { planExitCode } from '../../engine/plan/exit-code.js';
import { planLines } from '../../engine/plan/text.js';
import { savePlan, savedPlanText } from '../../engine/plan/saved-plan.js';
import type { Playbook } from '../../engine/playbook/types.js';
import { ExitCode } from '../../exit-codes.js';
import type { HostConfig, Inventory } from '../../inventory/types.js';
import { RunInterrupt } from '../../lifecycle/interrupt.js';
import { consoleLine } from '../../report/console-text.js';
import { redact } from '../../secrets/registry.js';
import { DIGEST_TYPES, resolveStepSecrets, withSecretDigests } from '../../engine/agent/step-secrets.js';
import type { ResolvedConnection } from '../../connection/settings.js';
import { hostAgents } from '../host-agents.js';
import { checkReportPath, checkReportPaths, reportFileOptions, type ReportFileArgs } from '../report-paths.js';
import { renderPlanHtml, renderPlanJson, renderPlanJunit } from '../../report/plan-reports.js';
import type { PlaybookRunMeta } from '../../report/meta.js';
import { toolVersion } from '../../version.js';
import { operatorName } from '../../runs/record.js';
import { prepareHostRun, type HostRunIo } from '../host-run.js';
import { inputsOf, loadRunPlaybook, playbookHosts, playbookRunOptions, type PlaybookRunArgs } from '../playbook-run.js';

export interface PlanArgs extends PlaybookRunArgs, ReportFileArgs {
  detailedExitcode?: boolean | undefined;
  out?: string | undefined;
}

/** Write a report (or saved plan) file, creating its folder; an InputError naming the flag when it cannot. */
export function writeOutputFile(flag: string, file: string, text: string): string {
  const path = resolve(file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { field: flag, hint: 'Check the path and its permissions.' });
  }
  return path;
}

export interface CommandIo extends HostRunIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  interrupt?: RunInterrupt;
}

/** Read every host through its agent (one session each, closed after). */
export async function readWorld(o: { inventory: Inventory; playbook: Playbook; hosts: readonly HostConfig[]; connections: ReadonlyMap<string, ResolvedConnection>; interrupt: RunInterrupt; log: Parameters<typeof hostAgents>[0]['log']; args: PlaybookRunArgs }): Promise<Readings> {
  const { agents, closeAll } = hostAgents({
    hosts: o.hosts,
    playbook: o.playbook,
    connections: o.connections,
    // Plans run no Set: step secrets are not needed (nor prompted for).
    secrets: { count: 0, paramsFor: (_s, _h, p) => p },
    interrupt: o.interrupt,
    log: o.log,
    scriptTimeoutMs: Math.round(o.args.timeout * 1000),
    acceptNewHostKeys: o.args.acceptNewHostKeys === true,
    exitGracefully: false,
  });
  try {
    return await readHosts({ inventory: o.inventory, playbook: o.playbook, agents, hosts: o.hosts.map((h) => h.name), forks: o.args.forks, signal: o.interrupt.signal });
  } finally {
    await closeAll();
  }
}

export function newInterrupt(io: CommandIo): RunInterrupt {
  return io.interrupt ?? new RunInterrupt({ notify: (line) => io.stderr.write(`\n${consoleLine(line)}\n`) }).install();
}

export async function runPlanCommand(args: PlanArgs, io: CommandIo): Promise<number> {
  if (!args.inventory) throw new InputError('plan needs an inventory: -i FILE.', { field: '--inventory' });
  if (args.out !== undefined && args.out.trim() === '') throw new InputError('--out needs a file name.', { field: '--out' });
  if (args.out !== undefined) checkReportPath('--out', args.out);
  checkReportPaths(args);
  const { inventory, hosts: selected, run, log, connections, finish } = await prepareHostRun(args, io, 'plan');
  try {
    return await planPrepared(args, io, { inventory, selected, run, log, connections, finish });
  } catch (err) {
    finish({ exitCode: exitCodeOf(err), interrupted: false, summary: { error: err instanceof Error ? err.message : String(err) }, results: [] });
    run.logger.flush();
    throw err;
  }
}

type Prepared = Pick<Awaited<ReturnType<typeof prepareHostRun>>, 'inventory' | 'run' | 'log' | 'connections' | 'finish'> & { selected: HostConfig[] };

async function planPrepared(args: PlanArgs, io: CommandIo, { inventory, selected, run, log, connections, finish }: Prepared): Promise<number> {
  const startedAt = new Date().toISOString();
  const loaded = await loadRunPlaybook(args.playbook, inventory, args.store);
  const hosts = playbookHosts(loaded, selected);
  // Only the secrets a diff compares through their SHA-256 (erlang_cookie); the others wait for apply.
  const playbook = withSecretDigests(loaded, await resolveStepSecrets(loaded, hosts.map((h) => h.name), DIGEST_TYPES));
  const interrupt = newInterrupt(io);
  let readings: Readings;
  try {
    readings = await readWorld({ inventory, playbook, hosts, connections, interrupt, log, args });
  } finally {
    await interrupt.finish();
  }
  const plan = buildPlan(inventory, playbook, readings, undefined, new Set(hosts.map((h) => h.name)));
  const code = interrupt.interrupted ? ExitCode.Interrupted : planExitCode(plan, args.detailedExitcode === true);
  const meta: PlaybookRunMeta = { inventory: inventory.file, playbook: playbook.file, toolVersion: toolVersion(), runId: run.runId, startedAt, operator: operatorName() };
  writePlan(plan, args, io, meta);
  if (args.reportJson) io.stderr.write(`JSON report: ${writeOutputFile('--report-json', args.reportJson, renderPlanJson(plan, meta))}\n`);
  if (args.reportJunit) io.stderr.write(`JUnit report: ${writeOutputFile('--report-junit', args.reportJunit, renderPlanJunit(plan))}\n`);
  if (args.reportHtml) io.stderr.write(`HTML report: ${writeOutputFile('--report-html', args.reportHtml, renderPlanHtml(plan, meta))}\n`);
  if (args.out !== undefined && !interrupt.interrupted) {
    const saved = savePlan(playbook, plan, readings, inputsOf(playbook, inventory, args.store), new Date());
    const path = writeOutputFile('--out', args.out, savedPlanText(saved));
    io.stderr.write(`Plan saved to ${path}; apply it with: cortex-deploy apply ${args.out}\n`);
  }
  log.info({ summary: plan.summary, exitCode: code }, 'plan finished');
  finish({
    exitCode: code,
    interrupted: interrupt.interrupted,
    summary: plan.summary,
    results: hosts.map((h) => ({
      host: h.name,
      status: plan.problems.some((p) => p.host === h.name && p.kind === 'unreachable') ? 'unreachable' : plan.problems.some((p) => p.host === h.name) ? 'error' : plan.changes.some((c) => c.host === h.name && c.action !== 'none') ? 'changes' : 'ok',
      details: plan.changes.filter((c) => c.host === h.name && c.action !== 'none').map((c) => ({ id: c.step, status: c.action, message: c.resource })),
    })),
  });
  run.logger.flush();
  return code;
}

export function writePlan(plan: Plan, args: { json: boolean }, io: CommandIo, meta?: PlaybookRunMeta): void {
  if (args.json) io.stdout.write(renderPlanJson(plan, meta));
  else io.stdout.write(`${planLines(plan).map((l) => redact(consoleLine(l))).join('\n')}\n`);
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: COMMANDS.plan.command,
  describe: COMMANDS.plan.describe,
  builder: (y: Argv<object>) =>
    reportFileOptions(
      playbookRunOptions(y)
        .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'As Terraform: exit 0 no changes, 2 changes, 1 any error (unreachable included)' })
        .option('out', { type: 'string', describe: 'Save the plan to FILE; `apply FILE` applies it if nothing has drifted' }),
      'a testcase per host x step; a pending change passes',
    )
      .example('$0 plan -i site.yaml', 'What apply would do with playbooks/cortex.yaml')
      .example('$0 plan -i site.yaml -p playbooks/upgrade.yaml --limit app --json', 'The app servers only, as JSON')
      .example('$0 plan -i site.yaml --out plan.json && $0 apply plan.json', 'Review a plan, then apply exactly it')
      .example('$0 plan -i site.yaml --detailed-exitcode', 'In CI: 0 in sync, 2 changes pending, 1 error')
      .epilogue('Output: per host and step "+ create", "~ update (from → to)", "= unchanged", then a summary. Exit codes: 0 planned, 1 a step could not be planned, 2 a host unreachable, 3 invalid inventory, playbook or flags (docs/exit-codes.md).') as unknown as Argv<PlanArgs>,
  handler: async (argv) => {
    const color = (argv as { color?: boolean }).color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
    (argv as unknown as { exitCode: number }).exitCode = await runPlanCommand(argv, { stdout: process.stdout, stderr: process.stderr, color });
  },
};

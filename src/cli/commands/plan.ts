/**
 * `cortex-deploy plan -i INV [-p PLAYBOOK] [--json] [--detailed-exitcode] [--out FILE]`: what apply
 * would change, per host and step, read-only (docs/playbooks.md). Per host one session: the facts
 * probe when a condition reads facts, then one Test batch; the diff is the planner's (pure).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError, exitCodeOf } from '../../errors.js';
import { readHosts } from '../../engine/agent/read-hosts.js';
import { buildPlan, planDocument, type Plan, type Readings } from '../../engine/plan/plan.js';
import { planExitCode } from '../../engine/plan/exit-code.js';
import { planLines } from '../../engine/plan/text.js';
import { savePlan, savedPlanText } from '../../engine/plan/saved-plan.js';
import type { Playbook } from '../../engine/playbook/types.js';
import { ExitCode } from '../../exit-codes.js';
import type { HostConfig, Inventory } from '../../inventory/types.js';
import { RunInterrupt } from '../../lifecycle/interrupt.js';
import { consoleLine } from '../../report/console-text.js';
import { redact } from '../../secrets/registry.js';
import type { ResolvedConnection } from '../../connection/settings.js';
import { hostAgents } from '../host-agents.js';
import { prepareHostRun, type HostRunIo } from '../host-run.js';
import { inputsOf, loadRunPlaybook, playbookHosts, playbookRunOptions, type PlaybookRunArgs } from '../playbook-run.js';

export interface PlanArgs extends PlaybookRunArgs {
  detailedExitcode?: boolean | undefined;
  out?: string | undefined;
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
  const playbook = await loadRunPlaybook(args.playbook, inventory);
  const hosts = playbookHosts(playbook, selected);
  const interrupt = newInterrupt(io);
  let readings: Readings;
  try {
    readings = await readWorld({ inventory, playbook, hosts, connections, interrupt, log, args });
  } finally {
    await interrupt.finish();
  }
  const plan = buildPlan(inventory, playbook, readings, undefined, new Set(hosts.map((h) => h.name)));
  const code = interrupt.interrupted ? ExitCode.Interrupted : planExitCode(plan, args.detailedExitcode === true);
  writePlan(plan, args, io);
  if (args.out !== undefined && !interrupt.interrupted) {
    const path = resolve(args.out);
    const saved = savePlan(playbook, plan, readings, inputsOf(playbook, inventory), new Date());
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, savedPlanText(saved));
    } catch (err) {
      throw new InputError(`cannot write the plan ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { field: '--out' });
    }
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

export function writePlan(plan: Plan, args: { json: boolean }, io: CommandIo): void {
  if (args.json) io.stdout.write(`${JSON.stringify(planDocument(plan), null, 2)}\n`);
  else io.stdout.write(`${planLines(plan).map((l) => redact(consoleLine(l))).join('\n')}\n`);
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan',
  describe: 'Show what apply would change, per host and step (read-only)',
  builder: (y: Argv<object>) =>
    playbookRunOptions(y)
      .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'As Terraform: exit 0 no changes, 2 changes, 1 any error (unreachable included)' })
      .option('out', { type: 'string', describe: 'Save the plan to FILE; `apply FILE` applies it if nothing has drifted' })
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

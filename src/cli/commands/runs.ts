/**
 * `cortex-deploy runs list | runs show RUN` (docs/runs.md): past runs from .cortex/runs/ of the current
 * folder. list: one line per run, newest first. show: the summary, the hosts, each host's findings
 * (preflight), results (exec) or steps (apply), and the command line as run, secrets redacted.
 */
import pc from 'picocolors';
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { consoleLine } from '../../report/console-text.js';
import { redact, redactDeep } from '../../secrets/registry.js';
import { listRuns, showRun, type RunView } from '../../runs/history.js';
import { ExitCode } from '../../exit-codes.js';

export interface RunsIo {
  stdout: { write(s: string): unknown };
  color: boolean;
  /** Folder holding .cortex/ (default: the current directory). */
  root?: string;
}

function outcome(r: RunView): string {
  if (r.problem) return 'unreadable';
  if (r.status === 'running') return 'running (or stopped without finishing)';
  return r.status === 'interrupted' ? `interrupted, exit ${r.exitCode ?? 130}` : `exit ${r.exitCode ?? '?'}`;
}

export function renderRunList(runs: RunView[], color: boolean): string {
  const c = pc.createColors(color);
  if (runs.length === 0) return 'No runs recorded here (.cortex/runs/ is empty or missing).\n';
  const rows = runs.map((r) => [r.runId, r.command, r.startedAt.replace('T', ' ').slice(0, 19), `${r.hosts.length} host${r.hosts.length === 1 ? '' : 's'}`, outcome(r), r.inventory]);
  const head = ['RUN', 'COMMAND', 'STARTED (UTC)', 'HOSTS', 'RESULT', 'INVENTORY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${c.bold(line(head))}\n${rows.map((row) => consoleLine(line(row))).join('\n')}\n`;
}

export function renderRunShow(r: RunView, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  out.push(`${c.bold('run')}       ${r.runId}`);
  if (r.problem) {
    out.push(`${c.red('unreadable')}: ${r.problem}`);
    return `${out.map(consoleLine).join('\n')}\n`;
  }
  out.push(`command   cortex-deploy ${r.commandLine.join(' ')}`);
  if (r.inventory) out.push(`inventory ${r.inventory}`);
  out.push(`started   ${r.startedAt}${r.finishedAt ? `  finished ${r.finishedAt}` : ''}`);
  if (r.operator) out.push(`operator  ${r.operator}${r.toolVersion ? `  (cortex-deploy ${r.toolVersion})` : ''}`);
  out.push(`result    ${outcome(r)}`);
  if (r.summary) out.push(`summary   ${Object.entries(r.summary).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  out.push(`hosts     ${r.hosts.join(', ')}`);
  if (r.script !== undefined) out.push(`script    ${r.script}`);
  for (const h of r.results ?? []) {
    out.push('', `${c.bold(h.host)}  ${h.status}`);
    for (const d of h.details) out.push(`  ${d.status.padEnd(8)} ${d.id}${d.message ? `  ${d.message}` : ''}`);
  }
  return `${redact(out.map(consoleLine).join('\n'))}\n`;
}

export function runRunsList(args: { json: boolean }, io: RunsIo): number {
  const runs = listRuns(io.root ?? process.cwd());
  io.stdout.write(args.json ? `${JSON.stringify(redactDeep({ runs }), null, 2)}\n` : renderRunList(runs, io.color));
  return ExitCode.Ok;
}

export function runRunsShow(args: { run: string; json: boolean }, io: RunsIo): number {
  const run = showRun(io.root ?? process.cwd(), args.run);
  io.stdout.write(args.json ? `${JSON.stringify(redactDeep(run), null, 2)}\n` : renderRunShow(run, io.color));
  return run.problem ? ExitCode.Failed : ExitCode.Ok;
}

const color = (argv: object) => (argv as { color?: boolean }).color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;

export const runsCommand: CommandModule = {
  command: COMMANDS.runs.command,
  describe: COMMANDS.runs.describe,
  builder: (y: Argv) =>
    y
      .command({
        command: 'list',
        describe: 'One line per run, newest first',
        builder: (yy: Argv) =>
          yy
            .option('json', { type: 'boolean', default: false, describe: 'Print {runs:[...]} on stdout' })
            .example('$0 runs list', 'Runs started from this folder')
            .example('$0 runs list --json', 'As JSON, for scripts'),
        handler: (argv) => {
          (argv as { exitCode?: number }).exitCode = runRunsList({ json: argv.json === true }, { stdout: process.stdout, color: color(argv) });
        },
      })
      .command({
        command: 'show <run>',
        describe: 'One run: command line (secrets redacted), summary, hosts, findings or steps',
        builder: (yy: Argv) =>
          yy
            .positional('run', { type: 'string', demandOption: true, describe: 'Run id (as printed when the run started), or a unique prefix of it' })
            .option('json', { type: 'boolean', default: false, describe: 'Print the run record on stdout' })
            .example('$0 runs show 20261202-055112-ab12cd', 'The whole run')
            .example('$0 runs show 20261202-0551 --json', 'By a unique prefix, as JSON'),
        handler: (argv) => {
          (argv as { exitCode?: number }).exitCode = runRunsShow({ run: String(argv.run), json: argv.json === true }, { stdout: process.stdout, color: color(argv) });
        },
      })
      .demandCommand(1, 'Name a subcommand: runs list or runs show RUN.')
      .example('$0 runs list', 'Past runs, newest first')
      .example('$0 runs show RUN', 'One run in full')
      .epilogue('Runs are recorded under .cortex/runs/<run-id>/ of the folder a command was run from: docs/runs.md.'),
  handler: () => undefined,
};

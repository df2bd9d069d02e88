/**
 * The commands of the CLI by name, with what `--help` and completion show of each, and how to load
 * its module. main.ts imports only the module of the command that runs: loading every command's
 * module (and through them the transports, the lab, the engine, the report renderers) took most of
 * the CLI's start (docs/benchmarks.md). Each command module takes its `command` and `describe` from
 * here, so the top-level help and the module never disagree.
 */
import type { CommandModule } from 'yargs';

export interface CommandEntry {
  /** The yargs command string (name, then positionals). */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<CommandModule<object, never>>;
}

// Widened once here: each module's CommandModule has its own argument type.
const loaded = <T>(m: Promise<T>) => m as unknown as Promise<CommandModule<object, never>>;

/**
 * zod without its compiled fast path (`new Function` per object schema), for the short commands: they
 * parse each schema a few times, so compiling costs more than it saves (about a third of the time to
 * load an inventory and a playbook). preflight, apply and the lab parse the same schemas once per host
 * or request, thousands of times at scale, and keep it. Set before the command's module builds its
 * schemas; the results are the same either way.
 */
async function schemasJitless(): Promise<void> {
  const { config } = await import('zod');
  config({ jitless: true });
}

const withSchemas = <T>(load: () => Promise<T>): Promise<T> => schemasJitless().then(load);

/** In the order `--help` lists them. */
export const COMMANDS = {
  inventory: {
    command: 'inventory',
    describe: 'Check an inventory (topology rules) or print its JSON Schema',
    load: () => loaded(withSchemas(() => import('./inventory.js').then((m) => m.inventoryCommand))),
  },
  preflight: {
    command: 'preflight',
    describe: 'Probe every host read-only and report whether it is ready for the install',
    load: () => loaded(import('./preflight.js').then((m) => m.preflightCommand)),
  },
  plan: {
    command: 'plan',
    describe: 'Show what apply would change, per host and step (read-only)',
    load: () => loaded(withSchemas(() => import('./plan.js').then((m) => m.planCommand))),
  },
  apply: {
    command: 'apply [plan]',
    describe: 'Install or upgrade per the playbook: idempotent, journaled, resumable',
    load: () => loaded(import('./apply.js').then((m) => m.applyCommand)),
  },
  exec: {
    command: 'exec [script..]',
    describe: 'Run ad-hoc PowerShell on hosts in parallel (text after --)',
    load: () => loaded(withSchemas(() => import('./exec.js').then((m) => m.execCommand))),
  },
  lab: {
    command: 'lab <command>',
    describe: 'Simulated Windows Server hosts on loopback addresses (docs/lab.md)',
    load: () => loaded(import('./lab.js').then((m) => m.labCommand)),
  },
  runs: {
    command: 'runs',
    describe: 'Past runs recorded in .cortex/runs/ (list, show)',
    load: () => loaded(withSchemas(() => import('./runs.js').then((m) => m.runsCommand))),
  },
  completion: {
    command: 'completion <shell>',
    describe: 'Print a shell completion script (bash, zsh, powershell)',
    load: () => loaded(import('./completion.js').then((m) => m.completionCommand)),
  },
  artifacts: {
    command: 'artifacts',
    describe: 'The artifact store: installers with their SHA-256 and size (add, verify)',
    load: () => loaded(withSchemas(() => import('./artifacts.js').then((m) => m.artifactsCommand))),
  },
} as const satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;

/**
 * The command a command line names: its first word that is not an option. For `--get-yargs-completions APP WORDS...` (shell completion), the first such word
 * after APP, so that completing a command's options loads that command. Undefined when the line
 * names no known command (top-level help, --version, a typo). The global options are all flags;
 * should a line still fool this (`--color false plan`), the command loads lazily all the same.
 */
export function commandNamed(argv: readonly string[]): CommandName | undefined {
  let words = argv;
  const completing = argv.indexOf('--get-yargs-completions');
  if (completing >= 0) words = argv.slice(completing + 2);
  for (const w of words) {
    if (w === '--') return undefined;
    if (w.startsWith('-')) continue;
    return Object.hasOwn(COMMANDS, w) ? (w as CommandName) : undefined;
  }
  return undefined;
}

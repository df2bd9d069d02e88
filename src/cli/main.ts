#!/usr/bin/env node
/**
 * cortex-deploy entry point: yargs wiring, one module per command under ./commands/, and the single
 * place where errors become exit codes (exit-codes.ts). Only the module of the command that runs is
 * loaded (commands/catalog.ts): the others are names and descriptions for --help and completion.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, exitCodeDescriptions } from '../exit-codes.js';
import { CortexError, exitCodeOf } from '../errors.js';
import { redact } from '../secrets/registry.js';
import { consoleText } from '../report/console-text.js';
import { toolVersion } from '../version.js';
import { COMMANDS, commandNamed, type CommandEntry } from './commands/catalog.js';
import { tolerateClosedPipes } from './closed-pipe.js';

const exitCodesEpilogue = [
  'Exit codes:',
  ...Object.entries(exitCodeDescriptions).map(([code, text]) => `  ${code}  ${text}`),
  '',
  'Docs: docs/README.md',
].join('\n');

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const named = commandNamed(argv);
  const running = named === undefined ? undefined : await COMMANDS[named].load();
  const parser = yargs(argv)
    .scriptName('cortex-deploy')
    .usage('$0 <command> [options]\n\nInstall and upgrade the Cortex platform on Windows Server hosts over WinRM or SSH.')
    .command(Object.entries(COMMANDS).map(([name, entry]) => (name === named && running ? running : lazyCommand(entry))))
        // Answers --get-yargs-completions for the scripts `completion` prints; the command itself is hidden.
    .completion('yargs-completion', false)
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Readable log lines on the terminal' })
    .option('color', { type: 'boolean', default: true, describe: 'Colour on a TTY (--no-color or NO_COLOR to turn off)' })
    .example('$0 inventory check -i site.yaml', 'Check the topology before touching any host')
    .example('$0 preflight -i site.yaml --report-html preflight.html', 'Read-only probes of every host, with a report')
    .example('$0 plan -i site.yaml', 'What apply would change, per host and step')
    .example('$0 apply -i site.yaml', 'Install or upgrade: preflight gate, then the playbook; resumable')
    .example("$0 exec -i site.yaml --limit app1 -- 'Get-Service RabbitMQ'", 'Ad-hoc PowerShell on some hosts')
    .example('$0 runs list', 'Past runs and their results; runs show RUN for one')
    .example('$0 lab up -i examples/lab/inventory.yaml --detach', 'Start simulated Windows hosts')
    .epilogue(exitCodesEpilogue)
    .demandCommand(1, 'Name a command: see --help.')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .middleware((args) => {
      if (args.color === false || process.env.NO_COLOR) process.env.NO_COLOR = '1';
    })
    .help()
    .alias('help', 'h')
    // Given, not looked up: yargs would search the folders above for a package.json on every run.
    .version(toolVersion())
    // Every text of the CLI is English, yargs' own ("Options:", "Unknown argument") too: its translations
    // (node_modules/yargs/locales) are not part of the bundle (rolldown.config.mjs).
    .locale('en');
  skipHelpCaching(parser);
  try {
    const result = (await parser.parseAsync()) as { exitCode?: number };
    if (typeof result.exitCode === 'number') exitCode = result.exitCode;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cortex-deploy: ${consoleText(err.message)}\nRun with --help for usage.\n`);
      return ExitCode.InvalidInput;
    }
    exitCode = exitCodeOf(err);
    const message = err instanceof CortexError ? err.message : `internal error: ${(err as Error)?.stack ?? String(err)}`;
    process.stderr.write(`cortex-deploy: ${consoleText(redact(message))}\n`);
  }
  return exitCode;
}

class UsageError extends Error {}

/**
 * yargs renders the running command's whole help text (every option and example, wrapped) right after
 * starting its handler, in case the run later fails and shows help: 50–200 ms of CPU on the way to
 * the first host, for a text never shown (.fail() above never shows help; --help renders its own).
 * The cache has no public switch: its internal method is replaced when it is there, and left alone
 * otherwise (help stays correct either way; only the time is at stake).
 */
function skipHelpCaching(parser: object): void {
  const usage = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * A command main() did not load up front: its name and description for --help and completion, and
 * its module loaded should yargs run it after all (a command line commandNamed() read otherwise).
 */
function lazyCommand(entry: CommandEntry): CommandModule<object, never> {
  return {
    command: entry.command,
    describe: entry.describe,
    builder: async (y: Argv<object>): Promise<Argv<never>> => {
      const { builder } = await entry.load();
      return (typeof builder === 'function' ? builder(y) : y.options(builder ?? {})) as Argv<never>;
    },
    handler: async (argv) => (await entry.load()).handler(argv),
  };
}

/**
 * Command handlers set the exit code on their argv (`argv.exitCode = n`), so the handler stays
 * testable and main() stays the one place that ends the process.
 */
tolerateClosedPipes();
// Not a top-level await: the bundle is CommonJS (rolldown.config.mjs), which has none.
void main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
  // An interrupted run has closed what it opened; should anything still hold the event loop, end anyway.
  if (code === ExitCode.Interrupted) setTimeout(() => process.exit(code), 2000).unref();
});

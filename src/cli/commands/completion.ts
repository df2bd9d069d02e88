/** `cortex-deploy completion bash|zsh|powershell`: print the shell's completion script (docs/completion.md). */
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './catalog.js';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion.js';

export const completionCommand: CommandModule<object, { shell: CompletionShell }> = {
  command: COMMANDS.completion.command,
  describe: COMMANDS.completion.describe,
  builder: (y: Argv<object>) =>
    y
      .positional('shell', { choices: COMPLETION_SHELLS, demandOption: true, describe: 'The shell to complete in' })
      .example('$0 completion bash >> ~/.bashrc', 'Bash: commands, subcommands and options on Tab')
      .example('$0 completion zsh >> ~/.zshrc', 'zsh')
      .example('$0 completion powershell >> $PROFILE', 'PowerShell 5.1 or 7')
      .epilogue('Open a new shell after installing. Details: docs/completion.md.') as unknown as Argv<{ shell: CompletionShell }>,
  handler: (argv) => {
    process.stdout.write(completionScript(argv.shell));
  },
};

import type { CommandModule } from 'yargs';
import { InternalError } from '../../errors.js';

// Placeholder until its issue lands: the command exists so --help lists it.
export const execCommand: CommandModule = {
  command: 'exec',
  describe: 'exec (not yet implemented)',
  handler: () => {
    throw new InternalError('exec is not implemented yet');
  },
};

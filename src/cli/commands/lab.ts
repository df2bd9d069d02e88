import type { CommandModule } from 'yargs';
import { InternalError } from '../../errors.js';

// Placeholder until its issue lands: the command exists so --help lists it.
export const labCommand: CommandModule = {
  command: 'lab',
  describe: 'lab (not yet implemented)',
  handler: () => {
    throw new InternalError('lab is not implemented yet');
  },
};

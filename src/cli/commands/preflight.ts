import type { CommandModule } from 'yargs';
import { InternalError } from '../../errors.js';

// Placeholder until its issue lands: the command exists so --help lists it.
export const preflightCommand: CommandModule = {
  command: 'preflight',
  describe: 'preflight (not yet implemented)',
  handler: () => {
    throw new InternalError('preflight is not implemented yet');
  },
};

import type { CommandModule } from 'yargs';
import { InternalError } from '../../errors.js';

// Placeholder until its issue lands: the command exists so --help lists it.
export const inventoryCommand: CommandModule = {
  command: 'inventory',
  describe: 'inventory (not yet implemented)',
  handler: () => {
    throw new InternalError('inventory is not implemented yet');
  },
};

/**
 * The script runner on a real pwsh through the local transport (a child process on this machine).
 */
import { dirname } from 'node:path';
import { openLocalSession } from '../../src/transport/local/index.js';
import { pwshLookup } from '../helpers/pwsh.js';
import { describeRealRunner } from './real-pwsh-suite.js';

describeRealRunner('local transport', async () => {
  const session = await openLocalSession({ name: 'workstation', address: 'localhost' }, { searchPath: dirname(pwshLookup.path ?? '/nonexistent/pwsh') });
  return { session, cleanup: () => session.close() };
});

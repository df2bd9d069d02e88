/**
 * The Session contract for the in-memory fake the runner's unit tests use (test/fakes/), so what
 * those tests assume of a Session holds for the real transports too.
 */
import { FakeSession } from '../fakes/fake-session.js';
import { describeSessionContract } from './contract.js';
import { contractDispatcher } from './contract-program.mjs';

describeSessionContract(
  'in-memory fake (test/fakes/fake-session.ts)',
  async () => {
    const session = new FakeSession({ name: 'fake1', address: '127.0.70.250' }, contractDispatcher);
    return { session, cleanup: () => session.close() };
  },
  { largeExitCodes: true, concurrentSpawns: true },
);

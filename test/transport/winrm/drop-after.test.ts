/**
 * A lab host that drops the connection at its Nth HTTP request, for every N a preflight-sized
 * exchange reaches: the awaited call either succeeds or fails with a CortexError, and nothing is
 * left as an unhandled rejection (whoever starts a request owns its failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import type { RunningLab } from '../../../src/lab/lab.js';
import { loadScript } from '../../../src/runner/index.js';
import { closeRunner, openRunner, startTestLab } from '../../lab/helpers.js';

const N = Array.from({ length: 14 }, (_, i) => i);
const hosts = N.map((n) => ({
  name: `drop-${n}`,
  address: `127.0.91.${n + 1}`,
  lab: { powershellStartMs: 0, faults: { dropAfterRequests: n } },
}));
let lab: RunningLab;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  lab = await startTestLab(hosts);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await lab?.stop();
});

describe('connection dropped at request N', () => {
  it('every N: success or a CortexError on the awaited call, never an unhandled rejection', async () => {
    const outcomes = await Promise.all(
      hosts.map(async (h) => {
        try {
          const r = await openRunner(h, { requestTimeoutMs: 5000 });
          try {
            await r.runData(loadScript('probes.ping'));
            await r.runData(loadScript('probes.ping'));
          } finally {
            await closeRunner(r);
          }
          return 'ok';
        } catch (e) {
          expect(e).toBeInstanceOf(CortexError);
          return (e as Error).constructor.name;
        }
      }),
    );
    // Let any stray rejection surface before judging.
    await new Promise((r) => setTimeout(r, 200));
    expect(unhandled.map((e) => String(e))).toEqual([]);
    expect(outcomes.length).toBe(hosts.length);
  }, 60_000);
});

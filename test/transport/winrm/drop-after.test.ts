/**
 * A lab host that drops the connection at its Nth HTTP request, for every N a preflight-sized
 * exchange reaches: the awaited call either succeeds or fails with a CortexError, and nothing is
 * left as an unhandled rejection (whoever starts a request owns its failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import type { RunningLab } from '../../../src/lab/lab.js';
import { loadScript, ScriptRunner } from '../../../src/runner/index.js';
import { closeRunner, openRunner, startTestLab } from '../../lab/helpers.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const N = Array.from({ length: 14 }, (_, i) => i);
const hostsFor = (kind: string, base: number) =>
  N.map((n) => ({
    name: `drop-${kind}-${n}`,
    address: `${net.prefix}${base + n + 1}`,
    lab: { powershellStartMs: 0, faults: { dropAfterRequests: n } },
  }));
const sequential = hostsFor('seq', 0);
const pipelined = hostsFor('pipe', 20);
const hosts = [...sequential, ...pipelined];
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
      sequential.map(async (h) => {
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
    expect(outcomes.length).toBe(sequential.length);
  }, 60_000);

  it('the same with both scripts pipelined (as preflight runs its probes)', async () => {
    const outcomes = await Promise.all(
      pipelined.map(async (h) => {
        const r = await openRunner(h, { requestTimeoutMs: 5000 }).catch((e: unknown) => e);
        if (!(r instanceof ScriptRunner)) {
          expect(r).toBeInstanceOf(CortexError);
          return ['connect failed'];
        }
        try {
          const runs = r.runPipelined([{ script: loadScript('probes.ping') }, { script: loadScript('probes.ping') }]);
          const settled = await Promise.allSettled(runs);
          return settled.map((s) => {
            if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(CortexError);
            return s.status;
          });
        } finally {
          await closeRunner(r);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(unhandled.map((e) => String(e))).toEqual([]);
    // Dropping late enough lets both finish; dropping early fails them (never half-owned).
    expect(outcomes.at(-1)).toEqual(['fulfilled', 'fulfilled']);
  }, 60_000);
});

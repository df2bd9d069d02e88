/** The one fan-out over hosts (src/lifecycle/fan-out.ts) that preflight, exec and apply share. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORKS, HostDeadlineError, checkForks, fanOut, forEachLimit } from '../../src/lifecycle/fan-out.js';
import { InputError } from '../../src/errors.js';

const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fanOut', () => {
  it('runs at most `forks` hosts at once, starts them in order, returns results in order', async () => {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const finished: string[] = [];
    const results = await fanOut({
      hosts,
      forks: 3,
      notStarted: (h) => `${h}:not-started`,
      run: async (h) => {
        running++;
        most = Math.max(most, running);
        // Later hosts finish sooner: the result order must still be the hosts' order.
        await tick(2 * (hosts.length - hosts.indexOf(h)));
        running--;
        return `${h}:done`;
      },
      onStarted: (h) => started.push(h),
      onFinished: (h, r) => finished.push(`${h}=${r}`),
    });
    expect(most).toBe(3);
    expect(started).toEqual(hosts);
    expect(results).toEqual(hosts.map((h) => `${h}:done`));
    expect(finished.sort()).toEqual(hosts.map((h) => `${h}=${h}:done`).sort());
  });

  it('after the run signal aborts, no host starts: the rest get their not-started outcome and a finish event', async () => {
    const ac = new AbortController();
    const started: string[] = [];
    const finished: string[] = [];
    const results = await fanOut({
      hosts,
      forks: 2,
      signal: ac.signal,
      notStarted: (h) => `${h}:not-started`,
      run: async (h, work) => {
        if (h === 'h2') ac.abort(new Error('interrupted by SIGINT'));
        await tick(5);
        // Running hosts see the interrupt on their own signal.
        return work.signal.aborted ? `${h}:stopped` : `${h}:done`;
      },
      onStarted: (h) => started.push(h),
      onFinished: (h) => finished.push(h),
    });
    expect(started).toEqual(['h1', 'h2']);
    expect(results).toEqual(['h1:stopped', 'h2:stopped', ...hosts.slice(2).map((h) => `${h}:not-started`)]);
    expect(finished.sort()).toEqual([...hosts].sort());
  });

  it('a host keeps its fork until what it holds (its session closing) settles, after its result is reported', async () => {
    const events: string[] = [];
    let releaseClose!: () => void;
    const closing = new Promise<void>((r) => (releaseClose = r));
    const done = fanOut({
      hosts: ['a', 'b'],
      forks: 1,
      notStarted: () => 'x',
      run: async (h, work) => {
        events.push(`start ${h}`);
        if (h === 'a') work.holdFork(closing);
        return h;
      },
      onFinished: (h) => events.push(`finish ${h}`),
    });
    await tick(20);
    // a's result is out; b waits for a's session to close.
    expect(events).toEqual(['start a', 'finish a']);
    releaseClose();
    expect(await done).toEqual(['a', 'b']);
    expect(events).toEqual(['start a', 'finish a', 'start b', 'finish b']);
  });

  it('a per-host deadline aborts that host’s signal and gives its timed-out outcome; the others are not held up', async () => {
    let sawReason: unknown;
    const results = await fanOut({
      hosts: ['slow', 'fast'],
      forks: 2,
      hostTimeoutMs: 50,
      timedOut: (h, ms) => `${h}:timed out after ${ms} ms`,
      notStarted: (h) => `${h}:not-started`,
      run: (h, work) =>
        h === 'fast'
          ? Promise.resolve('fast:done')
          : new Promise<string>((resolve) =>
              work.signal.addEventListener('abort', () => {
                sawReason = work.signal.reason;
                resolve('slow:gave up');
              }),
            ),
    });
    expect(results).toEqual(['slow:timed out after 50 ms', 'fast:done']);
    expect(sawReason).toBeInstanceOf(HostDeadlineError);
  });

  it('refuses forks that are not a whole number of at least 1, naming the flag', async () => {
    for (const forks of [0, -1, 1.5, Number.NaN]) {
      await expect(fanOut({ hosts, forks, notStarted: () => 0, run: async () => 1 })).rejects.toThrow(InputError);
      expect(() => checkForks(forks)).toThrow(/--forks must be a whole number of at least 1/);
    }
    expect(checkForks(DEFAULT_FORKS)).toBe(50);
  });

  it('no hosts: no work, an empty result', async () => {
    expect(await fanOut({ hosts: [], forks: 5, notStarted: () => 0, run: async () => 1 })).toEqual([]);
  });
});

describe('forEachLimit', () => {
  it('stops starting items once shouldStart says no; items already running finish', async () => {
    const done: number[] = [];
    let stop = false;
    await forEachLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      if (n === 3) stop = true;
      await tick(2);
      done.push(n);
    }, () => !stop);
    expect(done.sort()).toEqual([1, 2, 3]);
  });
});

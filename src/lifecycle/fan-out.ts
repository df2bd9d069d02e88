/**
 * The one fan-out over hosts that preflight, exec and apply share: at most `forks` hosts at once,
 * hosts started in inventory order, results in inventory order; after an interrupt (the run's
 * AbortSignal, src/lifecycle/interrupt.ts) no host starts; an optional deadline per host; a start and
 * a finish hook per host for progress and run events. It knows nothing of sessions or scripts: the
 * caller's `run` does the host's work and turns every failure into its own outcome.
 */
import { InputError } from '../errors.js';

/** Hosts at once when --forks is not given, for every command (docs/hosts.md says why 50). */
export const DEFAULT_FORKS = 50;

/** --forks must be a whole number of at least 1: an error naming the flag otherwise. */
export function checkForks(forks: number): number {
  if (!Number.isInteger(forks) || forks < 1) throw new InputError(`--forks must be a whole number of at least 1, not ${forks}`, { field: '--forks', hint: `Leave it out for ${DEFAULT_FORKS} hosts at once.` });
  return forks;
}

export interface HostWork {
  /**
   * Aborted when the run is interrupted or the host's deadline passes (`reason` says which): hand it
   * to whatever can give up early (a session still connecting).
   */
  signal: AbortSignal;
  /**
   * Keep this host's fork taken until `p` settles, after its result is reported: a session closing
   * still holds a connection, and --forks bounds open connections.
   */
  holdFork(p: Promise<unknown>): void;
}

export interface FanOutOptions<H, R> {
  hosts: readonly H[];
  forks: number;
  /** The run's interrupt signal. */
  signal?: AbortSignal | undefined;
  /** One host's work. Failures should be outcomes; a throw rejects the whole fan-out. */
  run(host: H, work: HostWork): Promise<R>;
  /** The outcome of a host never started because the run was interrupted first. */
  notStarted(host: H): R;
  /** A deadline for one host's work, in ms; when it passes, its signal aborts and `timedOut` is its outcome. */
  hostTimeoutMs?: number | undefined;
  timedOut?: ((host: H, ms: number) => R) | undefined;
  onStarted?: ((host: H, at: number) => void) | undefined;
  /** Called once per host, started or not, as soon as its outcome is known. */
  onFinished?: ((host: H, result: R, at: number) => void) | undefined;
  now?: (() => number) | undefined;
}

/** Why a host's signal aborted on its deadline. */
export class HostDeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`the host did not finish within ${ms} ms`);
    this.name = 'HostDeadlineError';
  }
}

export async function fanOut<H, R>(o: FanOutOptions<H, R>): Promise<R[]> {
  const forks = checkForks(o.forks);
  const now = o.now ?? Date.now;
  const results = new Array<R>(o.hosts.length);

  // One listener on the run's signal for every running host (not one each: 50 listeners on one
  // AbortSignal is a MaxListenersExceededWarning on the operator's terminal).
  const running = new Set<AbortController>();
  const onAbort = () => {
    for (const c of running) c.abort(o.signal?.reason);
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const one = async (host: H): Promise<R> => {
    const controller = new AbortController();
    running.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const held: Array<Promise<unknown>> = [];
    o.onStarted?.(host, now());
    try {
      const work = o.run(host, { signal: controller.signal, holdFork: (p) => held.push(p.catch(() => undefined)) });
      let result: R;
      if (o.hostTimeoutMs !== undefined && o.timedOut) {
        const ms = o.hostTimeoutMs;
        const timedOut = o.timedOut;
        const deadline = new Promise<R>((resolve) => {
          timer = setTimeout(() => {
            // The deadline's outcome first: work that gives up on the abort must not win the race.
            resolve(timedOut(host, ms));
            controller.abort(new HostDeadlineError(ms));
          }, ms);
        });
        // The work goes on winding down behind the deadline's outcome; its fork stays taken until it has.
        held.push(work.catch(() => undefined));
        result = await Promise.race([work, deadline]);
      } else {
        result = await work;
      }
      o.onFinished?.(host, result, now());
      await Promise.all(held);
      return result;
    } finally {
      clearTimeout(timer);
      running.delete(controller);
    }
  };

  try {
    await forEachLimit(o.hosts.map((_, i) => i), forks, async (i) => {
      const host = o.hosts[i]!;
      if (o.signal?.aborted) {
        results[i] = o.notStarted(host);
        o.onFinished?.(host, results[i]!, now());
      } else results[i] = await one(host);
    });
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return results;
}

/**
 * The primitive under fanOut, for callers that sequence more than one round over hosts (apply's
 * steps): run `fn` over items, at most `limit` at once, in order; `shouldStart` is asked before each
 * item starts, and once it says no, the items left are not started.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, shouldStart: () => boolean = () => true): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && shouldStart()) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

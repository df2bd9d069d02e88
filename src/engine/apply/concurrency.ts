/**
 * Small concurrency tools for the executor: the bounded parallel map every command shares over hosts
 * (src/lifecycle/fan-out.ts) and a per-key mutex.
 */
export { forEachLimit } from '../../lifecycle/fan-out.js';

/** One holder per key at a time (e.g. one rebooting member per quorum group); FIFO. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string | null, fn: () => Promise<T>): Promise<T> {
    if (key === null) return fn();
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

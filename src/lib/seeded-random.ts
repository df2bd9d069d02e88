/**
 * mulberry32: a small seeded generator of numbers in [0, 1). Where a test or a benchmark draws at
 * random (generated lab machines, the soak's faults), it draws from this with a printed seed, so any
 * run can be replayed exactly. Not for anything secret: it is predictable by design.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The fuzz suite's rules (issue 14): bounded (a fixed number of runs, a size cap on inputs, a time
 * bound per input), reproducible (a fixed seed unless FUZZ_SEED says otherwise; fast-check prints the
 * seed and the path of a failure), and inputs that once failed kept under test/fixtures/fuzz/ and
 * replayed before the random ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';

export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261202;
export const FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 300;
/** No input may take longer than this to accept or reject (generous: the machine is shared). */
export const TIME_BOUND_MS = 2000;

type ErrorClass = abstract new (...args: never[]) => Error;

/** Run `fn`; an error is fine when it is one of `allowed` (a typed rejection), anything else is a finding. */
export function rejectsOnlyWith(fn: () => void, allowed: readonly ErrorClass[]): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) throw e;
  }
}

/** Check one input within the time bound. */
export function timed(check: () => void): void {
  const t0 = performance.now();
  check();
  const ms = performance.now() - t0;
  if (ms > TIME_BOUND_MS) throw new Error(`input took ${ms.toFixed(0)} ms, over the ${TIME_BOUND_MS} ms bound`);
}

export function fuzz<T>(arb: fc.Arbitrary<T>, check: (input: T) => void, runs = FUZZ_RUNS): void {
  fc.assert(
    fc.property(arb, (input) => timed(() => check(input))),
    { seed: FUZZ_SEED, numRuns: runs, verbose: 1 },
  );
}

/** Inputs that once failed, kept as files: test/fixtures/fuzz/<target>/*. */
export function regressionInputs(target: string): Array<{ name: string; bytes: Buffer }> {
  const dir = resolve(import.meta.dirname, '../fixtures/fuzz', target);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

/** Text made of `tokens` (structure-aware fuzzing: inputs that get past the first check). */
export function tokenSoup(tokens: readonly string[], maxTokens = 60): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 4 })), { maxLength: maxTokens }).map((t) => t.join(''));
}

/** `base` with a few random edits (insert, delete, replace a span) — near-valid inputs. */
export function mutated(base: string, maxEdits = 4): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 8, unit: 'binary' }));
  return fc.array(edit, { minLength: 1, maxLength: maxEdits }).map((edits) => {
    let s = base;
    for (const [at, del, ins] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + ins + s.slice(i + del);
    }
    return s;
  });
}

/** Split `bytes` at random points (the network decides chunk boundaries). */
export function chunked(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Buffer[]> {
  return fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 8 })).map(([b, cuts]) => {
    const points = [...new Set(cuts.map((c) => (b.length ? c % b.length : 0)))].sort((x, y) => x - y);
    const out: Buffer[] = [];
    let last = 0;
    for (const p of [...points, b.length]) {
      out.push(Buffer.from(b.subarray(last, p)));
      last = p;
    }
    return out;
  });
}

/**
 * The reporters under any interleaving of hosts' events (a fixed seed, bounded runs: fuzz.ts): the
 * live line never exceeds the terminal, hosts done never exceed the total, the recap counts every
 * finished step once, and the JSON document always matches its schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunEvent, StepStatus } from '../../src/engine/apply/events.js';
import { applyConsoleReporter } from '../../src/report/run-console.js';
import { ApplyJsonSchema, applyJsonReporter } from '../../src/report/apply-json.js';
import { FUZZ_RUNS, FUZZ_SEED } from './fuzz.js';

const STATUSES: StepStatus[] = ['ok', 'changed', 'failed', 'skipped'];

/** Per host, its steps (status, duration) and an unreachable flag; merged by a shuffle key. */
const runArb = fc.record({
  width: fc.integer({ min: 10, max: 220 }),
  hosts: fc.uniqueArray(
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 40 }),
      unreachable: fc.boolean(),
      steps: fc.array(fc.record({ status: fc.constantFrom(...STATUSES), ms: fc.nat(100_000), message: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }) }), { maxLength: 8 }),
    }),
    { minLength: 1, maxLength: 8, selector: (h) => h.name },
  ),
  order: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
});


describe('run reporters, any interleaving', () => {
  it('keeps the live line in the terminal, counts each step once, and writes a valid document', () => {
    fc.assert(
      fc.property(runArb, ({ width, hosts, order }) => {
        // Each host's events stay in order; hosts interleave by the random keys.
        const queues = hosts.map((h): RunEvent[] => [
          { type: 'host-started', host: h.name },
          ...h.steps.flatMap((s, i): RunEvent[] => (h.unreachable ? [] : [
            { type: 'step-started', host: h.name, step: `s${i}`, phase: 'p' },
            { type: 'step-finished', host: h.name, step: `s${i}`, phase: 'p', status: s.status, durationMs: s.ms, attempts: 1, message: s.message },
          ])),
        ]);
        const events: RunEvent[] = [{ type: 'phase-started', phase: 'p', batch: 0, hosts: hosts.map((h) => h.name), steps: Object.fromEntries(hosts.map((h) => [h.name, h.unreachable ? 0 : h.steps.length])) }];
        let k = 0;
        while (queues.some((q) => q.length)) {
          const live = queues.filter((q) => q.length);
          events.push(live[order[k++ % order.length]! % live.length]!.shift()!);
        }
        for (const h of hosts) events.push({ type: 'host-finished', host: h.name, status: h.unreachable ? 'unreachable' : h.steps.some((s) => s.status === 'failed') ? 'failed' : 'ok' });
        events.push({ type: 'run-finished', outcome: 'failed' });

        const writes: string[] = [];
        let json = '';
        let t = 0;
        const tty = applyConsoleReporter({ write: (s: string) => writes.push(s), isTTY: true, columns: width }, { color: true, now: () => (t += 7) });
        const doc = applyJsonReporter({ write: (s: string) => (json += s) });
        for (const e of events) {
          tty.onEvent(e);
          doc.onEvent(e);
          tty.draw();
          const p = tty.tally.progress();
          expect(p.done).toBeLessThanOrEqual(p.total);
        }
        tty.finish({ outcome: 'failed', exitCode: 1 });
        doc.finish({ outcome: 'failed', exitCode: 1 });
        for (const w of writes.filter((x) => x.startsWith('\r\x1b[2K') && !x.includes('\n'))) {
          // eslint-disable-next-line no-control-regex
          expect(w.slice(5).replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(Math.max(0, width - 1));
        }
        for (const h of hosts) {
          const r = tty.tally.recap(h.name);
          expect(STATUSES.reduce((n, s) => n + r[s], 0)).toBe(h.unreachable ? 0 : h.steps.length);
          expect(r.unreachable).toBe(h.unreachable ? 1 : 0);
        }
        const parsed = ApplyJsonSchema.parse(JSON.parse(json));
        expect(parsed.summary.failed).toBe(hosts.filter((h) => !h.unreachable).flatMap((h) => h.steps).filter((s) => s.status === 'failed').length);
      }),
      { seed: FUZZ_SEED, numRuns: Math.min(FUZZ_RUNS, 200) },
    );
  });
});

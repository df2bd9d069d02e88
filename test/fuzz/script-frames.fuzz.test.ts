/**
 * Fuzz: the script-frame decoder (src/protocol/script-frames.ts): the line splitter that cuts a
 * host's stdout into lines and the frame decoder. A line is returned whole whatever the chunking;
 * a line without end is dropped past the bound instead of filling memory; a corrupt frame is a
 * SyntaxError the runner reports, nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_MARKER, LineSplitter, decodeFrameLine, encodeFrame } from '../../src/protocol/script-frames.js';
import { chunked, fuzz, regressionInputs, rejectsOnlyWith, timed } from './fuzz.js';

function decode(line: string): void {
  rejectsOnlyWith(() => void decodeFrameLine(line), [SyntaxError]);
}

describe('fuzz: script frames', () => {
  for (const { name, bytes } of regressionInputs('script-frames')) {
    it(`regression input ${name}`, () => timed(() => decode(bytes.toString('latin1'))));
  }

  it('any line: null, a value, or a SyntaxError', () => {
    const framed = fc.string({ maxLength: 200 }).map((s) => `${FRAME_MARKER} ${Buffer.from(s).toString('base64')}`);
    const mangled = fc.tuple(fc.jsonValue(), fc.nat(), fc.string({ maxLength: 3 })).map(([v, at, ins]) => {
      const line = encodeFrame({ type: 'result', id: 'x', ok: true, data: v } as never).trimEnd();
      const i = at % (line.length + 1);
      return line.slice(0, i) + ins + line.slice(i);
    });
    fuzz(fc.oneof(fc.string({ maxLength: 300 }), framed, mangled), decode, 600);
  });

  it('frames come back whole whatever the chunking', () => {
    fuzz(
      chunked(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }).map((vs) => new Uint8Array(Buffer.from(vs.map((v) => encodeFrame({ type: 'result', id: 'x', ok: true, data: v } as never)).join(''), 'latin1')))),
      (chunks) => {
        const lines: string[] = [];
        const s = new LineSplitter((l) => lines.push(l));
        for (const c of chunks) s.push(c);
        for (const l of lines) expect(decodeFrameLine(l)).toMatchObject({ type: 'result', id: 'x' });
        expect(s.rest()).toBe('');
      },
      300,
    );
  });

  it('a line that never ends is dropped past the bound; the next line is read', () => {
    fuzz(fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
      const lines: string[] = [];
      const overflows: number[] = [];
      const s = new LineSplitter((l) => lines.push(l), { maxLine: 10_000, onOverflow: (n) => overflows.push(n) });
      let total = 0;
      for (const n of sizes) {
        s.push('x'.repeat(n));
        total += n;
        expect(s.rest().length).toBeLessThanOrEqual(10_000);
      }
      s.push('\nafter\n');
      expect(lines.at(-1)).toBe('after');
      expect(overflows.length > 0).toBe(total > 10_000);
      expect(lines).toHaveLength(total > 10_000 ? 1 : 2);
    });
  });
});

import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ gunzip: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  return { ...zlib, gunzipSync: (input: Buffer) => (calls.gunzip++, zlib.gunzipSync(input)) };
});

const { expandText, gunzipText } = await import('../../../src/lab/powershell/gzip-text.js');
const { gzipText } = await import('../../../src/protocol/script-frames.js');

describe("the lab's expansion of compressed texts", () => {
  it('expands a value the many hosts of a run send alike once, and answers as gunzipText does', () => {
    const value = gzipText('# cortex-script: x\nWrite-Output é\n');
    const before = calls.gunzip;
    const texts = Array.from({ length: 5 }, () => expandText(value));
    expect(new Set(texts)).toEqual(new Set([gunzipText(value)]));
    // Five hosts' expansions made one gunzip; the comparison above made the second.
    expect(calls.gunzip - before).toBe(2);
  });

  it('throws for a value that does not expand, every time (nothing kept)', () => {
    const cut = gzipText('some text that is long enough to cut').slice(0, 20);
    expect(() => expandText(cut)).toThrow(/not gzip/);
    expect(() => expandText(cut)).toThrow(/not gzip/);
    expect(() => expandText('not base64!')).toThrow(/not base64/);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rc4, rc4k } from '../../../src/protocol/ntlm/rc4.js';

/** RC4 as the textbook writes it (KSA + PRGA, one byte at a time): the oracle for the optimised class. */
function referenceRc4(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const s = Array.from({ length: 256 }, (_, k) => k);
  let j = 0;
  for (let k = 0; k < 256; k++) {
    j = (j + s[k]! + key[k % key.length]!) % 256;
    [s[k], s[j]] = [s[j]!, s[k]!];
  }
  let i = 0;
  j = 0;
  return (data) =>
    data.map((byte) => {
      i = (i + 1) % 256;
      j = (j + s[i]!) % 256;
      [s[i], s[j]] = [s[j]!, s[i]!];
      return byte ^ s[(s[i]! + s[j]!) % 256]!;
    });
}

/** Deterministic pseudo-random integers (xorshift32), so a failure reproduces from the printed seed. */
function rng(seed: number): (below: number) => number {
  let x = seed >>> 0 || 1;
  return (below) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % below;
  };
}

// RFC 6229 "Test Vectors for the Stream Cipher RC4", section 2: keystream bytes at given offsets.
const rfc6229: { key: string; offsets: Record<number, string> }[] = [
  {
    key: '0102030405', // 40-bit
    offsets: {
      0: 'b2396305f03dc027ccc3524a0a1118a8',
      16: '6982944f18fc82d589c403a47a0d0919',
      240: '28cb1132c96ce286421dcaadb8b69eae',
      4096: 'ff25b58995996707e51fbdf08b34d875',
    },
  },
  {
    key: '0102030405060708', // 64-bit
    offsets: { 0: '97ab8a1bf0afb96132f2f67258da15a8', 16: '8263efdb45c4a18684ef87e6b19e5b09' },
  },
  {
    key: '0102030405060708090a0b0c0d0e0f10', // 128-bit
    offsets: { 0: '9ac7cc9a609d1ef7b2932899cde41b97', 16: '5248c4959014126a6e8a84f11d1a9e1c' },
  },
];

describe('Rc4 (RFC 6229)', () => {
  for (const { key, offsets } of rfc6229) {
    it(`keystream for key ${key}`, () => {
      const keystream = new Rc4(Buffer.from(key, 'hex')).update(Buffer.alloc(4112));
      for (const [offset, hex] of Object.entries(offsets)) {
        expect(keystream.subarray(Number(offset), Number(offset) + 16).toString('hex'), `offset ${offset}`).toBe(hex);
      }
    });
  }

  it('is a stream: chunked updates equal one update', () => {
    const key = Buffer.from('0102030405', 'hex');
    const data = Buffer.from('the quick brown fox jumps over the lazy dog, several times over');
    const whole = new Rc4(key).update(data);
    const chunked = new Rc4(key);
    const parts = [chunked.update(data.subarray(0, 1)), chunked.update(data.subarray(1, 17)), chunked.update(data.subarray(17))];
    expect(Buffer.concat(parts)).toEqual(whole);
    expect(rc4k(key, whole)).toEqual(data);
  });

  it('aligned (word-at-a-time) and unaligned inputs give the same bytes', () => {
    const key = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
    const backing = Buffer.alloc(4096 + 8);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 131) & 0xff;
    const aligned = new Uint8Array(backing.buffer, backing.byteOffset, 4096 + 3);
    expect(backing.byteOffset & 3).toBe(0);
    const unaligned = Buffer.from(aligned.slice()).subarray(0); // copy, then compare through a shifted view
    const shifted = Buffer.alloc(4096 + 4);
    unaligned.copy(shifted, 1);
    const a = new Rc4(key).update(aligned);
    const b = new Rc4(key).update(shifted.subarray(1, 1 + aligned.length));
    expect(a).toEqual(b);
    // And both equal byte-by-byte encryption in small chunks (which never takes the word path).
    const c = new Rc4(key);
    const parts: Buffer[] = [];
    for (let off = 0; off < aligned.length; off += 7) parts.push(c.update(aligned.subarray(off, off + 7)));
    expect(Buffer.concat(parts)).toEqual(a);
  });

  it('equals the textbook RC4 on random keys, lengths, chunkings and unaligned offsets', () => {
    const seed = randomBytes(4).readUInt32LE();
    const rand = rng(seed);
    for (let trial = 0; trial < 40; trial++) {
      const key = randomBytes(1 + rand(256));
      const length = rand(4) === 0 ? rand(8) : rand(6000);
      const plain = randomBytes(length);
      const expected = Buffer.from(referenceRc4(key)(plain));
      // In place, at a random offset inside a larger buffer, in random-sized chunks (some below and some
      // above the word-loop threshold), mixed with update() which returns a copy.
      const offset = rand(8);
      const backing = Buffer.alloc(offset + length + rand(8));
      plain.copy(backing, offset);
      const region = backing.subarray(offset, offset + length);
      const cipher = new Rc4(key);
      for (let at = 0; at < length; ) {
        const size = Math.min(length - at, rand(3) === 0 ? rand(16) : rand(2000));
        const chunk = region.subarray(at, at + size);
        if (rand(2) === 0) cipher.xorInPlace(chunk);
        else chunk.set(cipher.update(chunk));
        at += size;
      }
      expect(region.equals(expected), `seed ${seed}, trial ${trial}, key ${key.length} bytes, length ${length}, offset ${offset}`).toBe(true);
      expect(backing.subarray(0, offset).every((b) => b === 0) && backing.subarray(offset + length).every((b) => b === 0), `bytes outside the region changed (seed ${seed})`).toBe(true);
    }
  });

  it('clone/restore rolls the keystream back', () => {
    const c = new Rc4(Buffer.from('0102030405', 'hex'));
    c.update(Buffer.alloc(5));
    const saved = c.clone();
    const a = c.update(Buffer.alloc(16));
    c.restore(saved);
    expect(c.update(Buffer.alloc(16))).toEqual(a);
  });

  it('rejects empty keys', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(RangeError);
  });
});

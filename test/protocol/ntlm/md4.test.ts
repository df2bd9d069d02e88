import { describe, expect, it } from 'vitest';
import { md4 } from '../../../src/protocol/ntlm/md4.js';

// RFC 1320 appendix A.5, "Test suite".
const rfc1320: [string, string][] = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
];

describe('md4 (RFC 1320 A.5)', () => {
  for (const [input, digest] of rfc1320) {
    it(`MD4("${input.length > 20 ? input.slice(0, 20) + '…' : input}")`, () => {
      expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
    });
  }

  it('handles inputs around the 55/56/64-byte padding boundaries consistently', () => {
    // 55 bytes fit the length in one block, 56 need a second block; both must differ from each other.
    const d55 = md4(Buffer.alloc(55, 0x61)).toString('hex');
    const d56 = md4(Buffer.alloc(56, 0x61)).toString('hex');
    const d64 = md4(Buffer.alloc(64, 0x61)).toString('hex');
    expect(new Set([d55, d56, d64]).size).toBe(3);
    expect(md4(new Uint8Array(Buffer.alloc(56, 0x61)))).toEqual(Buffer.from(d56, 'hex'));
  });
});

/**
 * MD4 (RFC 1320) in plain TypeScript. NTLM needs it for the NT hash, and Node 20 on OpenSSL 3 refuses
 * `createHash('md4')` unless the legacy provider is loaded, which we do not want to require.
 * MD4 is broken as a general-purpose hash; use it for NTLM only.
 */

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

const R2 = 0x5a827999;
const R3 = 0x6ed9eba1;
const ORDER2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ORDER3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const SHIFT1 = [3, 7, 11, 19];
const SHIFT2 = [3, 5, 9, 13];
const SHIFT3 = [3, 9, 11, 15];

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian integer.
  const padded = Buffer.alloc((((data.length + 8) >> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const bitLength = BigInt(data.length) * 8n;
  padded.writeBigUInt64LE(bitLength & 0xffffffffffffffffn, padded.length - 8);

  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(block + i * 4);
    const v = [h[0]!, h[1]!, h[2]!, h[3]!];
    // Each step updates v[(4 - i) % 4] from the other three, rotating the roles a, b, c, d.
    for (let i = 0; i < 16; i++) {
      const a = (4 - (i % 4)) % 4;
      const b = (a + 1) % 4;
      const c = (a + 2) % 4;
      const d = (a + 3) % 4;
      const f = (v[b]! & v[c]!) | (~v[b]! & v[d]!);
      v[a] = rotl((v[a]! + f + x[i]!) >>> 0, SHIFT1[i % 4]!);
    }
    for (let i = 0; i < 16; i++) {
      const a = (4 - (i % 4)) % 4;
      const b = (a + 1) % 4;
      const c = (a + 2) % 4;
      const d = (a + 3) % 4;
      const g = (v[b]! & v[c]!) | (v[b]! & v[d]!) | (v[c]! & v[d]!);
      v[a] = rotl((v[a]! + g + x[ORDER2[i]!]! + R2) >>> 0, SHIFT2[i % 4]!);
    }
    for (let i = 0; i < 16; i++) {
      const a = (4 - (i % 4)) % 4;
      const b = (a + 1) % 4;
      const c = (a + 2) % 4;
      const d = (a + 3) % 4;
      const hh = v[b]! ^ v[c]! ^ v[d]!;
      v[a] = rotl((v[a]! + hh + x[ORDER3[i]!]! + R3) >>> 0, SHIFT3[i % 4]!);
    }
    for (let i = 0; i < 4; i++) h[i] = (h[i]! + v[i]!) >>> 0;
  }
  const out = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(h[i]!, i * 4);
  return out;
}

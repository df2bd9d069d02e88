/**
 * RC4 in plain TypeScript, as a streaming cipher object: NTLM session security keeps one keystream per
 * direction for the whole connection (MS-NLMP 3.4, connection-oriented mode), so the state must survive
 * across calls. Node 20 on OpenSSL 3 refuses `createCipheriv('rc4')` without the legacy provider.
 *
 * Sealed WinRM bodies run to megabytes, so the keystream loop is written for V8 (≈800 MB/s on Node 20
 * against ≈170 MB/s before; `node scripts/bench/sealing.mjs`):
 * - it works in place, one kernel for every caller (`update()` copies first; a memcpy is cheap next to RC4);
 * - it runs on a module-level scratch permutation: TurboFan sees a constant 256-byte array, so the `& 0xff`
 *   indexes need no bounds checks. The instance's permutation is copied in and out (256 bytes per call).
 *   JavaScript is single-threaded and the loop never yields, so sharing the scratch array is safe;
 * - the aligned middle is XORed a 32-bit word at a time (little-endian hosts; others take the byte loop).
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The permutation the hot loops work on (see the module comment). */
const S = new Uint8Array(256);

/** Below this many bytes the word loop is not worth creating an Int32Array view. */
const WORD_LOOP_MIN = 64;

export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 256) throw new RangeError(`RC4 key must be 1..256 bytes, got ${key.length}`);
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      const t = s[k]!;
      s[k] = s[j]!;
      s[j] = t;
    }
  }

  /** Encrypts (or decrypts: same operation) `data`, continuing the keystream. Returns a new buffer. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    out.set(data);
    this.xorInPlace(out);
    return out;
  }

  /** Encrypts (or decrypts) `data` in place, continuing the keystream. */
  xorInPlace(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    S.set(this.s);
    let ij = this.i | (this.j << 8);
    let done = 0;
    if (LITTLE_ENDIAN && n >= WORD_LOOP_MIN) {
      // Bytes up to the first 4-byte boundary, then whole words, then the tail below.
      const head = (4 - (data.byteOffset & 3)) & 3;
      ij = xorBytes(data, 0, head, ij);
      const words = (n - head) >>> 2;
      ij = xorWords(new Int32Array(data.buffer, data.byteOffset + head, words), words, ij);
      done = head + (words << 2);
    }
    ij = xorBytes(data, done, n, ij);
    this.i = ij & 0xff;
    this.j = ij >>> 8;
    this.s.set(S);
  }

  /** An independent copy of the current state (used to roll back after a rejected message). */
  clone(): Rc4 {
    const copy = Object.create(Rc4.prototype) as Rc4;
    (copy as unknown as { s: Uint8Array }).s = new Uint8Array(this.s);
    copy.i = this.i;
    copy.j = this.j;
    return copy;
  }

  /** Replaces this cipher's state by `other`'s (the counterpart of clone()). */
  restore(other: Rc4): void {
    this.s.set(other.s);
    this.i = other.i;
    this.j = other.j;
  }
}

/**
 * The byte loop over data[from..to) on the scratch permutation. `ij` carries the indexes packed as
 * `i | j << 8` in and out (two small ints, no allocation).
 */
function xorBytes(data: Uint8Array, from: number, to: number, ij: number): number {
  const s = S;
  let i = ij & 0xff;
  let j = ij >>> 8;
  for (let k = from; k < to; k++) {
    i = (i + 1) & 0xff;
    const si = s[i]!;
    j = (j + si) & 0xff;
    const sj = s[j]!;
    s[i] = sj;
    s[j] = si;
    data[k]! ^= s[(si + sj) & 0xff]!;
  }
  return i | (j << 8);
}

/**
 * The word loop: four keystream bytes per 32-bit lane, keystream byte b in bits 8b..8b+7 (little-endian
 * lane order, which the caller checked). `ij` carries the packed indexes in and out as in xorBytes.
 */
function xorWords(d32: Int32Array, words: number, ij: number): number {
  const s = S;
  let i = ij & 0xff;
  let j = ij >>> 8;
  for (let w = 0; w < words; w++) {
    i = (i + 1) & 0xff;
    let si = s[i]!;
    j = (j + si) & 0xff;
    let sj = s[j]!;
    s[i] = sj;
    s[j] = si;
    let ks = s[(si + sj) & 0xff]!;
    i = (i + 1) & 0xff;
    si = s[i]!;
    j = (j + si) & 0xff;
    sj = s[j]!;
    s[i] = sj;
    s[j] = si;
    ks |= s[(si + sj) & 0xff]! << 8;
    i = (i + 1) & 0xff;
    si = s[i]!;
    j = (j + si) & 0xff;
    sj = s[j]!;
    s[i] = sj;
    s[j] = si;
    ks |= s[(si + sj) & 0xff]! << 16;
    i = (i + 1) & 0xff;
    si = s[i]!;
    j = (j + si) & 0xff;
    sj = s[j]!;
    s[i] = sj;
    s[j] = si;
    ks |= s[(si + sj) & 0xff]! << 24;
    d32[w]! ^= ks;
  }
  return i | (j << 8);
}

/** One-shot RC4 with a fresh key (MS-NLMP RC4K). */
export function rc4k(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}

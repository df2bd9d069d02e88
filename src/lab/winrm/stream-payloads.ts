/**
 * Bulk stdin lifted out of request bytes, for the lab's WinRM server (requests.ts readRequestBytes).
 *
 * A Send carries up to ~500 KB of base64 in an rsp:Stream element. Turning all of it into a JS
 * string, walking it in the XML reader, checking it with a regular expression and decoding it again
 * cost more than the rest of the request. readRequestBytes instead finds the text of each
 * `<…:Stream …>` element in the bytes, decodes it there in place (checking it in the same pass) when
 * read, and parses the envelope with that text replaced by a marker (`\0index\0`; only used when the body has no NUL byte,
 * so a client cannot forge one). The envelope's structure is still read by the namespace-aware
 * reader; whenever the lifted text does not parse, the whole text is parsed instead, so errors are
 * exactly those of readRequest(parseSoap(text)).
 */
import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';

/** Base64 text of a Stream element (ASCII, no entity references) and, once read, the bytes it decodes to. */
export interface StreamPayload {
  /** The base64 text as received; overwritten by `data` once decoded. */
  source: Buffer;
  /** Decoded in place over `source` by payloadBytes; null when the text is not base64. */
  data?: Buffer | null;
}

/** A payload's bytes, decoded in place on first use (the request body is the server's own); null when not base64. */
export function payloadBytes(p: StreamPayload): Buffer | null {
  if (p.data === undefined) p.data = decodeBase64Bytes(p.source, true);
  return p.data;
}

export const NO_PAYLOADS: readonly StreamPayload[] = [];

/** Stream texts shorter than this are left in the envelope (lifting them gains nothing). */
const LIFT_MIN_BYTES = 1024;

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 alphabet value of each byte, -1 for any other byte. */
const B64_VALUE = new Int16Array(256).fill(-1);
/**
 * The same value shifted into place for position 0..3 of a group of four, INT32_MIN for any other
 * byte: OR-ing four lookups gives the group's 24 bits, or a negative number when one is not base64.
 */
const B64_AT = [0, 1, 2, 3].map(() => new Int32Array(256).fill(-0x80000000));
for (let i = 0; i < 64; i++) {
  const c = B64_ALPHABET.charCodeAt(i);
  B64_VALUE[c] = i;
  for (let k = 0; k < 4; k++) B64_AT[k]![c] = i << (18 - 6 * k);
}
const [B64_AT0, B64_AT1, B64_AT2, B64_AT3] = B64_AT as [Int32Array, Int32Array, Int32Array, Int32Array];
/**
 * The same four lookups with the group's three bytes already in little-endian memory order (byte 0
 * in bits 0-7): four groups then make three 32-bit stores instead of twelve byte stores.
 */
const B64_LE = [0, 1, 2, 3].map(() => new Int32Array(256).fill(-0x80000000));
for (let i = 0; i < 64; i++) {
  const c = B64_ALPHABET.charCodeAt(i);
  B64_LE[0]![c] = i << 2;
  B64_LE[1]![c] = (i >> 4) | ((i & 15) << 12);
  B64_LE[2]![c] = ((i >> 2) << 8) | ((i & 3) << 22);
  B64_LE[3]![c] = i << 16;
}
const [B64_LE0, B64_LE1, B64_LE2, B64_LE3] = B64_LE as [Int32Array, Int32Array, Int32Array, Int32Array];
const LITTLE_ENDIAN = endianness() === 'LE';

/** ASCII bytes the base64 check accepts as white space (`\s` of BASE64, restricted to ASCII). */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Decodes `bytes` when they match BASE64 (ASCII only), with Buffer.from(text, 'base64')'s result;
 * null otherwise (the caller then leaves the text to the ordinary path, which decides as before).
 */
export function decodeBase64Bytes(bytes: Uint8Array, inPlace = false): Buffer | null {
  const n = bytes.length;
  // In place is safe: the output never overtakes the input (three bytes out for four read).
  const out = inPlace ? Buffer.from(bytes.buffer, bytes.byteOffset, n) : Buffer.allocUnsafe(Math.ceil(n / 4) * 3);
  let i = 0;
  let o = 0;
  // A few single groups until the output is 4-byte aligned (3 bytes a group reaches every alignment).
  while ((out.byteOffset + o) % 4 !== 0 && i + 4 <= n) {
    const w = B64_AT0[bytes[i]!]! | B64_AT1[bytes[i + 1]!]! | B64_AT2[bytes[i + 2]!]! | B64_AT3[bytes[i + 3]!]!;
    if (w < 0) break;
    out[o] = w >> 16;
    out[o + 1] = (w >> 8) & 255;
    out[o + 2] = w & 255;
    o += 3;
    i += 4;
  }
  // Sixteen alphabet characters at a time into three 32-bit words: the common case.
  if (LITTLE_ENDIAN && (out.byteOffset + o) % 4 === 0) {
    const words = new Int32Array(out.buffer, out.byteOffset + o, (out.length - o) >> 2);
    let k = 0;
    for (const last = n - 16; i <= last; i += 16) {
      const q0 = B64_LE0[bytes[i]!]! | B64_LE1[bytes[i + 1]!]! | B64_LE2[bytes[i + 2]!]! | B64_LE3[bytes[i + 3]!]!;
      const q1 = B64_LE0[bytes[i + 4]!]! | B64_LE1[bytes[i + 5]!]! | B64_LE2[bytes[i + 6]!]! | B64_LE3[bytes[i + 7]!]!;
      const q2 = B64_LE0[bytes[i + 8]!]! | B64_LE1[bytes[i + 9]!]! | B64_LE2[bytes[i + 10]!]! | B64_LE3[bytes[i + 11]!]!;
      const q3 = B64_LE0[bytes[i + 12]!]! | B64_LE1[bytes[i + 13]!]! | B64_LE2[bytes[i + 14]!]! | B64_LE3[bytes[i + 15]!]!;
      if ((q0 | q1 | q2 | q3) < 0) break;
      words[k] = q0 | (q1 << 24);
      words[k + 1] = (q1 >>> 8) | (q2 << 16);
      words[k + 2] = (q2 >>> 16) | (q3 << 8);
      k += 3;
    }
    o += k * 4;
  }
  // Whole groups of four alphabet characters.
  for (const last = n - 4; i <= last; i += 4) {
    const w = B64_AT0[bytes[i]!]! | B64_AT1[bytes[i + 1]!]! | B64_AT2[bytes[i + 2]!]! | B64_AT3[bytes[i + 3]!]!;
    if (w < 0) break;
    out[o] = w >> 16;
    out[o + 1] = (w >> 8) & 255;
    out[o + 2] = w & 255;
    o += 3;
  }
  // The rest, one character at a time: white space anywhere, up to two '=' and then only white space.
  let acc = 0;
  let have = 0;
  let pads = 0;
  let trailing = false;
  for (; i < n; i++) {
    const ch = bytes[i]!;
    const v = B64_VALUE[ch]!;
    if (v >= 0) {
      if (pads > 0 || trailing) return null;
      acc = (acc << 6) | v;
      if (++have === 4) {
        out[o] = acc >> 16;
        out[o + 1] = (acc >> 8) & 255;
        out[o + 2] = acc & 255;
        o += 3;
        acc = 0;
        have = 0;
      }
    } else if (isAsciiSpace(ch)) {
      if (pads > 0) trailing = true;
    } else if (ch === 61 /* = */) {
      if (trailing || ++pads > 2) return null;
    } else {
      return null;
    }
  }
  if (have === 2) {
    out[o++] = acc >> 4;
  } else if (have === 3) {
    out[o] = acc >> 10;
    out[o + 1] = (acc >> 2) & 255;
    o += 2;
  }
  return out.subarray(0, o);
}

/** Offset just past `seq` when `bytes` has it at `at`, else -1. */
function after(bytes: Buffer, at: number, seq: string): number {
  for (let k = 0; k < seq.length; k++) if (bytes[at + k] !== seq.charCodeAt(k)) return -1;
  return at + seq.length;
}

const STREAM = 'Stream';

/** True when the start tag name at [from, to) is `Stream` or `prefix:Stream`. */
function isStreamName(bytes: Buffer, from: number, to: number): boolean {
  const len = to - from;
  if (len < STREAM.length || (len > STREAM.length && bytes[to - STREAM.length - 1] !== 58 /* : */)) return false;
  return after(bytes, to - STREAM.length, STREAM) === to;
}

/** Envelope text with the bulk Stream texts lifted out (see above), and those texts decoded. */
export function liftStreamPayloads(soap: Buffer): { text: string; payloads: StreamPayload[] } {
  const encoding = isAscii(soap) ? 'latin1' : 'utf8';
  const none = () => ({ text: soap.toString(encoding), payloads: [] });
  if (soap.length < LIFT_MIN_BYTES || soap.indexOf(0) >= 0) return none();
  const payloads: StreamPayload[] = [];
  let text = '';
  let copied = 0;
  let pos = 0;
  const n = soap.length;
  for (;;) {
    const lt = soap.indexOf(60 /* < */, pos);
    if (lt < 0) break;
    pos = lt + 1;
    const next = soap[pos];
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      // Comments, CDATA and processing instructions are skipped whole; anything else is refused later.
      const close = after(soap, pos, '!--') >= 0 ? '-->' : after(soap, pos, '![CDATA[') >= 0 ? ']]>' : next === 63 ? '?>' : null;
      if (close === null) return none();
      const end = soap.indexOf(close, pos + 1, 'latin1');
      if (end < 0) return none();
      pos = end + close.length;
      continue;
    }
    let nameEnd = pos;
    while (nameEnd < n && !isAsciiSpace(soap[nameEnd]!) && soap[nameEnd] !== 62 /* > */ && soap[nameEnd] !== 47 /* / */) nameEnd++;
    if (!isStreamName(soap, pos, nameEnd)) continue;
    // End of the start tag, past quoted attribute values.
    let gt = nameEnd;
    let quote = 0;
    for (; gt < n; gt++) {
      const c = soap[gt]!;
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) {
        quote = c;
      } else if (c === 62 /* > */) {
        break;
      }
    }
    if (gt >= n) return none();
    pos = gt + 1;
    if (soap[gt - 1] === 47 /* / */) continue; // <rsp:Stream …/>
    let end = soap.indexOf(60 /* < */, pos);
    if (end < 0) end = n;
    if (end - pos < LIFT_MIN_BYTES) continue;
    const source = soap.subarray(pos, end);
    // Only text that reads as itself (ASCII, no references) is lifted; it is checked when read.
    if (!isAscii(source) || source.indexOf(38 /* & */) >= 0) continue;
    text += soap.toString(encoding, copied, pos) + `\0${payloads.length}\0`;
    payloads.push({ source });
    copied = end;
    pos = end;
  }
  if (payloads.length === 0) return none();
  return { text: text + soap.toString(encoding, copied), payloads };
}

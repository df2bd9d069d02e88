/**
 * The little DER that Kerberos error reporting needs (ITU-T X.690): read one TLV, write one TLV.
 * Definite lengths only, as DER requires; anything else is a ProtocolError, never a crash.
 */
import { ProtocolError } from '../../errors.js';

export interface Tlv {
  tag: number;
  /** The value's bytes (a view into the input). */
  value: Buffer;
  /** Offset just past this TLV. */
  end: number;
}

export function readTlv(buf: Buffer, offset: number, what: string): Tlv {
  if (offset + 2 > buf.length) throw new ProtocolError(`${what}: truncated DER at byte ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new ProtocolError(`${what}: multi-byte DER tags are not used by Kerberos (byte ${offset})`);
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new ProtocolError(`${what}: unsupported DER length form at byte ${offset + 1}`);
    if (p + n > buf.length) throw new ProtocolError(`${what}: truncated DER length at byte ${p}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) throw new ProtocolError(`${what}: DER value of ${len} bytes runs past the end (byte ${p})`);
  return { tag, value: buf.subarray(p, p + len), end: p + len };
}

/** All TLVs inside a constructed value. */
export function readAll(value: Buffer, what: string): Tlv[] {
  const out: Tlv[] = [];
  for (let p = 0; p < value.length; ) {
    const t = readTlv(value, p, what);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const value = Buffer.concat(parts);
  const n = value.length;
  let head: Buffer;
  if (n < 0x80) head = Buffer.from([tag, n]);
  else if (n < 0x100) head = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) head = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else head = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([head, value]);
}

export function derInteger(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

export function readInteger(t: Tlv, what: string): number {
  if (t.tag !== 0x02 || t.value.length === 0 || t.value.length > 6) throw new ProtocolError(`${what}: expected a small INTEGER`);
  let n = t.value[0]! & 0x80 ? -1 : 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** Context-specific constructed tag [n]. */
export const ctx = (n: number): number => 0xa0 + n;

export const GENERALIZED_TIME = 0x18;
export const GENERAL_STRING = 0x1b;
export const OCTET_STRING = 0x04;
export const SEQUENCE = 0x30;
export const OID_TAG = 0x06;
export const ENUMERATED = 0x0a;

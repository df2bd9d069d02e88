/** Envelope pieces written straight into a Buffer: base64 must equal Node's, text must be UTF-8. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Length, envelopeBytes, envelopeLength, writeBase64 } from '../../src/protocol/wsman/envelope-bytes.js';
import { SessionSecurity } from '../../src/protocol/ntlm/sealing.js';
import { decryptBody, encryptBody } from '../../src/protocol/wsman/encryption.js';
import { v } from './ntlm/vectors.js';

describe('writeBase64', () => {
  it('equals Buffer#toString("base64") for every length 0..300 and some large ones, at any offset', () => {
    const lengths = [...Array.from({ length: 301 }, (_, n) => n), 65_535, 65_536, 1_000_001];
    for (const n of lengths) {
      const src = randomBytes(n);
      const at = n % 5;
      const dst = Buffer.alloc(at + base64Length(n) + 2, 0x7e);
      const end = writeBase64(src, dst, at);
      expect(end).toBe(at + base64Length(n));
      expect(dst.toString('latin1', at, end), `length ${n}`).toBe(src.toString('base64'));
      expect(dst[at - 1] ?? 0x7e).toBe(0x7e);
      expect(dst[end]).toBe(0x7e);
    }
  });

  it('refuses a destination without room', () => {
    expect(() => writeBase64(Buffer.alloc(3), Buffer.alloc(3), 0)).toThrow(RangeError);
  });
});

describe('envelopeBytes / encryptBody with parts', () => {
  const parts = (data: Buffer) => ['<rsp:Stream Name="stdin" CommandId="ÄÖ-1">', { base64: data }, '</rsp:Stream>'];

  it('joins UTF-8 text and base64 pieces', () => {
    const data = randomBytes(1000);
    const expected = Buffer.from(`<rsp:Stream Name="stdin" CommandId="ÄÖ-1">${data.toString('base64')}</rsp:Stream>`, 'utf8');
    expect(envelopeLength(parts(data))).toBe(expected.length);
    expect(envelopeBytes(parts(data))).toEqual(expected);
  });

  it('seals parts to the same bytes as the equivalent Buffer', () => {
    const flags = v('v2_flags_le').readUInt32LE(0);
    const key = randomBytes(16);
    const data = randomBytes(200_002);
    const text = Buffer.from(`<rsp:Stream Name="stdin" CommandId="ÄÖ-1">${data.toString('base64')}</rsp:Stream>`, 'utf8');
    const viaParts = encryptBody(parts(data), new SessionSecurity(key, flags, 'client'));
    const viaBuffer = encryptBody(text, new SessionSecurity(key, flags, 'client'));
    expect(viaParts.body.equals(viaBuffer.body)).toBe(true);
    expect(decryptBody(viaParts.body, viaParts.contentType, new SessionSecurity(key, flags, 'server'))).toEqual(text);
  });
});

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { NegotiateFlags as F } from '../../../src/protocol/ntlm/flags.js';
import { SessionSecurity } from '../../../src/protocol/ntlm/sealing.js';
import { v } from './vectors.js';

const v2Flags = v('v2_flags_le').readUInt32LE(0);
const key = v('random_session_key');

describe('SessionSecurity', () => {
  it('seals the MS-NLMP 4.2.4.4 "Plaintext" example (seq 0)', () => {
    const client = new SessionSecurity(key, v2Flags, 'client');
    const { sealed, signature } = client.seal(v('plaintext_utf16le'));
    expect(sealed).toEqual(v('v2_wrap_sealed'));
    expect(signature).toEqual(v('v2_wrap_signature'));
    expect(signature.subarray(4, 12)).toEqual(v('v2_wrap_checksum_rc4'));
  });

  it('the server unseals the spec example', () => {
    const server = new SessionSecurity(key, v2Flags, 'server');
    expect(server.unseal(v('v2_wrap_sealed'), v('v2_wrap_signature'))).toEqual(v('plaintext_utf16le'));
  });

  it('keeps one RC4 stream and one counter per direction across many messages', () => {
    const client = new SessionSecurity(key, v2Flags, 'client');
    const server = new SessionSecurity(key, v2Flags, 'server');
    for (let i = 0; i < 5; i++) {
      const req = Buffer.from(`request ${i} `.repeat(i + 1));
      const c = client.seal(req);
      expect(c.signature.readUInt32LE(12)).toBe(i);
      expect(server.unseal(c.sealed, c.signature)).toEqual(req);
      const resp = Buffer.from(`response ${i}`);
      const s = server.seal(resp);
      expect(client.unseal(s.sealed, s.signature)).toEqual(resp);
    }
    expect(client.sequence).toEqual({ out: 5, in: 5 });
  });

  it('in-place sealing gives the same bytes as seal()/unseal(), and a forged in-place unseal rolls back', () => {
    const viaCopy = new SessionSecurity(key, v2Flags, 'client');
    const inPlace = new SessionSecurity(key, v2Flags, 'client');
    const server = new SessionSecurity(key, v2Flags, 'server');
    for (const size of [0, 5, 64, 4099, 70_001]) {
      const message = Buffer.alloc(size + 1).subarray(1); // odd offset into its ArrayBuffer
      for (let i = 0; i < size; i++) message[i] = (i * 7 + size) & 0xff;
      const plain = Buffer.from(message);
      const expected = viaCopy.seal(message);
      expect(message.equals(plain), 'seal() leaves its input alone').toBe(true);
      const signature = inPlace.sealInPlace(message);
      expect(message.equals(expected.sealed)).toBe(true);
      expect(signature).toEqual(expected.signature);

      if (size > 0) {
        const forged = Buffer.from(message);
        forged[size - 1]! ^= 0x80;
        expect(() => server.unsealInPlace(forged, signature)).toThrow(/unseal failed/);
      }
      server.unsealInPlace(message, signature);
      expect(message.equals(plain), `${size} bytes decrypted in place`).toBe(true);
    }
    expect(server.sequence.in).toBe(5);
  });

  it('rejects a tampered message, a wrong sequence and a short signature, and recovers after a forgery', () => {
    const client = new SessionSecurity(key, v2Flags, 'client');
    const server = new SessionSecurity(key, v2Flags, 'server');
    const m0 = client.seal(Buffer.from('first'));
    const tampered = Buffer.from(m0.sealed);
    tampered[0]! ^= 1;
    expect(() => server.unseal(tampered, m0.signature)).toThrow(ProtocolError);
    // The forged attempt did not advance the incoming stream: the genuine message still opens.
    expect(server.unseal(m0.sealed, m0.signature).toString()).toBe('first');
    // Replaying message 0 as if it were message 1 fails.
    expect(() => server.unseal(m0.sealed, m0.signature)).toThrow(/sequence 0, expected 1/);
    expect(() => server.unseal(m0.sealed, m0.signature.subarray(0, 8))).toThrow(/16 bytes/);
  });

  it('the wrong role cannot read its own direction', () => {
    const a = new SessionSecurity(key, v2Flags, 'client');
    const b = new SessionSecurity(key, v2Flags, 'client');
    const m = a.seal(Buffer.from('hello'));
    expect(() => b.unseal(m.sealed, m.signature)).toThrow(ProtocolError);
  });

  it('sign/verify without encryption', () => {
    const client = new SessionSecurity(key, v2Flags, 'client');
    const server = new SessionSecurity(key, v2Flags, 'server');
    const msg = Buffer.from('integrity only');
    const sig = client.sign(msg);
    server.verify(msg, sig);
    expect(() => server.verify(msg, sig)).toThrow(ProtocolError);
  });

  it('works without KEY_EXCH (checksum not encrypted)', () => {
    const flags = v2Flags & ~F.KEY_EXCH;
    const client = new SessionSecurity(key, flags, 'client');
    const server = new SessionSecurity(key, flags, 'server');
    const m = client.seal(Buffer.from('x'));
    expect(server.unseal(m.sealed, m.signature).toString()).toBe('x');
  });

  it('refuses to seal when SEAL or ESS was not negotiated', () => {
    expect(() => new SessionSecurity(key, v2Flags & ~F.SEAL, 'client').seal(Buffer.from('x'))).toThrow(/did not negotiate sealing/);
    expect(() => new SessionSecurity(key, v2Flags & ~F.EXTENDED_SESSIONSECURITY, 'client').sign(Buffer.from('x'))).toThrow(/extended session security/);
    expect(() => new SessionSecurity(Buffer.alloc(8), v2Flags, 'client')).toThrow(ProtocolError);
  });
});

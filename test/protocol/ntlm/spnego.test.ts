import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extractNtlmToken } from '../../../src/protocol/ntlm/spnego.js';
import { v } from './vectors.js';

/** DER TLV with definite length. */
function tlv(tag: number, value: Buffer): Buffer {
  const len = value.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, value]);
}
const NTLM_OID = Buffer.from('060a2b0601040182370202 0a'.replace(/ /g, ''), 'hex');
const SPNEGO_OID = Buffer.from('06062b0601050502', 'hex');

describe('extractNtlmToken', () => {
  const challenge = v('v2_challenge_message');

  it('returns raw NTLMSSP tokens unchanged', () => {
    expect(extractNtlmToken(challenge)).toBe(challenge);
  });

  it('finds the token in a NegTokenResp (responseToken) and a NegTokenInit (mechToken)', () => {
    const resp = tlv(0xa1, tlv(0x30, Buffer.concat([tlv(0xa0, Buffer.from('0a0101', 'hex')), tlv(0xa1, NTLM_OID), tlv(0xa2, tlv(0x04, challenge))])));
    expect(extractNtlmToken(resp)).toEqual(challenge);
    const negotiate = Buffer.from('4e544c4d5353500001000000978208e2000000000000000000000000000000000a00614a0000000f', 'hex');
    const init = tlv(0x60, Buffer.concat([SPNEGO_OID, tlv(0xa0, tlv(0x30, Buffer.concat([tlv(0xa0, tlv(0x30, NTLM_OID)), tlv(0xa2, tlv(0x04, negotiate))])))]));
    expect(extractNtlmToken(init)).toEqual(negotiate);
  });

  it('returns undefined for garbage, truncations and Kerberos-only tokens', () => {
    const resp = tlv(0xa1, tlv(0x30, tlv(0xa2, tlv(0x04, challenge))));
    for (let len = 0; len < resp.length - challenge.length + 7; len++) expect(extractNtlmToken(resp.subarray(0, len))).toBeUndefined();
    for (let i = 0; i < 100; i++) expect(extractNtlmToken(randomBytes(i))).toBeUndefined();
    expect(extractNtlmToken(tlv(0xa1, tlv(0x30, tlv(0xa2, tlv(0x04, Buffer.from('6e82', 'hex'))))))).toBeUndefined();
  });
});

/** MS-NLMP §4.2 example values (ntlm-vectors.json) against our NTLMv2 computations. */
import { describe, expect, it } from 'vitest';
import {
  computeMic,
  encryptRandomSessionKey,
  exportedSessionKeyFor,
  fileTime,
  dateFromFileTime,
  kxkeyV2,
  lmv2Response,
  ntlmv2Blob,
  ntowfv1,
  ntowfv2,
  ntProofStr,
  ntv2Response,
  sealKey,
  sessionBaseKeyV2,
  signKey,
} from '../../../src/protocol/ntlm/crypto.js';
import { NegotiateFlags as F } from '../../../src/protocol/ntlm/flags.js';
import { inputs, v } from './vectors.js';

const serverChallenge = v('server_challenge');
const clientChallenge = v('client_challenge');
const v2Flags = v('v2_flags_le').readUInt32LE(0);

describe('NTLM crypto, MS-NLMP §4.2 values', () => {
  it('NTOWFv1 / NT hash (4.2.2.1.2)', () => {
    expect(ntowfv1(inputs.password)).toEqual(v('ntowfv1'));
  });

  it('NTOWFv2 (4.2.4.1.1), from the password or the NT hash', () => {
    expect(ntowfv2(inputs.password, inputs.user, inputs.domain)).toEqual(v('ntowfv2'));
    expect(ntowfv2(v('ntowfv1'), inputs.user, inputs.domain)).toEqual(v('ntowfv2'));
  });

  it('NTOWFv2 upper-cases the user but not the domain', () => {
    expect(ntowfv2(inputs.password, 'user', inputs.domain)).toEqual(v('ntowfv2'));
    expect(ntowfv2(inputs.password, inputs.user, 'DOMAIN')).not.toEqual(v('ntowfv2'));
  });

  it('NTLMv2 blob "temp" (4.2.4.1.3)', () => {
    expect(ntlmv2Blob(v('time'), clientChallenge, v('v2_target_info'))).toEqual(v('v2_temp'));
  });

  it('LMv2 response (4.2.4.2.1)', () => {
    expect(lmv2Response(v('ntowfv2'), serverChallenge, clientChallenge)).toEqual(v('v2_lm_response'));
  });

  it('NTProofStr and NtChallengeResponse (4.2.4.2.2)', () => {
    expect(ntProofStr(v('ntowfv2'), serverChallenge, v('v2_temp'))).toEqual(v('v2_ntproofstr'));
    const r = ntv2Response(v('ntowfv2'), serverChallenge, v('v2_temp'));
    expect(r.ntProofStr).toEqual(v('v2_ntproofstr'));
    expect(r.response).toEqual(v('v2_nt_response'));
  });

  it('SessionBaseKey and KXKEY (4.2.4.1.2)', () => {
    const sbk = sessionBaseKeyV2(v('ntowfv2'), v('v2_ntproofstr'));
    expect(sbk).toEqual(v('v2_session_base_key'));
    expect(kxkeyV2(sbk)).toEqual(v('v2_session_base_key'));
  });

  it('EncryptedRandomSessionKey (4.2.4.2.3) and the exported key recovered with KEY_EXCH', () => {
    const enc = encryptRandomSessionKey(v('v2_session_base_key'), v('random_session_key'));
    expect(enc).toEqual(v('v2_encrypted_random_session_key'));
    expect(exportedSessionKeyFor(v2Flags, v('v2_session_base_key'), enc)).toEqual(v('random_session_key'));
    // Without KEY_EXCH the exported key is the KXKEY itself.
    expect(exportedSessionKeyFor(v2Flags & ~F.KEY_EXCH, v('v2_session_base_key'), enc)).toEqual(v('v2_session_base_key'));
  });

  it('client sign and seal keys (4.2.4.4), server keys (3.4.5.2/3)', () => {
    const key = v('random_session_key');
    expect(signKey(key, 'client-to-server')).toEqual(v('v2_client_sign_key'));
    expect(sealKey(key, v2Flags, 'client-to-server')).toEqual(v('v2_client_seal_key'));
    expect(signKey(key, 'server-to-client')).toEqual(v('v2_server_sign_key'));
    expect(sealKey(key, v2Flags, 'server-to-client')).toEqual(v('v2_server_seal_key'));
  });

  it('seal key strength follows 128 / 56 / 40-bit flags', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const k128 = sealKey(key, F.NEGOTIATE_128 | F.NEGOTIATE_56, 'client-to-server');
    const k56 = sealKey(key, F.NEGOTIATE_56, 'client-to-server');
    const k40 = sealKey(key, 0, 'client-to-server');
    expect(new Set([k128.toString('hex'), k56.toString('hex'), k40.toString('hex')]).size).toBe(3);
    // Bytes past the cut-off must not matter.
    const other = Buffer.from(key);
    other[10] = 0xff;
    expect(sealKey(other, F.NEGOTIATE_56, 'client-to-server')).toEqual(k56);
    expect(sealKey(other, 0, 'client-to-server')).toEqual(k40);
    other[6] = 0xff;
    expect(sealKey(other, F.NEGOTIATE_56, 'client-to-server')).not.toEqual(k56);
    expect(sealKey(other, 0, 'client-to-server')).toEqual(k40);
  });

  it('MIC is HMAC-MD5 over the three messages in order', () => {
    const a = computeMic(v('random_session_key'), Buffer.from('n'), Buffer.from('c'), Buffer.from('a'));
    const b = computeMic(v('random_session_key'), Buffer.from('c'), Buffer.from('n'), Buffer.from('a'));
    expect(a).toHaveLength(16);
    expect(a).not.toEqual(b);
  });

  it('FILETIME round-trips', () => {
    const d = new Date('2026-11-24T00:00:00.123Z');
    expect(dateFromFileTime(fileTime(d))).toEqual(d);
    expect(fileTime(new Date(Date.UTC(1601, 0, 1)))).toEqual(Buffer.alloc(8));
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { NegotiateFlags as F } from '../../../src/protocol/ntlm/flags.js';
import {
  AvId,
  avString,
  decodeAuthenticate,
  decodeChallenge,
  decodeNegotiate,
  decodeNtlmv2Response,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  MIC_OFFSET,
  ntlmMessageType,
  parseAvPairs,
  withZeroMic,
} from '../../../src/protocol/ntlm/messages.js';
import { inputs, v } from './vectors.js';

const specVersion = { major: 6, minor: 0, build: 6000, revision: 15 };
const clientVersion = { major: 5, minor: 1, build: 2600, revision: 15 };

describe('AV pairs', () => {
  it('parses and re-encodes the MS-NLMP 4.2.4 TargetInfo', () => {
    const pairs = parseAvPairs(v('v2_target_info'));
    expect(pairs.map((p) => [p.id, p.value.toString('utf16le')])).toEqual([
      [AvId.NbDomainName, 'Domain'],
      [AvId.NbComputerName, 'Server'],
    ]);
    expect(encodeAvPairs(pairs)).toEqual(v('v2_target_info'));
  });

  it('requires MsvAvEOL and in-bounds lengths', () => {
    expect(() => parseAvPairs(Buffer.from('02000c0044006f00', 'hex'))).toThrow(/claims 12 bytes/);
    expect(() => parseAvPairs(encodeAvPairs([avString(2, 'x')]).subarray(0, 6))).toThrow(/without MsvAvEOL/);
    expect(() => parseAvPairs(Buffer.from('00000100ff', 'hex'))).toThrow(/MsvAvEOL .* has length 1/);
  });
});

describe('CHALLENGE', () => {
  it('decodes the MS-NLMP 4.2.4.3 NTLMv2 CHALLENGE', () => {
    const c = decodeChallenge(v('v2_challenge_message'));
    expect(c.flags >>> 0).toBe(v('v2_flags_le').readUInt32LE(0));
    expect(c.targetName).toBe('Server');
    expect(c.serverChallenge).toEqual(v('server_challenge'));
    expect(encodeAvPairs(c.targetInfo)).toEqual(v('v2_target_info'));
    expect(c.version).toEqual(specVersion);
  });

  it('encodes it byte for byte', () => {
    const bytes = encodeChallenge({
      flags: v('v2_flags_le').readUInt32LE(0),
      targetName: 'Server',
      serverChallenge: v('server_challenge'),
      targetInfo: parseAvPairs(v('v2_target_info')),
      version: specVersion,
    });
    expect(bytes).toEqual(v('v2_challenge_message'));
  });

  it('decodes the NTLMv1 CHALLENGE (no TargetInfo)', () => {
    const c = decodeChallenge(v('v1_challenge_message'));
    expect(c.targetName).toBe('Server');
    expect(c.targetInfo).toEqual([]);
    expect(c.flags & F.TARGET_INFO).toBe(0);
  });
});

describe('AUTHENTICATE', () => {
  it('decodes the MS-NLMP 4.2.4.3 NTLMv2 AUTHENTICATE', () => {
    const a = decodeAuthenticate(v('v2_authenticate_message'));
    expect(a.user).toBe(inputs.user);
    expect(a.domain).toBe(inputs.domain);
    expect(a.workstation).toBe(inputs.workstation);
    expect(a.lmChallengeResponse).toEqual(v('v2_lm_response'));
    expect(a.ntChallengeResponse).toEqual(v('v2_nt_response'));
    expect(a.encryptedRandomSessionKey).toEqual(v('v2_encrypted_random_session_key'));
    expect(a.version).toEqual(clientVersion);
    expect(a.mic).toBeUndefined();
    const r = decodeNtlmv2Response(a.ntChallengeResponse);
    expect(r.ntProofStr).toEqual(v('v2_ntproofstr'));
    expect(r.blob).toEqual(v('v2_temp'));
    expect(r.clientChallenge).toEqual(v('client_challenge'));
  });

  it('encodes it byte for byte', () => {
    const bytes = encodeAuthenticate({
      flags: 0xe2888235,
      lmChallengeResponse: v('v2_lm_response'),
      ntChallengeResponse: v('v2_nt_response'),
      domain: inputs.domain,
      user: inputs.user,
      workstation: inputs.workstation,
      encryptedRandomSessionKey: v('v2_encrypted_random_session_key'),
      version: clientVersion,
    });
    expect(bytes).toEqual(v('v2_authenticate_message'));
  });

  it('decodes the NTLMv1 AUTHENTICATE, and refuses its response as NTLMv2', () => {
    const a = decodeAuthenticate(v('v1_authenticate_message'));
    expect(a.ntChallengeResponse).toEqual(v('v1_nt_response'));
    expect(() => decodeNtlmv2Response(a.ntChallengeResponse)).toThrow(/NTLMv1/);
  });

  it('places the MIC at offset 72 after the Version and reads it back', () => {
    const mic = Buffer.alloc(16, 0xab);
    const bytes = encodeAuthenticate(
      {
        flags: F.UNICODE | F.VERSION,
        lmChallengeResponse: Buffer.alloc(24),
        ntChallengeResponse: v('v2_nt_response'),
        domain: 'D',
        user: 'u',
        workstation: '',
        encryptedRandomSessionKey: Buffer.alloc(0),
        version: clientVersion,
        mic,
      },
      { withMic: true },
    );
    expect(bytes.subarray(MIC_OFFSET, MIC_OFFSET + 16)).toEqual(mic);
    expect(bytes.readUInt32LE(28 + 4)).toBe(88); // domain is the first payload field
    expect(decodeAuthenticate(bytes).mic).toEqual(mic);
    expect(withZeroMic(bytes).subarray(MIC_OFFSET, MIC_OFFSET + 16)).toEqual(Buffer.alloc(16));
  });

  it('uses OEM strings when UNICODE is not negotiated', () => {
    const bytes = encodeAuthenticate({
      flags: F.OEM,
      lmChallengeResponse: Buffer.alloc(0),
      ntChallengeResponse: Buffer.alloc(0),
      domain: 'DOM',
      user: 'bob',
      workstation: 'WS',
      encryptedRandomSessionKey: Buffer.alloc(0),
    });
    const a = decodeAuthenticate(bytes);
    expect([a.domain, a.user, a.workstation]).toEqual(['DOM', 'bob', 'WS']);
    expect(bytes.includes(Buffer.from('bob', 'latin1'))).toBe(true);
  });
});

describe('NEGOTIATE', () => {
  it('round-trips flags, OEM names and version', () => {
    const bytes = encodeNegotiate({ flags: F.UNICODE | F.NTLM, domain: 'DOM', workstation: 'WS', version: clientVersion });
    const n = decodeNegotiate(bytes);
    expect(n.domain).toBe('DOM');
    expect(n.workstation).toBe('WS');
    expect(n.version).toEqual(clientVersion);
    expect(n.flags & F.OEM_DOMAIN_SUPPLIED).toBeTruthy();
    expect(ntlmMessageType(bytes)).toBe(1);
  });
});

describe('decoders on malformed input', () => {
  const samples: [string, Buffer, (b: Buffer) => unknown][] = [
    ['NEGOTIATE', encodeNegotiate({ flags: F.UNICODE, domain: 'DOM', workstation: 'WS', version: clientVersion }), decodeNegotiate],
    ['CHALLENGE', v('v2_challenge_message'), decodeChallenge],
    ['AUTHENTICATE', v('v2_authenticate_message'), decodeAuthenticate],
  ];

  for (const [name, good, decode] of samples) {
    it(`${name}: every truncation either decodes or throws ProtocolError`, () => {
      for (let len = 0; len < good.length; len++) {
        try {
          decode(good.subarray(0, len));
        } catch (err) {
          expect(err, `length ${len}`).toBeInstanceOf(ProtocolError);
        }
      }
      expect(() => decode(good.subarray(0, 20))).toThrow(ProtocolError);
    });

    it(`${name}: random garbage and bit flips never crash`, () => {
      for (let i = 0; i < 300; i++) {
        const junk = randomBytes(i % 120);
        expect(() => decode(junk)).toThrow(ProtocolError);
        const flipped = Buffer.from(good);
        flipped[8 + Math.floor(Math.random() * (flipped.length - 8))]! ^= 1 << i % 8;
        try {
          decode(flipped);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }
    });
  }

  it('names the field whose offset runs past the end', () => {
    const bad = Buffer.from(v('v2_authenticate_message'));
    bad.writeUInt32LE(0xfff0, 20 + 4); // NtChallengeResponse offset
    expect(() => decodeAuthenticate(bad)).toThrow(/NtChallengeResponse .* runs past the end/);
    const intoHeader = Buffer.from(v('v2_challenge_message'));
    intoHeader.writeUInt32LE(8, 12 + 4); // TargetName offset inside the header
    expect(() => decodeChallenge(intoHeader)).toThrow(/points into the 48-byte header/);
    expect(() => decodeChallenge(v('v2_authenticate_message'))).toThrow(/message type is 3, expected 2/);
    expect(() => decodeNegotiate(Buffer.from('NTLMSSQ\0\x01\0\0\0\0\0\0\0', 'latin1'))).toThrow(/signature/);
  });
});

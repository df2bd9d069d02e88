/** Our client against our server, in memory: negotiate → challenge → authenticate → verify → seal both ways. */
import { describe, expect, it } from 'vitest';
import { InternalError, ProtocolError } from '../../../src/errors.js';
import { NtlmClient, parseAccountName } from '../../../src/protocol/ntlm/client.js';
import { hasFlag, NegotiateFlags as F } from '../../../src/protocol/ntlm/flags.js';
import {
  AvFlags,
  AvId,
  avFlagsOf,
  avStringOf,
  decodeAuthenticate,
  decodeChallenge,
  decodeNegotiate,
  decodeNtlmv2Response,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  findAvPair,
  MIC_OFFSET,
} from '../../../src/protocol/ntlm/messages.js';
import { challengeFlagsFor, NtlmServer, type PasswordLookup } from '../../../src/lab/winrm/ntlm-server.js';
import { dateFromFileTime, ntlmv2Blob, ntowfv2, ntv2Response, sessionBaseKeyV2 } from '../../../src/protocol/ntlm/crypto.js';
import { SessionSecurity } from '../../../src/protocol/ntlm/sealing.js';

const hostNames = { netbiosDomain: 'LAB', netbiosComputer: 'WIN01', dnsDomain: 'lab.example', dnsComputer: 'win01.lab.example' };
const accounts: Record<string, string> = { 'LAB\\deploy': 'S3cret!pass', '\\deploy@lab.example': 'upn-pass' };
const lookup: PasswordLookup = (user, domain) => accounts[`${domain}\\${user}`] ?? null;

function handshake(password = 'S3cret!pass', opts: { user?: string; domain?: string } = {}) {
  const client = new NtlmClient({ requireSeal: true });
  const server = new NtlmServer();
  const negotiate = client.negotiate();
  const challenge = server.challenge(negotiate, hostNames);
  const auth = client.authenticate(challenge, { user: opts.user ?? 'deploy', domain: opts.domain ?? 'LAB', password, workstation: 'CTRL' });
  const verdict = server.verify(auth.message, lookup);
  return { client, server, negotiate, challenge, auth, verdict };
}

describe('NTLM handshake, client ↔ server in memory', () => {
  it('authenticates and seals several messages in both directions', () => {
    const { auth, verdict } = handshake();
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect([verdict.user, verdict.domain, verdict.workstation]).toEqual(['deploy', 'LAB', 'CTRL']);
    for (let i = 0; i < 6; i++) {
      const request = Buffer.from(`<s:Envelope>request ${i}${'x'.repeat(i * 1000)}</s:Envelope>`);
      const sealedReq = auth.security.seal(request);
      expect(sealedReq.sealed.includes(Buffer.from('Envelope'))).toBe(false);
      expect(verdict.security.unseal(sealedReq.sealed, sealedReq.signature)).toEqual(request);
      const reply = Buffer.from(`reply ${i}`);
      const sealedReply = verdict.security.seal(reply);
      expect(auth.security.unseal(sealedReply.sealed, sealedReply.signature)).toEqual(reply);
    }
  });

  it('the CHALLENGE echoes SEAL/SIGN, carries a timestamp and the lab names, Version 10.0.17763', () => {
    const { negotiate, challenge } = handshake();
    const c = decodeChallenge(challenge);
    const n = decodeNegotiate(negotiate);
    for (const f of [F.SEAL, F.SIGN, F.KEY_EXCH, F.EXTENDED_SESSIONSECURITY, F.NEGOTIATE_128, F.UNICODE]) {
      expect(hasFlag(n.flags, f)).toBe(true);
      expect(hasFlag(c.flags, f)).toBe(true);
    }
    expect(hasFlag(c.flags, F.TARGET_TYPE_DOMAIN)).toBe(true);
    expect(c.targetName).toBe('LAB');
    expect(avStringOf(c.targetInfo, AvId.NbComputerName)).toBe('WIN01');
    expect(avStringOf(c.targetInfo, AvId.DnsComputerName)).toBe('win01.lab.example');
    const ts = findAvPair(c.targetInfo, AvId.Timestamp);
    expect(ts?.value).toHaveLength(8);
    expect(Math.abs(dateFromFileTime(ts!.value).getTime() - Date.now())).toBeLessThan(60_000);
    expect(c.version).toEqual({ major: 10, minor: 0, build: 17763, revision: 15 });
    expect(challenge.subarray(48, 56).toString('hex')).toBe('0a0063450000000f');
  });

  it('with the server timestamp the client sends LM = Z(24), MsvAvFlags MIC and a MIC at 72', () => {
    const { auth } = handshake();
    const a = decodeAuthenticate(auth.message);
    expect(a.lmChallengeResponse).toEqual(Buffer.alloc(24));
    expect(a.mic).toHaveLength(16);
    expect(a.mic!.equals(Buffer.alloc(16))).toBe(false);
    const r = decodeNtlmv2Response(a.ntChallengeResponse);
    expect(avFlagsOf(r.avPairs) & AvFlags.MIC_PRESENT).toBe(AvFlags.MIC_PRESENT);
  });

  it('rejects a wrong password, an unknown user and a tampered MIC', () => {
    const wrong = handshake('not-the-password');
    expect(wrong.verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/NTProofStr mismatch/) });

    const unknown = handshake('S3cret!pass', { user: 'nobody' });
    expect(unknown.verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown account LAB\\nobody/) });

    const client = new NtlmClient();
    const server = new NtlmServer();
    const challenge = server.challenge(client.negotiate(), hostNames);
    const { message } = client.authenticate(challenge, { user: 'LAB\\deploy', password: 'S3cret!pass' });
    const tampered = Buffer.from(message);
    tampered[MIC_OFFSET]! ^= 0xff;
    expect(server.verify(tampered, lookup)).toMatchObject({ ok: false, reason: expect.stringMatching(/MIC mismatch/) });
    // Altering the flags in the AUTHENTICATE also breaks the MIC.
    const flagged = Buffer.from(message);
    flagged.writeUInt32LE((flagged.readUInt32LE(60) & ~F.SEAL) >>> 0, 60);
    expect(server.verify(flagged, lookup)).toMatchObject({ ok: false });
    expect(server.verify(message, lookup).ok).toBe(true);
  });

  it('rejects a response computed for another challenge, and garbage, without throwing', () => {
    const first = handshake();
    const server = new NtlmServer();
    server.challenge(first.negotiate, hostNames);
    expect(server.verify(first.auth.message, lookup)).toMatchObject({ ok: false });
    expect(server.verify(Buffer.from('garbage'), lookup)).toMatchObject({ ok: false, reason: expect.stringMatching(/shorter than/) });
    expect(() => new NtlmServer().verify(first.auth.message, lookup)).toThrow(/before challenge/);
  });

  it('a tampered sealed message is rejected in both directions', () => {
    const { auth, verdict } = handshake();
    if (!verdict.ok) throw new Error('handshake failed');
    const m = auth.security.seal(Buffer.from('hello server'));
    const bad = Buffer.from(m.sealed);
    bad[bad.length - 1]! ^= 0x01;
    expect(() => verdict.security.unseal(bad, m.signature)).toThrow(ProtocolError);
    const r = verdict.security.seal(Buffer.from('hello client'));
    const badSig = Buffer.from(r.signature);
    badSig[5]! ^= 0x01;
    expect(() => auth.security.unseal(r.sealed, badSig)).toThrow(/signature does not match/);
  });

  it('accepts DOMAIN\\user and UPN account names', () => {
    expect(parseAccountName('LAB\\deploy')).toEqual({ user: 'deploy', domain: 'LAB' });
    expect(parseAccountName('deploy@lab.example', 'IGNORED')).toEqual({ user: 'deploy@lab.example', domain: '' });
    expect(parseAccountName('deploy', 'LAB')).toEqual({ user: 'deploy', domain: 'LAB' });
    expect(parseAccountName('deploy')).toEqual({ user: 'deploy', domain: '' });
    expect(handshake('S3cret!pass', { user: 'LAB\\deploy', domain: 'OTHER' }).verdict.ok).toBe(true);
    expect(handshake('upn-pass', { user: 'deploy@lab.example', domain: 'LAB' }).verdict.ok).toBe(true);
  });

  it('requireSeal refuses a CHALLENGE without SEAL; without it the context authenticates but cannot seal', () => {
    const server = new NtlmServer();
    const noSealNegotiate = encodeNegotiate({ ...decodeNegotiate(new NtlmClient().negotiate()), flags: (new NtlmClient().negotiate().readUInt32LE(12) & ~F.SEAL) >>> 0 });
    const challengeNoSeal = server.challenge(noSealNegotiate, hostNames);
    expect(decodeChallenge(challengeNoSeal).flags & F.SEAL).toBe(0);

    const strict = new NtlmClient({ requireSeal: true });
    strict.negotiate();
    expect(() => strict.authenticate(challengeNoSeal, { user: 'deploy', domain: 'LAB', password: 'S3cret!pass' })).toThrow(/does not grant message sealing/);

    const relaxed = new NtlmClient();
    relaxed.negotiate();
    const { message, security } = relaxed.authenticate(challengeNoSeal, { user: 'deploy', domain: 'LAB', password: 'S3cret!pass' });
    expect(() => security.seal(Buffer.from('x'))).toThrow(/did not negotiate sealing/);
    // The per-call option overrides the constructor's.
    const c = new NtlmClient();
    c.negotiate();
    expect(() => c.authenticate(challengeNoSeal, { user: 'u', password: 'p' }, { requireSeal: true })).toThrow(ProtocolError);
    expect(message.length).toBeGreaterThan(88);
  });

  it('the MIC covers the CHALLENGE bytes: a rewritten CHALLENGE is detected', () => {
    const client = new NtlmClient();
    const server = new NtlmServer();
    const c = decodeChallenge(server.challenge(client.negotiate(), hostNames));
    const reshaped = encodeChallenge({ ...c, flags: (c.flags | F.REQUEST_TARGET | F.IDENTIFY) >>> 0 });
    const result = client.authenticate(reshaped, { user: 'deploy', domain: 'LAB', password: 'S3cret!pass' });
    expect(server.verify(result.message, lookup)).toMatchObject({ ok: false, reason: expect.stringMatching(/MIC mismatch/) });
  });

  it('derives keys from the AUTHENTICATE flags even when they differ from the CHALLENGE', () => {
    // Hand-built AUTHENTICATE (no MIC) that drops 128-bit and KEY_EXCH although the CHALLENGE offered both.
    const server = new NtlmServer();
    const challengeBytes = server.challenge(new NtlmClient().negotiate(), hostNames);
    const c = decodeChallenge(challengeBytes);
    expect(hasFlag(c.flags, F.NEGOTIATE_128) && hasFlag(c.flags, F.KEY_EXCH)).toBe(true);
    const flags = (c.flags & ~F.NEGOTIATE_128 & ~F.KEY_EXCH) >>> 0;
    const key = ntowfv2('S3cret!pass', 'deploy', 'LAB');
    const blob = ntlmv2Blob(findAvPair(c.targetInfo, AvId.Timestamp)!.value, Buffer.alloc(8, 7), encodeAvPairs(c.targetInfo));
    const nt = ntv2Response(key, c.serverChallenge, blob);
    const message = encodeAuthenticate({
      flags,
      lmChallengeResponse: Buffer.alloc(24),
      ntChallengeResponse: nt.response,
      domain: 'LAB',
      user: 'deploy',
      workstation: '',
      encryptedRandomSessionKey: Buffer.alloc(0),
    });
    const verdict = server.verify(message, lookup);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.security.flags).toBe(flags);
    const clientSecurity = new SessionSecurity(sessionBaseKeyV2(key, nt.ntProofStr), flags, 'client');
    const m = clientSecurity.seal(Buffer.from('56-bit sealed'));
    expect(verdict.security.unseal(m.sealed, m.signature).toString()).toBe('56-bit sealed');
    // With the CHALLENGE's flags the keys would differ and nothing would open.
    const wrong = new SessionSecurity(sessionBaseKeyV2(key, nt.ntProofStr), c.flags, 'client').seal(Buffer.from('x'));
    expect(() => verdict.security.unseal(wrong.sealed, wrong.signature)).toThrow(ProtocolError);
  });

  it('challengeFlagsFor: intersection, one charset, NTLM/TARGET_INFO/VERSION/TARGET_TYPE_DOMAIN added', () => {
    const ntlmAuth = 0xe2889032; // Debian ntlm-auth 1.4 NEGOTIATE: OEM, no UNICODE, no NTLM
    const f = challengeFlagsFor(ntlmAuth);
    expect(hasFlag(f, F.OEM)).toBe(true);
    expect(hasFlag(f, F.UNICODE)).toBe(false);
    for (const x of [F.SEAL, F.SIGN, F.KEY_EXCH, F.NTLM, F.TARGET_INFO, F.VERSION, F.TARGET_TYPE_DOMAIN, F.NEGOTIATE_56]) expect(hasFlag(f, x)).toBe(true);
    expect(hasFlag(f, F.OEM_DOMAIN_SUPPLIED)).toBe(false);
    const both = challengeFlagsFor(F.UNICODE | F.OEM | F.SIGN);
    expect(hasFlag(both, F.UNICODE) && !hasFlag(both, F.OEM) && !hasFlag(both, F.SEAL)).toBe(true);
  });
});

describe('NtlmClient misuse', () => {
  it('authenticate() without negotiate() is a programming error, also on a second handshake', () => {
    const server = new NtlmServer();
    const client = new NtlmClient();
    const challenge = server.challenge(client.negotiate(), hostNames);
    expect(() => new NtlmClient().authenticate(challenge, { user: 'u', password: 'p' })).toThrow(/without a preceding negotiate/);
    client.authenticate(challenge, { user: 'u', password: 'p' });
    expect(() => client.authenticate(challenge, { user: 'u', password: 'p' })).toThrow(InternalError);
  });
});

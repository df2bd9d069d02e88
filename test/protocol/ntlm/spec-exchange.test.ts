/**
 * NtlmClient and NtlmServer on the MS-NLMP §4.2.4 exchange itself: with the spec's randomness and clock
 * injected, the client reproduces the spec's responses and keys, and the server accepts the spec's
 * AUTHENTICATE and opens the spec's sealed message.
 */
import { describe, expect, it } from 'vitest';
import { NtlmClient } from '../../../src/protocol/ntlm/client.js';
import { decodeAuthenticate } from '../../../src/protocol/ntlm/messages.js';
import { NtlmServer } from '../../../src/lab/winrm/ntlm-server.js';
import { inputs, v } from './vectors.js';

/** Fake randomness: the spec's client challenge (8 bytes) and RandomSessionKey (16 bytes). */
const specRandom = (n: number): Buffer => {
  if (n === 8) return v('client_challenge');
  if (n === 16) return v('random_session_key');
  throw new Error(`unexpected random length ${n}`);
};
/** FILETIME 0, the spec's Time. */
const specEpoch = () => new Date(Date.UTC(1601, 0, 1));

describe('MS-NLMP 4.2.4 exchange', () => {
  it('the client reproduces the spec responses, key exchange and sealed message', () => {
    const client = new NtlmClient({ randomBytes: specRandom, now: specEpoch });
    client.negotiate();
    const { message, security } = client.authenticate(v('v2_challenge_message'), {
      user: inputs.user,
      domain: inputs.domain,
      password: inputs.password,
      workstation: inputs.workstation,
    });
    const a = decodeAuthenticate(message);
    // No MsvAvTimestamp in the spec CHALLENGE → LMv2 response, no MIC, blob identical to the spec's temp.
    expect(a.lmChallengeResponse).toEqual(v('v2_lm_response'));
    expect(a.ntChallengeResponse).toEqual(v('v2_nt_response'));
    expect(a.encryptedRandomSessionKey).toEqual(v('v2_encrypted_random_session_key'));
    expect(a.mic).toBeUndefined();
    expect([a.user, a.domain, a.workstation]).toEqual([inputs.user, inputs.domain, inputs.workstation]);
    const { sealed, signature } = security.seal(v('plaintext_utf16le'));
    expect(sealed).toEqual(v('v2_wrap_sealed'));
    expect(signature).toEqual(v('v2_wrap_signature'));
  });

  it('the server verifies the spec AUTHENTICATE and unseals the spec message', () => {
    const server = new NtlmServer({ randomBytes: () => v('server_challenge') });
    server.challenge(new NtlmClient().negotiate(), { netbiosDomain: 'Domain', netbiosComputer: 'Server', dnsDomain: '', dnsComputer: '' });
    const verdict = server.verify(v('v2_authenticate_message'), (user, domain) => (user === 'User' && domain === 'Domain' ? 'Password' : null));
    expect(verdict).toMatchObject({ ok: true, user: 'User', domain: 'Domain', workstation: 'COMPUTER' });
    if (!verdict.ok) return;
    expect(verdict.security.unseal(v('v2_wrap_sealed'), v('v2_wrap_signature'))).toEqual(v('plaintext_utf16le'));
  });

  it('the server refuses the spec AUTHENTICATE for any other password, and for the NT hash of another one', () => {
    const server = new NtlmServer({ randomBytes: () => v('server_challenge') });
    server.challenge(new NtlmClient().negotiate(), { netbiosDomain: 'D', netbiosComputer: 'S', dnsDomain: '', dnsComputer: '' });
    expect(server.verify(v('v2_authenticate_message'), () => 'password').ok).toBe(false);
    expect(server.verify(v('v2_authenticate_message'), () => v('ntowfv1')).ok).toBe(true);
    expect(server.verify(v('v2_authenticate_message'), () => Buffer.alloc(16)).ok).toBe(false);
  });
});

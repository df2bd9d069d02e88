/**
 * Fuzz: the NTLM CHALLENGE parser and what the client does with a CHALLENGE (src/protocol/ntlm/).
 * The CHALLENGE is the first thing a server (or anyone in the middle) sends: it must never crash us.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { AuthError, ProtocolError } from '../../src/errors.js';
import { NtlmClient, decodeChallenge, encodeChallenge, parseAvPairs } from '../../src/protocol/ntlm/index.js';
import { fuzz, regressionInputs, rejectsOnlyWith, timed } from './fuzz.js';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

const avPair = fc.record({ id: fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 9, 10, 0x7fff), value: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)) });
const challenge = fc
  .record({
    flags: fc.oneof(fc.constant(0xe2898235), fc.nat({ max: 0xffffffff })),
    targetName: fc.string({ maxLength: 20 }),
    serverChallenge: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((u) => Buffer.from(u)),
    targetInfo: fc.array(avPair, { maxLength: 6 }),
  })
  .map((m) => encodeChallenge(m));

/** A few bytes flipped, or the message cut short or extended. */
const damaged = fc.tuple(challenge, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat(), { nil: undefined })).map(([msg, flips, cut]) => {
  const b = Buffer.from(msg);
  for (const [at, v] of flips) b[at % b.length] = v;
  return cut === undefined ? b : b.subarray(0, cut % (b.length + 20));
});

const randomWithSignature = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.concat([SIGNATURE, Buffer.from([2, 0, 0, 0]), Buffer.from(u)]));

/** Decode it, and answer it as the WinRM client would (NTLMv2 over HTTP: SEAL required). */
function handle(token: Buffer): void {
  rejectsOnlyWith(() => void decodeChallenge(token), [ProtocolError]);
  const client = new NtlmClient();
  client.negotiate();
  rejectsOnlyWith(() => void client.authenticate(token, { user: 'CORP\\svc', password: 'Fuzz!2026' }, { requireSeal: true, targetName: 'HTTP/host' }), [ProtocolError, AuthError]);
}

describe('fuzz: NTLM CHALLENGE', () => {
  for (const { name, bytes } of regressionInputs('ntlm-challenge')) {
    it(`regression input ${name}`, () => timed(() => handle(bytes)));
  }

  it('random bytes, and random bytes behind a CHALLENGE header', () => {
    fuzz(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), randomWithSignature), handle, 500);
  });

  it('valid CHALLENGEs with damaged bytes, cut short or extended', () => {
    fuzz(damaged, handle, 800);
  });

  it('AV pair lists of any shape', () => {
    fuzz(fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)), (b) => rejectsOnlyWith(() => void parseAvPairs(b), [ProtocolError]), 500);
  });
});

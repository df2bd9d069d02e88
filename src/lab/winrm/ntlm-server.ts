/**
 * Acceptor side of NTLMv2 for the lab's WinRM server (MS-NLMP 3.2.5): answers a NEGOTIATE with
 * a CHALLENGE shaped like Windows Server 2019's and verifies the AUTHENTICATE against a password lookup.
 * One NtlmServer per TCP connection (it remembers the NEGOTIATE and CHALLENGE for the MIC). No I/O.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import { channelBindingsAvValue } from '../../protocol/ntlm/channel-binding.js';
import { computeMic, exportedSessionKeyFor, fileTime, kxkeyV2, ntowfv2, ntProofStr, safeEqual, sessionBaseKeyV2 } from '../../protocol/ntlm/crypto.js';
import { hasFlag, NegotiateFlags as F } from '../../protocol/ntlm/flags.js';
import {
  AvFlags,
  AvId,
  avFlagsOf,
  avString,
  decodeAuthenticate,
  decodeNegotiate,
  decodeNtlmv2Response,
  encodeChallenge,
  findAvPair,
  WINDOWS_SERVER_2019,
  withZeroMic,
  type NtlmVersion,
} from '../../protocol/ntlm/messages.js';
import { SessionSecurity } from '../../protocol/ntlm/sealing.js';

/** Flags the lab server can grant; the CHALLENGE carries the client's request intersected with these. */
export const SERVER_SUPPORTED_FLAGS =
  (F.UNICODE |
    F.OEM |
    F.REQUEST_TARGET |
    F.SIGN |
    F.SEAL |
    F.NTLM |
    F.ALWAYS_SIGN |
    F.EXTENDED_SESSIONSECURITY |
    F.TARGET_INFO |
    F.VERSION |
    F.NEGOTIATE_128 |
    F.KEY_EXCH |
    F.NEGOTIATE_56) >>>
  0;

export interface ChallengeOptions {
  netbiosDomain: string;
  netbiosComputer: string;
  dnsDomain: string;
  dnsComputer: string;
}

export interface NtlmServerOptions {
  randomBytes?: (n: number) => Buffer;
  now?: () => Date;
  version?: NtlmVersion;
}

export interface VerifyOptions {
  /** Expected channel-binding application data ("tls-server-end-point:" ‖ hash of our certificate). */
  channelBindings?: Buffer;
  /** Reject clients that send no channel binding (CbtHardeningLevel Strict). Default: relaxed. */
  requireChannelBindings?: boolean;
}

export type VerifyResult =
  | { ok: true; user: string; domain: string; workstation: string; security: SessionSecurity }
  | { ok: false; reason: string };

/** Password of an account (or its 16-byte NT hash), null when the account does not exist. */
export type PasswordLookup = (user: string, domain: string) => string | Buffer | null;

/**
 * Flags of the CHALLENGE for a client's NEGOTIATE flags: the intersection with what we support, one
 * character set (Unicode when offered), and what Windows always adds: NTLM, TARGET_INFO (NTLMv2 needs
 * the AV pairs), VERSION (we always fill it) and TARGET_TYPE_DOMAIN. SEAL/SIGN are echoed when asked.
 */
export function challengeFlagsFor(clientFlags: number): number {
  let flags = (clientFlags & SERVER_SUPPORTED_FLAGS) >>> 0;
  if (hasFlag(flags, F.UNICODE)) flags &= ~F.OEM;
  else if (!hasFlag(flags, F.OEM)) flags |= F.UNICODE;
  return (flags | F.NTLM | F.TARGET_INFO | F.VERSION | F.TARGET_TYPE_DOMAIN) >>> 0;
}

export class NtlmServer {
  private readonly random: (n: number) => Buffer;
  private readonly now: () => Date;
  private readonly version: NtlmVersion;
  private negotiateMessage: Buffer | undefined;
  private challengeMessage: Buffer | undefined;
  private serverChallenge: Buffer | undefined;

  constructor(opts: NtlmServerOptions = {}) {
    this.random = opts.randomBytes ?? nodeRandomBytes;
    this.now = opts.now ?? (() => new Date());
    this.version = opts.version ?? WINDOWS_SERVER_2019;
  }

  /** Builds the CHALLENGE (type 2) for a NEGOTIATE (type 1). Throws ProtocolError on a malformed NEGOTIATE. */
  challenge(negotiateMsg: Buffer, opts: ChallengeOptions): Buffer {
    const negotiate = decodeNegotiate(negotiateMsg);
    const serverChallenge = this.random(8);
    const message = encodeChallenge({
      flags: challengeFlagsFor(negotiate.flags),
      targetName: opts.netbiosDomain,
      serverChallenge,
      targetInfo: [
        avString(AvId.NbDomainName, opts.netbiosDomain),
        avString(AvId.NbComputerName, opts.netbiosComputer),
        avString(AvId.DnsDomainName, opts.dnsDomain),
        avString(AvId.DnsComputerName, opts.dnsComputer),
        avString(AvId.DnsTreeName, opts.dnsDomain),
        { id: AvId.Timestamp, value: fileTime(this.now()) },
      ],
      version: this.version,
    });
    this.negotiateMessage = Buffer.from(negotiateMsg);
    this.challengeMessage = message;
    this.serverChallenge = serverChallenge;
    return Buffer.from(message);
  }

  /**
   * Checks an AUTHENTICATE (type 3): recomputes NTOWFv2 from the looked-up password with the user and
   * domain as sent, compares the NTProofStr in constant time, checks the MIC when the client flags one,
   * and the channel binding when asked. Keys come from the AUTHENTICATE's flags, not the CHALLENGE's.
   * Malformed input is a refusal (`ok: false`), not an exception; calling it before challenge() throws.
   */
  verify(authenticateMsg: Buffer, lookupPassword: PasswordLookup, opts: VerifyOptions = {}): VerifyResult {
    if (!this.serverChallenge || !this.negotiateMessage || !this.challengeMessage) {
      throw new ProtocolError('NTLM: verify() called before challenge() on this connection');
    }
    try {
      return this.check(authenticateMsg, lookupPassword, opts, this.serverChallenge, this.negotiateMessage, this.challengeMessage);
    } catch (err) {
      if (err instanceof ProtocolError) return { ok: false, reason: err.detail };
      throw err;
    }
  }

  private check(auth: Buffer, lookup: PasswordLookup, opts: VerifyOptions, serverChallenge: Buffer, negotiate: Buffer, challenge: Buffer): VerifyResult {
    const msg = decodeAuthenticate(auth);
    if (msg.ntChallengeResponse.length === 0 || hasFlag(msg.flags, F.ANONYMOUS)) return { ok: false, reason: 'anonymous authentication is not accepted' };
    const response = decodeNtlmv2Response(msg.ntChallengeResponse);

    const secret = lookup(msg.user, msg.domain);
    if (secret === null) return { ok: false, reason: `unknown account ${msg.domain ? msg.domain + '\\' : ''}${msg.user}` };
    const responseKey = ntowfv2(secret, msg.user, msg.domain);
    const expectedProof = ntProofStr(responseKey, serverChallenge, response.blob);
    if (!safeEqual(expectedProof, response.ntProofStr)) {
      return { ok: false, reason: `NTProofStr mismatch for ${msg.domain ? msg.domain + '\\' : ''}${msg.user} (wrong password, or the response is for another challenge)` };
    }

    const keyExchangeKey = kxkeyV2(sessionBaseKeyV2(responseKey, response.ntProofStr));
    if (hasFlag(msg.flags, F.KEY_EXCH) && msg.encryptedRandomSessionKey.length !== 16) {
      return { ok: false, reason: `KEY_EXCH negotiated but EncryptedRandomSessionKey is ${msg.encryptedRandomSessionKey.length} bytes` };
    }
    const exportedSessionKey = exportedSessionKeyFor(msg.flags, keyExchangeKey, msg.encryptedRandomSessionKey);

    if (avFlagsOf(response.avPairs) & AvFlags.MIC_PRESENT) {
      if (!msg.mic) return { ok: false, reason: 'the client flags a MIC but the AUTHENTICATE has no room for one' };
      const expectedMic = computeMic(exportedSessionKey, negotiate, challenge, withZeroMic(auth));
      if (!safeEqual(expectedMic, msg.mic)) return { ok: false, reason: 'MIC mismatch: the NTLM messages were altered in transit' };
    }

    const cbt = this.checkChannelBindings(response.avPairs, opts);
    if (cbt) return { ok: false, reason: cbt };

    return {
      ok: true,
      user: msg.user,
      domain: msg.domain,
      workstation: msg.workstation,
      security: new SessionSecurity(exportedSessionKey, msg.flags, 'server'),
    };
  }

  /** Relaxed by default: a missing or all-zero binding passes unless required; a wrong one never does. */
  private checkChannelBindings(pairs: ReturnType<typeof decodeNtlmv2Response>['avPairs'], opts: VerifyOptions): string | undefined {
    const sent = findAvPair(pairs, AvId.ChannelBindings);
    const present = sent !== undefined && sent.value.some((b) => b !== 0);
    if (!present) return opts.requireChannelBindings ? 'the client sent no channel binding (required on this endpoint)' : undefined;
    if (!opts.channelBindings) return undefined;
    const expected = channelBindingsAvValue(opts.channelBindings);
    return safeEqual(expected, sent.value) ? undefined : 'channel binding mismatch: the client saw a different TLS certificate';
  }
}

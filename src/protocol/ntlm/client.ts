/**
 * Initiator side of NTLMv2 (MS-NLMP 3.1.5): builds the NEGOTIATE, answers a CHALLENGE
 * with an AUTHENTICATE (MIC when the server sent a timestamp, channel bindings over HTTPS) and returns the
 * SessionSecurity for the connection. No I/O: randomness and the clock can be injected for tests.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { InternalError, ProtocolError } from '../../errors.js';
import { channelBindingsAvValue } from './channel-binding.js';
import {
  computeMic,
  encryptRandomSessionKey,
  fileTime,
  kxkeyV2,
  lmv2Response,
  ntlmv2Blob,
  ntowfv2,
  ntv2Response,
  sessionBaseKeyV2,
} from './crypto.js';
import { describeFlags, hasFlag, NegotiateFlags as F } from './flags.js';
import {
  AvFlags,
  AvId,
  avFlagsOf,
  avFlagsPair,
  avString,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
  encodeNegotiate,
  findAvPair,
  MIC_OFFSET,
  type AvPair,
  type NtlmVersion,
} from './messages.js';
import { SessionSecurity } from './sealing.js';

/** What we ask for: everything sealing needs (the ntlm-auth defaults) plus NTLM and REQUEST_TARGET. */
export const CLIENT_NEGOTIATE_FLAGS =
  (F.UNICODE |
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

/** Version we announce: Windows 10 / Server 2019 build, NTLM revision 15. */
const CLIENT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 17763, revision: 15 };

export interface NtlmCredentials {
  /** `user`, `DOMAIN\user` or `user@dns.domain`. */
  user: string;
  /** Ignored when `user` is written as `DOMAIN\user` or as a UPN. */
  domain?: string;
  password: string;
  workstation?: string;
}

export interface AuthenticateOptions {
  /** Application data of the channel binding: "tls-server-end-point:" ‖ certificate hash (see channel-binding.ts). */
  channelBindings?: Buffer;
  /** SPN of the service, e.g. `HTTP/host.example.com` (MsvAvTargetName). */
  targetName?: string;
  /** Refuse a CHALLENGE that does not grant SEAL (use over plain HTTP). Overrides the constructor option. */
  requireSeal?: boolean;
}

export interface NtlmClientOptions {
  requireSeal?: boolean;
  randomBytes?: (n: number) => Buffer;
  now?: () => Date;
}

export interface AuthenticateResult {
  message: Buffer;
  security: SessionSecurity;
}

/**
 * Splits an account name the way Windows SSPI does: `DOMAIN\user` → user + domain; a UPN
 * (`user@dns.domain`) is sent whole as the user name with an empty domain (any default domain is dropped,
 * as SSPI, requests-ntlm and Chromium do); anything else is a bare user in `defaultDomain`.
 */
export function parseAccountName(name: string, defaultDomain = ''): { user: string; domain: string } {
  const slash = name.indexOf('\\');
  if (slash >= 0) return { domain: name.slice(0, slash), user: name.slice(slash + 1) };
  if (name.includes('@')) return { user: name, domain: '' };
  return { user: name, domain: defaultDomain };
}

export class NtlmClient {
  private negotiateMessage: Buffer | undefined;
  private readonly requireSeal: boolean;
  private readonly random: (n: number) => Buffer;
  private readonly now: () => Date;

  constructor(opts: NtlmClientOptions = {}) {
    this.requireSeal = opts.requireSeal ?? false;
    this.random = opts.randomBytes ?? nodeRandomBytes;
    this.now = opts.now ?? (() => new Date());
  }

  /** The NEGOTIATE message (type 1). Kept for the MIC: call it once per handshake, before authenticate(). */
  negotiate(): Buffer {
    this.negotiateMessage = encodeNegotiate({ flags: CLIENT_NEGOTIATE_FLAGS, domain: '', workstation: '', version: CLIENT_VERSION });
    return Buffer.from(this.negotiateMessage);
  }

  /** Answers `challengeMsg` (type 2) with an AUTHENTICATE (type 3) and the keyed session security. */
  authenticate(challengeMsg: Buffer, creds: NtlmCredentials, opts: AuthenticateOptions = {}): AuthenticateResult {
    const negotiateMessage = this.negotiateMessage;
    // The MIC covers the NEGOTIATE actually sent, so it must come from negotiate() on this handshake.
    if (!negotiateMessage) throw new InternalError('NTLM: authenticate() called without a preceding negotiate() on this handshake');
    const challenge = decodeChallenge(challengeMsg);
    const flags = this.negotiatedFlags(challenge.flags, opts.requireSeal ?? this.requireSeal);

    const { user, domain } = parseAccountName(creds.user, creds.domain ?? '');
    const serverTimestamp = findAvPair(challenge.targetInfo, AvId.Timestamp);
    if (serverTimestamp && serverTimestamp.value.length !== 8) {
      throw new ProtocolError(`NTLM CHALLENGE: MsvAvTimestamp must be 8 bytes, got ${serverTimestamp.value.length}`);
    }
    const withMic = serverTimestamp !== undefined;
    const timestamp = serverTimestamp ? serverTimestamp.value : fileTime(this.now());
    const clientChallenge = this.random(8);

    const responseKey = ntowfv2(creds.password, user, domain);
    const blob = ntlmv2Blob(timestamp, clientChallenge, encodeAvPairs(this.clientAvPairs(challenge.targetInfo, withMic, opts)));
    const { response: ntResponse, ntProofStr } = ntv2Response(responseKey, challenge.serverChallenge, blob);
    // MS-NLMP 3.1.5.1.2: with a server timestamp the LM response is Z(24) (the MIC protects the exchange instead).
    const lmResponse = withMic ? Buffer.alloc(24) : lmv2Response(responseKey, challenge.serverChallenge, clientChallenge);

    const keyExchangeKey = kxkeyV2(sessionBaseKeyV2(responseKey, ntProofStr));
    let exportedSessionKey: Buffer = keyExchangeKey;
    let encryptedRandomSessionKey: Buffer = Buffer.alloc(0);
    if (hasFlag(flags, F.KEY_EXCH)) {
      exportedSessionKey = this.random(16);
      encryptedRandomSessionKey = encryptRandomSessionKey(keyExchangeKey, exportedSessionKey);
    }

    const message = encodeAuthenticate(
      {
        flags,
        lmChallengeResponse: lmResponse,
        ntChallengeResponse: ntResponse,
        domain,
        user,
        workstation: creds.workstation ?? '',
        encryptedRandomSessionKey,
        version: CLIENT_VERSION,
      },
      { withMic },
    );
    if (withMic) computeMic(exportedSessionKey, negotiateMessage, challengeMsg, message).copy(message, MIC_OFFSET);
    this.negotiateMessage = undefined;
    return { message, security: new SessionSecurity(exportedSessionKey, flags, 'client') };
  }

  /** Flags for the AUTHENTICATE: what both sides agreed on; refuses a context that cannot seal when sealing is required. */
  private negotiatedFlags(challengeFlags: number, requireSeal: boolean): number {
    if (requireSeal) {
      const needed = [F.SEAL, F.SIGN, F.EXTENDED_SESSIONSECURITY] as const;
      const missing = needed.filter((f) => !hasFlag(challengeFlags, f));
      if (missing.length > 0) {
        throw new ProtocolError(
          `NTLM: the server's CHALLENGE does not grant message sealing (flags ${describeFlags(challengeFlags)}); refusing to send credentials-derived traffic unencrypted over HTTP`,
          { hint: 'Use HTTPS for this host, or check that the WinRM service allows NTLM message encryption.' },
        );
      }
    }
    if (!hasFlag(challengeFlags, F.UNICODE) && !hasFlag(challengeFlags, F.OEM)) {
      throw new ProtocolError(`NTLM: the server's CHALLENGE selects no character set (flags ${describeFlags(challengeFlags)})`);
    }
    let flags = (challengeFlags & CLIENT_NEGOTIATE_FLAGS) >>> 0;
    if (hasFlag(challengeFlags, F.OEM) && !hasFlag(challengeFlags, F.UNICODE)) flags |= F.OEM;
    // We always fill the Version field of the AUTHENTICATE.
    return (flags | F.VERSION) >>> 0;
  }

  /** The server's AV pairs plus ours: MsvAvFlags (MIC present), channel bindings, target name. */
  private clientAvPairs(serverPairs: readonly AvPair[], withMic: boolean, opts: AuthenticateOptions): AvPair[] {
    const skip = new Set<number>([AvId.EOL, AvId.Flags, AvId.ChannelBindings, AvId.TargetName]);
    const pairs = serverPairs.filter((p) => !skip.has(p.id));
    const avFlags = (avFlagsOf(serverPairs) | (withMic ? AvFlags.MIC_PRESENT : 0)) >>> 0;
    if (avFlags !== 0) pairs.push(avFlagsPair(avFlags));
    if (opts.channelBindings) pairs.push({ id: AvId.ChannelBindings, value: channelBindingsAvValue(opts.channelBindings) });
    if (opts.targetName) pairs.push(avString(AvId.TargetName, opts.targetName));
    return pairs;
  }
}

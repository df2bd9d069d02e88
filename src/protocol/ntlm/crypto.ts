/**
 * NTLMv2 computations (MS-NLMP 3.3.2, 3.4.5) as pure functions over Buffers.
 * MD4 and RC4 come from our own TypeScript implementations; MD5 and HMAC-MD5 from node:crypto, which
 * OpenSSL 3 still provides by default.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { hasFlag, NegotiateFlags } from './flags.js';
import { md4 } from './md4.js';
import { rc4k } from './rc4.js';

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function utf16le(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

/** NTOWFv1 = MD4(UTF-16LE(password)), the "NT hash". */
export function ntowfv1(password: string): Buffer {
  return md4(utf16le(password));
}

/**
 * NTOWFv2 = HMAC_MD5(NT hash, UTF-16LE(UPPER(user) ‖ domain)). The user is upper-cased, the domain is
 * taken exactly as sent (MS-NLMP 3.3.2). Accepts the password or a precomputed 16-byte NT hash.
 */
export function ntowfv2(passwordOrNtHash: string | Buffer, user: string, domain: string): Buffer {
  const ntHash = typeof passwordOrNtHash === 'string' ? ntowfv1(passwordOrNtHash) : passwordOrNtHash;
  return hmacMd5(ntHash, utf16le(user.toUpperCase() + domain));
}

/** Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** 8-byte little-endian FILETIME (100 ns ticks since 1601) for a JS date. */
export function fileTime(date: Date): Buffer {
  const ticks = (BigInt(date.getTime()) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(ticks);
  return out;
}

/** The JS date of an 8-byte FILETIME (millisecond precision). */
export function dateFromFileTime(ft: Buffer): Date {
  const ticks = ft.readBigUInt64LE(0);
  return new Date(Number(ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS));
}

/**
 * The NTLMv2 client blob ("temp" in MS-NLMP 3.3.2): RespType 1, HiRespType 1, Z(6), timestamp,
 * client challenge, Z(4), AV pairs (already terminated by MsvAvEOL), Z(4).
 */
export function ntlmv2Blob(timestamp: Buffer, clientChallenge: Buffer, avPairs: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), timestamp, clientChallenge, Buffer.alloc(4), avPairs, Buffer.alloc(4)]);
}

/** NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp). */
export function ntProofStr(responseKeyNt: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return hmacMd5(responseKeyNt, serverChallenge, blob);
}

/** NtChallengeResponse = NTProofStr ‖ temp, plus the NTProofStr itself. */
export function ntv2Response(responseKeyNt: Buffer, serverChallenge: Buffer, blob: Buffer): { response: Buffer; ntProofStr: Buffer } {
  const proof = ntProofStr(responseKeyNt, serverChallenge, blob);
  return { response: Buffer.concat([proof, blob]), ntProofStr: proof };
}

/** LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge (24 bytes). */
export function lmv2Response(responseKeyLm: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
  return Buffer.concat([hmacMd5(responseKeyLm, serverChallenge, clientChallenge), clientChallenge]);
}

/** SessionBaseKey (NTLMv2) = HMAC_MD5(ResponseKeyNT, NTProofStr). */
export function sessionBaseKeyV2(responseKeyNt: Buffer, proof: Buffer): Buffer {
  return hmacMd5(responseKeyNt, proof);
}

/** KXKEY for NTLMv2 is the SessionBaseKey itself (MS-NLMP 3.4.5.1). */
export function kxkeyV2(sessionBaseKey: Buffer): Buffer {
  return Buffer.from(sessionBaseKey);
}

/** EncryptedRandomSessionKey = RC4K(KeyExchangeKey, ExportedSessionKey). Same function decrypts. */
export function encryptRandomSessionKey(keyExchangeKey: Buffer, randomSessionKey: Buffer): Buffer {
  return rc4k(keyExchangeKey, randomSessionKey);
}

/** ExportedSessionKey on the accepting side: decrypt the client's key when KEY_EXCH, else the KXKEY itself. */
export function exportedSessionKeyFor(flags: number, keyExchangeKey: Buffer, encryptedRandomSessionKey: Buffer): Buffer {
  if (hasFlag(flags, NegotiateFlags.KEY_EXCH) && encryptedRandomSessionKey.length > 0) {
    return encryptRandomSessionKey(keyExchangeKey, encryptedRandomSessionKey);
  }
  return Buffer.from(keyExchangeKey);
}

/** Which side's keys: client-to-server or server-to-client (MS-NLMP 3.4.5.2/3). */
export type KeyDirection = 'client-to-server' | 'server-to-client';

const SIGN_MAGIC: Record<KeyDirection, Buffer> = {
  'client-to-server': Buffer.from('session key to client-to-server signing key magic constant\0', 'latin1'),
  'server-to-client': Buffer.from('session key to server-to-client signing key magic constant\0', 'latin1'),
};
const SEAL_MAGIC: Record<KeyDirection, Buffer> = {
  'client-to-server': Buffer.from('session key to client-to-server sealing key magic constant\0', 'latin1'),
  'server-to-client': Buffer.from('session key to server-to-client sealing key magic constant\0', 'latin1'),
};

/** SIGNKEY with extended session security = MD5(ExportedSessionKey ‖ magic). */
export function signKey(exportedSessionKey: Buffer, direction: KeyDirection): Buffer {
  return md5(exportedSessionKey, SIGN_MAGIC[direction]);
}

/**
 * SEALKEY with extended session security: MD5 over the first 16 (128-bit), 7 (56-bit) or 5 (40-bit)
 * bytes of the ExportedSessionKey and the magic constant, chosen by the negotiated flags.
 */
export function sealKey(exportedSessionKey: Buffer, flags: number, direction: KeyDirection): Buffer {
  let keyBytes = 5;
  if (hasFlag(flags, NegotiateFlags.NEGOTIATE_128)) keyBytes = 16;
  else if (hasFlag(flags, NegotiateFlags.NEGOTIATE_56)) keyBytes = 7;
  return md5(exportedSessionKey.subarray(0, keyBytes), SEAL_MAGIC[direction]);
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE-with-zeroed-MIC). */
export function computeMic(exportedSessionKey: Buffer, negotiate: Buffer, challenge: Buffer, authenticateWithZeroMic: Buffer): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticateWithZeroMic);
}

/** Constant-time comparison that is false (not an exception) for different lengths. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * NTLM message encoding and decoding (MS-NLMP 2.2.1–2.2.2): NEGOTIATE, CHALLENGE (with the TargetInfo
 * AV pairs) and AUTHENTICATE (with the MIC at offset 72 after the Version). Decoders check every length
 * and offset and throw ProtocolError on anything malformed; they never read outside the buffer.
 */
import { ProtocolError } from '../../errors.js';
import { hasFlag, NegotiateFlags } from './flags.js';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const MessageType = { NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3 } as const;

/** AV pair ids, MS-NLMP 2.2.2.1. */
export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const;

/** Bits of the MsvAvFlags value. */
export const AvFlags = { CONSTRAINED: 0x1, MIC_PRESENT: 0x2, UNTRUSTED_SPN_SOURCE: 0x4 } as const;

export interface AvPair {
  id: number;
  value: Buffer;
}

/** Version structure (MS-NLMP 2.2.2.10). */
export interface NtlmVersion {
  major: number;
  minor: number;
  build: number;
  /** NTLM revision, 15 for every current Windows. */
  revision: number;
}

/** Windows Server 2019: 10.0.17763, NTLM revision 15. */
export const WINDOWS_SERVER_2019: NtlmVersion = { major: 10, minor: 0, build: 17763, revision: 15 };

export interface NegotiateMessage {
  flags: number;
  /** OEM domain name the client volunteered (usually empty). */
  domain: string;
  workstation: string;
  version?: NtlmVersion;
}

export interface ChallengeMessage {
  flags: number;
  targetName: string;
  serverChallenge: Buffer;
  targetInfo: AvPair[];
  version?: NtlmVersion;
}

export interface AuthenticateMessage {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: NtlmVersion;
  /** The 16-byte MIC, when the message has room for one (payload starts at or after offset 88). */
  mic?: Buffer;
}

/** Byte offset of the MIC inside an AUTHENTICATE message that carries the Version and a MIC. */
export const MIC_OFFSET = 72;
const NEGOTIATE_HEADER = 32;
const CHALLENGE_HEADER = 48;
const AUTHENTICATE_HEADER = 64;
const VERSION_LENGTH = 8;
const MIC_LENGTH = 16;

// ---------------------------------------------------------------- AV pairs

/** AV pairs as the spec lays them out: (id u16, len u16, value)*, terminated by MsvAvEOL. */
export function parseAvPairs(buf: Buffer, where = 'TargetInfo'): AvPair[] {
  const pairs: AvPair[] = [];
  let at = 0;
  for (;;) {
    if (at + 4 > buf.length) throw new ProtocolError(`NTLM ${where}: AV pair list ends at byte ${at} without MsvAvEOL`);
    const id = buf.readUInt16LE(at);
    const len = buf.readUInt16LE(at + 2);
    if (id === AvId.EOL) {
      if (len !== 0) throw new ProtocolError(`NTLM ${where}: MsvAvEOL at byte ${at} has length ${len}, expected 0`);
      return pairs;
    }
    if (at + 4 + len > buf.length) {
      throw new ProtocolError(`NTLM ${where}: AV pair ${id} at byte ${at} claims ${len} bytes but only ${buf.length - at - 4} remain`);
    }
    pairs.push({ id, value: Buffer.from(buf.subarray(at + 4, at + 4 + len)) });
    at += 4 + len;
  }
}

/** Encodes AV pairs and appends MsvAvEOL (an EOL inside `pairs` is dropped). */
export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    if (p.id === AvId.EOL) continue;
    if (p.value.length > 0xffff) throw new ProtocolError(`NTLM: AV pair ${p.id} value too long (${p.value.length} bytes)`);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(p.id, 0);
    head.writeUInt16LE(p.value.length, 2);
    parts.push(head, p.value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function findAvPair(pairs: readonly AvPair[], id: number): AvPair | undefined {
  return pairs.find((p) => p.id === id);
}

/** AV pair with a UTF-16LE string value (names are always Unicode, whatever the negotiated charset). */
export function avString(id: number, text: string): AvPair {
  return { id, value: Buffer.from(text, 'utf16le') };
}

export function avFlagsPair(flags: number): AvPair {
  const value = Buffer.alloc(4);
  value.writeUInt32LE(flags >>> 0);
  return { id: AvId.Flags, value };
}

/** The MsvAvFlags value of a list, 0 when absent. */
export function avFlagsOf(pairs: readonly AvPair[]): number {
  const p = findAvPair(pairs, AvId.Flags);
  if (!p) return 0;
  if (p.value.length !== 4) throw new ProtocolError(`NTLM: MsvAvFlags must be 4 bytes, got ${p.value.length}`);
  return p.value.readUInt32LE(0);
}

/** Text of a string AV pair, or undefined. */
export function avStringOf(pairs: readonly AvPair[], id: number): string | undefined {
  const p = findAvPair(pairs, id);
  return p ? p.value.toString('utf16le') : undefined;
}

// ---------------------------------------------------------------- shared helpers

function encodeVersion(v: NtlmVersion): Buffer {
  const out = Buffer.alloc(VERSION_LENGTH);
  out.writeUInt8(v.major, 0);
  out.writeUInt8(v.minor, 1);
  out.writeUInt16LE(v.build, 2);
  out.writeUInt8(v.revision, 7);
  return out;
}

function decodeVersion(buf: Buffer, at: number): NtlmVersion {
  return { major: buf.readUInt8(at), minor: buf.readUInt8(at + 1), build: buf.readUInt16LE(at + 2), revision: buf.readUInt8(at + 7) };
}

function encodeText(text: string, unicode: boolean): Buffer {
  return Buffer.from(text, unicode ? 'utf16le' : 'latin1');
}

function checkHeader(buf: Buffer, type: number, minLength: number, name: string): void {
  if (!Buffer.isBuffer(buf)) throw new ProtocolError(`NTLM ${name}: expected bytes`);
  if (buf.length < minLength) throw new ProtocolError(`NTLM ${name}: message is ${buf.length} bytes, shorter than its ${minLength}-byte header`);
  if (!buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw new ProtocolError(`NTLM ${name}: missing the NTLMSSP signature`);
  const got = buf.readUInt32LE(8);
  if (got !== type) throw new ProtocolError(`NTLM ${name}: message type is ${got}, expected ${type}`);
}

interface Field {
  len: number;
  offset: number;
}

/** Reads a (len u16, maxLen u16, offset u32) descriptor at `at` and checks it fits the message. */
function readField(buf: Buffer, at: number, headerEnd: number, msg: string, field: string): Field {
  const len = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (len === 0) return { len: 0, offset };
  if (offset < headerEnd) {
    throw new ProtocolError(`NTLM ${msg}: ${field} offset ${offset} points into the ${headerEnd}-byte header`);
  }
  if (offset + len > buf.length) {
    throw new ProtocolError(`NTLM ${msg}: ${field} (${len} bytes at offset ${offset}) runs past the end of the ${buf.length}-byte message`);
  }
  return { len, offset };
}

function fieldBytes(buf: Buffer, f: Field): Buffer {
  return Buffer.from(buf.subarray(f.offset, f.offset + f.len));
}

function fieldText(buf: Buffer, f: Field, unicode: boolean, msg: string, field: string): string {
  if (unicode && f.len % 2 !== 0) throw new ProtocolError(`NTLM ${msg}: ${field} has an odd length (${f.len}) for UTF-16`);
  return buf.toString(unicode ? 'utf16le' : 'latin1', f.offset, f.offset + f.len);
}

/** Lowest payload offset of the non-empty fields (where the fixed part must end), or the message length. */
function payloadStart(fields: Field[], messageLength: number): number {
  return fields.filter((f) => f.len > 0).reduce((min, f) => Math.min(min, f.offset), messageLength);
}

/** Lays out payload blobs after a header and returns the descriptors' (len, offset) pairs. */
class PayloadWriter {
  private readonly parts: Buffer[] = [];
  private cursor: number;
  constructor(headerLength: number) {
    this.cursor = headerLength;
  }
  add(data: Buffer): Field {
    if (data.length > 0xffff) throw new ProtocolError(`NTLM: field of ${data.length} bytes does not fit a message`);
    const f = { len: data.length, offset: this.cursor };
    this.parts.push(data);
    this.cursor += data.length;
    return f;
  }
  get payload(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeField(buf: Buffer, at: number, f: Field): void {
  buf.writeUInt16LE(f.len, at);
  buf.writeUInt16LE(f.len, at + 2);
  buf.writeUInt32LE(f.offset, at + 4);
}

function startMessage(headerLength: number, type: number): Buffer {
  const head = Buffer.alloc(headerLength);
  NTLMSSP_SIGNATURE.copy(head, 0);
  head.writeUInt32LE(type, 8);
  return head;
}

// ---------------------------------------------------------------- NEGOTIATE

export function encodeNegotiate(msg: NegotiateMessage): Buffer {
  const headerLength = NEGOTIATE_HEADER + VERSION_LENGTH;
  const head = startMessage(headerLength, MessageType.NEGOTIATE);
  let flags = msg.flags >>> 0;
  const w = new PayloadWriter(headerLength);
  const domain = w.add(Buffer.from(msg.domain, 'latin1'));
  const workstation = w.add(Buffer.from(msg.workstation, 'latin1'));
  if (msg.domain) flags |= NegotiateFlags.OEM_DOMAIN_SUPPLIED;
  if (msg.workstation) flags |= NegotiateFlags.OEM_WORKSTATION_SUPPLIED;
  if (msg.version) flags |= NegotiateFlags.VERSION;
  head.writeUInt32LE(flags >>> 0, 12);
  writeField(head, 16, domain);
  writeField(head, 24, workstation);
  if (msg.version) encodeVersion(msg.version).copy(head, 32);
  return Buffer.concat([head, w.payload]);
}

export function decodeNegotiate(buf: Buffer): NegotiateMessage {
  const name = 'NEGOTIATE';
  checkHeader(buf, MessageType.NEGOTIATE, 16, name);
  const flags = buf.readUInt32LE(12);
  // Very old clients end the message after the flags; treat the missing fields as empty.
  if (buf.length === 16) return { flags, domain: '', workstation: '' };
  if (buf.length < NEGOTIATE_HEADER) throw new ProtocolError(`NTLM ${name}: message is ${buf.length} bytes, shorter than its ${NEGOTIATE_HEADER}-byte header`);
  const domain = readField(buf, 16, NEGOTIATE_HEADER, name, 'DomainName');
  const workstation = readField(buf, 24, NEGOTIATE_HEADER, name, 'Workstation');
  const msg: NegotiateMessage = {
    flags,
    domain: fieldText(buf, domain, false, name, 'DomainName'),
    workstation: fieldText(buf, workstation, false, name, 'Workstation'),
  };
  const start = payloadStart([domain, workstation], buf.length);
  if (hasFlag(flags, NegotiateFlags.VERSION) && start >= NEGOTIATE_HEADER + VERSION_LENGTH) msg.version = decodeVersion(buf, NEGOTIATE_HEADER);
  return msg;
}

// ---------------------------------------------------------------- CHALLENGE

/** Encodes a CHALLENGE; TargetName is written in the charset the flags select, TargetInfo gets MsvAvEOL. */
export function encodeChallenge(msg: ChallengeMessage): Buffer {
  if (msg.serverChallenge.length !== 8) throw new ProtocolError(`NTLM CHALLENGE: server challenge must be 8 bytes, got ${msg.serverChallenge.length}`);
  const headerLength = CHALLENGE_HEADER + VERSION_LENGTH;
  const head = startMessage(headerLength, MessageType.CHALLENGE);
  const unicode = hasFlag(msg.flags, NegotiateFlags.UNICODE);
  const w = new PayloadWriter(headerLength);
  const targetName = w.add(encodeText(msg.targetName, unicode));
  const targetInfo = w.add(msg.targetInfo.length > 0 ? encodeAvPairs(msg.targetInfo) : Buffer.alloc(0));
  writeField(head, 12, targetName);
  head.writeUInt32LE(msg.flags >>> 0, 20);
  msg.serverChallenge.copy(head, 24);
  writeField(head, 40, targetInfo);
  if (msg.version) encodeVersion(msg.version).copy(head, 48);
  return Buffer.concat([head, w.payload]);
}

export function decodeChallenge(buf: Buffer): ChallengeMessage {
  const name = 'CHALLENGE';
  checkHeader(buf, MessageType.CHALLENGE, 32, name);
  const flags = buf.readUInt32LE(20);
  const unicode = hasFlag(flags, NegotiateFlags.UNICODE);
  const hasInfoFields = buf.length >= CHALLENGE_HEADER;
  const minHeader = hasInfoFields ? CHALLENGE_HEADER : 32;
  const targetNameField = readField(buf, 12, minHeader, name, 'TargetName');
  const targetInfoField = hasInfoFields ? readField(buf, 40, minHeader, name, 'TargetInfo') : { len: 0, offset: 0 };
  const msg: ChallengeMessage = {
    flags,
    targetName: fieldText(buf, targetNameField, unicode, name, 'TargetName'),
    serverChallenge: Buffer.from(buf.subarray(24, 32)),
    targetInfo: targetInfoField.len > 0 ? parseAvPairs(fieldBytes(buf, targetInfoField), 'CHALLENGE TargetInfo') : [],
  };
  const start = payloadStart([targetNameField, targetInfoField], buf.length);
  if (hasInfoFields && hasFlag(flags, NegotiateFlags.VERSION) && start >= CHALLENGE_HEADER + VERSION_LENGTH) {
    msg.version = decodeVersion(buf, CHALLENGE_HEADER);
  }
  return msg;
}

// ---------------------------------------------------------------- AUTHENTICATE

export interface EncodeAuthenticateOptions {
  /** Reserve the 16-byte MIC field at offset 72 (filled with `msg.mic` or zeros). */
  withMic?: boolean;
}

/**
 * Encodes an AUTHENTICATE. Payload order as Windows writes it: Domain, User, Workstation, LM, NT,
 * EncryptedRandomSessionKey. With a MIC the Version is always written (the MIC sits after it).
 */
export function encodeAuthenticate(msg: AuthenticateMessage, opts: EncodeAuthenticateOptions = {}): Buffer {
  const withMic = opts.withMic ?? msg.mic !== undefined;
  if (msg.mic && msg.mic.length !== MIC_LENGTH) throw new ProtocolError(`NTLM AUTHENTICATE: MIC must be 16 bytes, got ${msg.mic.length}`);
  const withVersion = withMic || msg.version !== undefined;
  const headerLength = AUTHENTICATE_HEADER + (withVersion ? VERSION_LENGTH : 0) + (withMic ? MIC_LENGTH : 0);
  const head = startMessage(headerLength, MessageType.AUTHENTICATE);
  const unicode = hasFlag(msg.flags, NegotiateFlags.UNICODE);
  const w = new PayloadWriter(headerLength);
  const domain = w.add(encodeText(msg.domain, unicode));
  const user = w.add(encodeText(msg.user, unicode));
  const workstation = w.add(encodeText(msg.workstation, unicode));
  const lm = w.add(msg.lmChallengeResponse);
  const nt = w.add(msg.ntChallengeResponse);
  const key = w.add(msg.encryptedRandomSessionKey);
  writeField(head, 12, lm);
  writeField(head, 20, nt);
  writeField(head, 28, domain);
  writeField(head, 36, user);
  writeField(head, 44, workstation);
  writeField(head, 52, key);
  head.writeUInt32LE(msg.flags >>> 0, 60);
  if (withVersion) encodeVersion(msg.version ?? { major: 0, minor: 0, build: 0, revision: 15 }).copy(head, 64);
  if (withMic && msg.mic) msg.mic.copy(head, MIC_OFFSET);
  return Buffer.concat([head, w.payload]);
}

export function decodeAuthenticate(buf: Buffer): AuthenticateMessage {
  const name = 'AUTHENTICATE';
  checkHeader(buf, MessageType.AUTHENTICATE, AUTHENTICATE_HEADER, name);
  const flags = buf.readUInt32LE(60);
  const unicode = hasFlag(flags, NegotiateFlags.UNICODE);
  const lm = readField(buf, 12, AUTHENTICATE_HEADER, name, 'LmChallengeResponse');
  const nt = readField(buf, 20, AUTHENTICATE_HEADER, name, 'NtChallengeResponse');
  const domain = readField(buf, 28, AUTHENTICATE_HEADER, name, 'DomainName');
  const user = readField(buf, 36, AUTHENTICATE_HEADER, name, 'UserName');
  const workstation = readField(buf, 44, AUTHENTICATE_HEADER, name, 'Workstation');
  const key = readField(buf, 52, AUTHENTICATE_HEADER, name, 'EncryptedRandomSessionKey');
  const msg: AuthenticateMessage = {
    flags,
    lmChallengeResponse: fieldBytes(buf, lm),
    ntChallengeResponse: fieldBytes(buf, nt),
    domain: fieldText(buf, domain, unicode, name, 'DomainName'),
    user: fieldText(buf, user, unicode, name, 'UserName'),
    workstation: fieldText(buf, workstation, unicode, name, 'Workstation'),
    encryptedRandomSessionKey: fieldBytes(buf, key),
  };
  const start = payloadStart([lm, nt, domain, user, workstation, key], buf.length);
  if (start >= AUTHENTICATE_HEADER + VERSION_LENGTH && hasFlag(flags, NegotiateFlags.VERSION)) msg.version = decodeVersion(buf, AUTHENTICATE_HEADER);
  if (start >= MIC_OFFSET + MIC_LENGTH) msg.mic = Buffer.from(buf.subarray(MIC_OFFSET, MIC_OFFSET + MIC_LENGTH));
  return msg;
}

/** A copy of an encoded AUTHENTICATE with the MIC field zeroed, as the MIC computation needs it. */
export function withZeroMic(authenticate: Buffer): Buffer {
  const copy = Buffer.from(authenticate);
  if (copy.length < MIC_OFFSET + MIC_LENGTH) throw new ProtocolError('NTLM AUTHENTICATE: message too short to carry a MIC');
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + MIC_LENGTH);
  return copy;
}

/** Which NTLM message a token is (1, 2, 3), or undefined when it is not an NTLMSSP token. */
export function ntlmMessageType(token: Buffer): number | undefined {
  if (token.length < 12 || !token.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return undefined;
  return token.readUInt32LE(8);
}


// ---------------------------------------------------------------- NTLMv2 response

export interface Ntlmv2Response {
  ntProofStr: Buffer;
  /** Everything after the NTProofStr ("temp"): the bytes the proof was computed over. */
  blob: Buffer;
  timestamp: Buffer;
  clientChallenge: Buffer;
  avPairs: AvPair[];
}

/** Splits an NTLMv2 NtChallengeResponse (MS-NLMP 2.2.2.8) into proof, timestamp, client challenge and AV pairs. */
export function decodeNtlmv2Response(nt: Buffer): Ntlmv2Response {
  // 16 proof + 28 fixed blob bytes + at least MsvAvEOL.
  if (nt.length < 48) {
    throw new ProtocolError(
      nt.length === 24
        ? 'NTLM AUTHENTICATE: the client sent an NTLMv1 response; only NTLMv2 is accepted'
        : `NTLM AUTHENTICATE: NtChallengeResponse of ${nt.length} bytes is too short for NTLMv2`,
    );
  }
  const blob = Buffer.from(nt.subarray(16));
  if (blob[0] !== 1 || blob[1] !== 1) throw new ProtocolError(`NTLM AUTHENTICATE: NTLMv2 blob has response type ${blob[0]}.${blob[1]}, expected 1.1`);
  return {
    ntProofStr: Buffer.from(nt.subarray(0, 16)),
    blob,
    timestamp: Buffer.from(blob.subarray(8, 16)),
    clientChallenge: Buffer.from(blob.subarray(16, 24)),
    avPairs: parseAvPairs(blob.subarray(28), 'NTLMv2 response AV pairs'),
  };
}

/**
 * WinRS messages over WS-Management (winrm.md §1): the client's requests and the server's
 * responses, as builders (text out) and readers (parsed envelope in). Both the transport
 * (src/transport/winrm) and the lab server (src/lab/winrm) use this module, so the two ends can
 * never drift apart in vocabulary; each reader is tolerant of the other styles real peers use
 * (any prefix, `TRUE`/`True`, one or many Arguments, CDATA, unknown elements).
 */
import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { Action, ANONYMOUS_ADDRESS, CommandState, NS, SHELL_RESOURCE_URI } from './namespaces.js';
import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';
import { parseSoap, type SoapEnvelope } from './soap.js';
import { child, childrenOf, escapeXml, find, path, type XmlElement } from './xml.js';

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// Client side: requests

export interface RequestHeader {
  /** Endpoint URL (`a:To`); Windows does not check it. */
  to: string;
  action: string;
  messageId: string;
  /** Largest response the client accepts, bytes. */
  maxEnvelopeSize: number;
  operationTimeoutMs: number;
  shellId?: string;
  /** Client-wide `p:SessionId` (uuid:…); optional. */
  sessionId?: string;
  options?: Record<string, string>;
}

const ENVELOPE_OPEN =
  `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:w="${NS.wsman}" ` +
  `xmlns:p="${NS.wsmv}" xmlns:rsp="${NS.shell}">`;

export function buildRequest(h: RequestHeader, body: string): string {
  const selector = h.shellId
    ? `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(h.shellId)}</w:Selector></w:SelectorSet>`
    : '';
  const opts = h.options
    ? `<w:OptionSet>${Object.entries(h.options)
        .map(([k, v]) => `<w:Option Name="${escapeXml(k)}">${escapeXml(v)}</w:Option>`)
        .join('')}</w:OptionSet>`
    : '';
  const session = h.sessionId ? `<p:SessionId s:mustUnderstand="false">${escapeXml(h.sessionId)}</p:SessionId>` : '';
  return (
    ENVELOPE_OPEN +
    '<s:Header>' +
    `<a:To>${escapeXml(h.to)}</a:To>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS_ADDRESS}</a:Address></a:ReplyTo>` +
    `<a:Action s:mustUnderstand="true">${h.action}</a:Action>` +
    `<a:MessageID>${h.messageId}</a:MessageID>` +
    `<w:ResourceURI s:mustUnderstand="true">${SHELL_RESOURCE_URI}</w:ResourceURI>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${h.maxEnvelopeSize}</w:MaxEnvelopeSize>` +
    `<w:OperationTimeout>${formatDuration(h.operationTimeoutMs)}</w:OperationTimeout>` +
    `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>` +
    `<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>` +
    session +
    selector +
    opts +
    '</s:Header>' +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export interface CreateShellOptions {
  codepage: number;
  noProfile: boolean;
  workingDirectory?: string;
  environment?: Record<string, string>;
  idleTimeoutMs?: number;
}

export function createShellBody(o: CreateShellOptions): { body: string; options: Record<string, string> } {
  const env = o.environment
    ? `<rsp:Environment>${Object.entries(o.environment)
        .map(([k, v]) => `<rsp:Variable Name="${escapeXml(k)}">${escapeXml(v)}</rsp:Variable>`)
        .join('')}</rsp:Environment>`
    : '';
  const wd = o.workingDirectory ? `<rsp:WorkingDirectory>${escapeXml(o.workingDirectory)}</rsp:WorkingDirectory>` : '';
  const idle = o.idleTimeoutMs ? `<rsp:IdleTimeOut>${formatDuration(o.idleTimeoutMs)}</rsp:IdleTimeOut>` : '';
  return {
    body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>${wd}${env}${idle}</rsp:Shell>`,
    options: { WINRS_NOPROFILE: o.noProfile ? 'TRUE' : 'FALSE', WINRS_CODEPAGE: String(o.codepage) },
  };
}

export function commandBody(command: string, args: string[]): { body: string; options: Record<string, string> } {
  const a = args.map((x) => `<rsp:Arguments>${escapeXml(x)}</rsp:Arguments>`).join('');
  return {
    body: `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>${a}</rsp:CommandLine>`,
    options: { WINRS_CONSOLEMODE_STDIN: 'FALSE', WINRS_SKIP_CMD_SHELL: 'FALSE' },
  };
}

export function sendBody(commandId: string, data: Uint8Array, end: boolean): string {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const endAttr = end ? ' End="true"' : '';
  return `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${endAttr}>${b64}</rsp:Stream></rsp:Send>`;
}

/** Bytes of a Send envelope that are not stdin payload (headers, ids), generous. */
export const SEND_OVERHEAD_BYTES = 2048;

export function receiveBody(commandId: string): string {
  return `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`;
}

export function signalBody(commandId: string, code: string): string {
  return `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${code}</rsp:Code></rsp:Signal>`;
}

// ---------------------------------------------------------------------------------------------
// Client side: reading responses

export interface ResponseHeader {
  action: string | null;
  relatesTo: string | null;
}

export function readResponseHeader(env: SoapEnvelope): ResponseHeader {
  return {
    action: child(env.header, NS.addressing, 'Action')?.text.trim() ?? null,
    relatesTo: child(env.header, NS.addressing, 'RelatesTo')?.text.trim() ?? null,
  };
}

function selectorValue(el: XmlElement | undefined, name: string): string | undefined {
  const set = el ? find(el, NS.wsman, 'SelectorSet') : undefined;
  const sel = childrenOf(set, NS.wsman, 'Selector').find((s) => s.attrs['Name'] === name);
  return sel?.text.trim();
}

/** ShellId from a CreateResponse (the Selector in ResourceCreated, else rsp:Shell/rsp:ShellId). */
export function readShellId(env: SoapEnvelope): string {
  const created = child(env.body, NS.transfer, 'ResourceCreated');
  const id = selectorValue(created, 'ShellId') ?? find(env.body, NS.shell, 'ShellId')?.text.trim();
  if (!id) throw new ProtocolError('malformed CreateResponse: no ShellId selector');
  return id;
}

export function readCommandId(env: SoapEnvelope): string {
  const id = path(env.body, [NS.shell, 'CommandResponse'], [NS.shell, 'CommandId'])?.text.trim();
  if (!id) throw new ProtocolError('malformed CommandResponse: no rsp:CommandId');
  return id;
}

export interface StreamChunk {
  name: string;
  commandId: string | null;
  data: Buffer;
  end: boolean;
}

export interface ReceiveResult {
  streams: StreamChunk[];
  /** Set when the response carries a CommandState. */
  state: { done: boolean; exitCode: number | null } | null;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function readStream(el: XmlElement, what: string, payloads: readonly StreamPayload[] = NO_PAYLOADS): StreamChunk {
  let text = el.text;
  if (payloads.length > 0 && text.includes('\0')) {
    const lifted = /^\0(\d+)\0$/.exec(text);
    const payload = lifted ? payloads[Number(lifted[1])] : undefined;
    if (payload) {
      // The text was plain ASCII without references, so it was exactly these bytes: same check, same result.
      const data = payloadBytes(payload);
      if (!data) throw new ProtocolError(`malformed ${what}: stream ${el.attrs['Name'] ?? '?'} is not base64`);
      return { name: el.attrs['Name'] ?? '', commandId: el.attrs['CommandId'] ?? null, data, end: isTrue(el.attrs['End']) };
    }
    // Lifted text mixed with other text (a comment in the middle, say): put the original back.
    text = text.replace(/\0(\d+)\0/g, (m, i: string) => payloads[Number(i)]?.source.toString('latin1') ?? m);
  }
  if (!BASE64.test(text)) throw new ProtocolError(`malformed ${what}: stream ${el.attrs['Name'] ?? '?'} is not base64`);
  return {
    name: el.attrs['Name'] ?? '',
    commandId: el.attrs['CommandId'] ?? null,
    data: Buffer.from(text, 'base64'),
    end: isTrue(el.attrs['End']),
  };
}

export function readReceiveResponse(env: SoapEnvelope): ReceiveResult {
  const rr = child(env.body, NS.shell, 'ReceiveResponse');
  if (!rr) throw new ProtocolError('malformed ReceiveResponse: no rsp:ReceiveResponse');
  // Each Stream element is its own base64 unit (winrm.md §10 pitfall 8): never concatenate texts.
  const streams = childrenOf(rr, NS.shell, 'Stream').map((s) => readStream(s, 'ReceiveResponse'));
  const cs = child(rr, NS.shell, 'CommandState');
  let state: ReceiveResult['state'] = null;
  if (cs) {
    const done = (cs.attrs['State'] ?? '').endsWith('CommandState/Done');
    const raw = child(cs, NS.shell, 'ExitCode')?.text.trim();
    let exitCode: number | null = null;
    if (raw !== undefined && raw !== '') {
      if (!/^-?\d+$/.test(raw)) throw new ProtocolError(`malformed ReceiveResponse: ExitCode "${raw.slice(0, 40)}"`);
      // A Win32 DWORD: 0xC0000005 arrives as 3221225477 (or, from some peers, as a negative int32).
      exitCode = Number(raw) >>> 0;
    }
    state = { done, exitCode };
  }
  return { streams, state };
}

export function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

// ---------------------------------------------------------------------------------------------
// Server side: reading requests

export interface WsmanRequest {
  action: string;
  messageId: string | null;
  resourceUri: string | null;
  shellId: string | null;
  maxEnvelopeSize: number | null;
  /** Requested OperationTimeout; null when absent; NaN when present but invalid (e.g. `PT-1S`). */
  operationTimeoutMs: number | null;
  /** Option values by name. */
  options: Record<string, string>;
  body: XmlElement;
  /** Stream payloads decoded straight from the request bytes (see readRequestBytes); readSend resolves them. */
  payloads: readonly StreamPayload[];
}

export function readRequest(env: SoapEnvelope, payloads: readonly StreamPayload[] = NO_PAYLOADS): WsmanRequest {
  const h = env.header;
  const action = child(h, NS.addressing, 'Action')?.text.trim();
  if (!action) throw new ProtocolError('malformed request: no a:Action header');
  const mes = child(h, NS.wsman, 'MaxEnvelopeSize')?.text.trim();
  const ot = child(h, NS.wsman, 'OperationTimeout')?.text;
  const options: Record<string, string> = {};
  for (const o of childrenOf(child(h, NS.wsman, 'OptionSet'), NS.wsman, 'Option')) {
    if (o.attrs['Name']) options[o.attrs['Name']] = o.text.trim();
  }
  return {
    action,
    messageId: child(h, NS.addressing, 'MessageID')?.text.trim() ?? null,
    resourceUri: child(h, NS.wsman, 'ResourceURI')?.text.trim() ?? null,
    shellId: selectorValue(h, 'ShellId') ?? null,
    maxEnvelopeSize: mes && /^\d+$/.test(mes) ? Number(mes) : null,
    operationTimeoutMs: ot === undefined ? null : (parseDurationMs(ot) ?? NaN),
    options,
    body: env.body,
    payloads,
  };
}

// ---------------------------------------------------------------------------------------------
// Server side: reading request bytes with bulk stdin lifted out
//
// A Send carries up to ~500 KB of base64 in an rsp:Stream element. Turning all of it into a JS
// string, walking it in the XML reader, checking it with a regular expression and decoding it again
// cost more than the rest of the request. readRequestBytes instead finds the text of each
// `<…:Stream …>` element in the bytes, decodes it there in place (checking it in the same pass) when read, and parses the
// envelope with that text replaced by a marker (`\0index\0`; only used when the body has no NUL byte,
// so a client cannot forge one). The envelope's structure is still read by the namespace-aware
// reader; whenever the lifted text does not parse, the whole text is parsed instead, so errors are
// exactly those of readRequest(parseSoap(text)).

/** Base64 text of a Stream element (ASCII, no entity references) and, once read, the bytes it decodes to. */
export interface StreamPayload {
  /** The base64 text as received; overwritten by `data` once decoded. */
  source: Buffer;
  /** Decoded in place over `source` by payloadBytes; null when the text is not base64. */
  data?: Buffer | null;
}

/** A payload's bytes, decoded in place on first use (the request body is the server's own); null when not base64. */
export function payloadBytes(p: StreamPayload): Buffer | null {
  if (p.data === undefined) p.data = decodeBase64Bytes(p.source, true);
  return p.data;
}

const NO_PAYLOADS: readonly StreamPayload[] = [];

/** Stream texts shorter than this are left in the envelope (lifting them gains nothing). */
const LIFT_MIN_BYTES = 1024;

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 alphabet value of each byte, -1 for any other byte. */
const B64_VALUE = new Int16Array(256).fill(-1);
/**
 * The same value shifted into place for position 0..3 of a group of four, INT32_MIN for any other
 * byte: OR-ing four lookups gives the group's 24 bits, or a negative number when one is not base64.
 */
const B64_AT = [0, 1, 2, 3].map(() => new Int32Array(256).fill(-0x80000000));
for (let i = 0; i < 64; i++) {
  const c = B64_ALPHABET.charCodeAt(i);
  B64_VALUE[c] = i;
  for (let k = 0; k < 4; k++) B64_AT[k]![c] = i << (18 - 6 * k);
}
const [B64_AT0, B64_AT1, B64_AT2, B64_AT3] = B64_AT as [Int32Array, Int32Array, Int32Array, Int32Array];
/**
 * The same four lookups with the group's three bytes already in little-endian memory order (byte 0
 * in bits 0-7): four groups then make three 32-bit stores instead of twelve byte stores.
 */
const B64_LE = [0, 1, 2, 3].map(() => new Int32Array(256).fill(-0x80000000));
for (let i = 0; i < 64; i++) {
  const c = B64_ALPHABET.charCodeAt(i);
  B64_LE[0]![c] = i << 2;
  B64_LE[1]![c] = (i >> 4) | ((i & 15) << 12);
  B64_LE[2]![c] = ((i >> 2) << 8) | ((i & 3) << 22);
  B64_LE[3]![c] = i << 16;
}
const [B64_LE0, B64_LE1, B64_LE2, B64_LE3] = B64_LE as [Int32Array, Int32Array, Int32Array, Int32Array];
const LITTLE_ENDIAN = endianness() === 'LE';

/** ASCII bytes the base64 check accepts as white space (`\s` of BASE64, restricted to ASCII). */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Decodes `bytes` when they match BASE64 (ASCII only), with Buffer.from(text, 'base64')'s result;
 * null otherwise (the caller then leaves the text to the ordinary path, which decides as before).
 */
export function decodeBase64Bytes(bytes: Uint8Array, inPlace = false): Buffer | null {
  const n = bytes.length;
  // In place is safe: the output never overtakes the input (three bytes out for four read).
  const out = inPlace ? Buffer.from(bytes.buffer, bytes.byteOffset, n) : Buffer.allocUnsafe(Math.ceil(n / 4) * 3);
  let i = 0;
  let o = 0;
  // A few single groups until the output is 4-byte aligned (3 bytes a group reaches every alignment).
  while ((out.byteOffset + o) % 4 !== 0 && i + 4 <= n) {
    const w = B64_AT0[bytes[i]!]! | B64_AT1[bytes[i + 1]!]! | B64_AT2[bytes[i + 2]!]! | B64_AT3[bytes[i + 3]!]!;
    if (w < 0) break;
    out[o] = w >> 16;
    out[o + 1] = (w >> 8) & 255;
    out[o + 2] = w & 255;
    o += 3;
    i += 4;
  }
  // Sixteen alphabet characters at a time into three 32-bit words: the common case.
  if (LITTLE_ENDIAN && (out.byteOffset + o) % 4 === 0) {
    const words = new Int32Array(out.buffer, out.byteOffset + o, (out.length - o) >> 2);
    let k = 0;
    for (const last = n - 16; i <= last; i += 16) {
      const q0 = B64_LE0[bytes[i]!]! | B64_LE1[bytes[i + 1]!]! | B64_LE2[bytes[i + 2]!]! | B64_LE3[bytes[i + 3]!]!;
      const q1 = B64_LE0[bytes[i + 4]!]! | B64_LE1[bytes[i + 5]!]! | B64_LE2[bytes[i + 6]!]! | B64_LE3[bytes[i + 7]!]!;
      const q2 = B64_LE0[bytes[i + 8]!]! | B64_LE1[bytes[i + 9]!]! | B64_LE2[bytes[i + 10]!]! | B64_LE3[bytes[i + 11]!]!;
      const q3 = B64_LE0[bytes[i + 12]!]! | B64_LE1[bytes[i + 13]!]! | B64_LE2[bytes[i + 14]!]! | B64_LE3[bytes[i + 15]!]!;
      if ((q0 | q1 | q2 | q3) < 0) break;
      words[k] = q0 | (q1 << 24);
      words[k + 1] = (q1 >>> 8) | (q2 << 16);
      words[k + 2] = (q2 >>> 16) | (q3 << 8);
      k += 3;
    }
    o += k * 4;
  }
  // Whole groups of four alphabet characters.
  for (const last = n - 4; i <= last; i += 4) {
    const w = B64_AT0[bytes[i]!]! | B64_AT1[bytes[i + 1]!]! | B64_AT2[bytes[i + 2]!]! | B64_AT3[bytes[i + 3]!]!;
    if (w < 0) break;
    out[o] = w >> 16;
    out[o + 1] = (w >> 8) & 255;
    out[o + 2] = w & 255;
    o += 3;
  }
  // The rest, one character at a time: white space anywhere, up to two '=' and then only white space.
  let acc = 0;
  let have = 0;
  let pads = 0;
  let trailing = false;
  for (; i < n; i++) {
    const ch = bytes[i]!;
    const v = B64_VALUE[ch]!;
    if (v >= 0) {
      if (pads > 0 || trailing) return null;
      acc = (acc << 6) | v;
      if (++have === 4) {
        out[o] = acc >> 16;
        out[o + 1] = (acc >> 8) & 255;
        out[o + 2] = acc & 255;
        o += 3;
        acc = 0;
        have = 0;
      }
    } else if (isAsciiSpace(ch)) {
      if (pads > 0) trailing = true;
    } else if (ch === 61 /* = */) {
      if (trailing || ++pads > 2) return null;
    } else {
      return null;
    }
  }
  if (have === 2) {
    out[o++] = acc >> 4;
  } else if (have === 3) {
    out[o] = acc >> 10;
    out[o + 1] = (acc >> 2) & 255;
    o += 2;
  }
  return out.subarray(0, o);
}

/** Offset just past `seq` when `bytes` has it at `at`, else -1. */
function after(bytes: Buffer, at: number, seq: string): number {
  for (let k = 0; k < seq.length; k++) if (bytes[at + k] !== seq.charCodeAt(k)) return -1;
  return at + seq.length;
}

const STREAM = 'Stream';

/** True when the start tag name at [from, to) is `Stream` or `prefix:Stream`. */
function isStreamName(bytes: Buffer, from: number, to: number): boolean {
  const len = to - from;
  if (len < STREAM.length || (len > STREAM.length && bytes[to - STREAM.length - 1] !== 58 /* : */)) return false;
  return after(bytes, to - STREAM.length, STREAM) === to;
}

/** Envelope text with the bulk Stream texts lifted out (see above), and those texts decoded. */
export function liftStreamPayloads(soap: Buffer): { text: string; payloads: StreamPayload[] } {
  const encoding = isAscii(soap) ? 'latin1' : 'utf8';
  const none = () => ({ text: soap.toString(encoding), payloads: [] });
  if (soap.length < LIFT_MIN_BYTES || soap.indexOf(0) >= 0) return none();
  const payloads: StreamPayload[] = [];
  let text = '';
  let copied = 0;
  let pos = 0;
  const n = soap.length;
  for (;;) {
    const lt = soap.indexOf(60 /* < */, pos);
    if (lt < 0) break;
    pos = lt + 1;
    const next = soap[pos];
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      // Comments, CDATA and processing instructions are skipped whole; anything else is refused later.
      const close = after(soap, pos, '!--') >= 0 ? '-->' : after(soap, pos, '![CDATA[') >= 0 ? ']]>' : next === 63 ? '?>' : null;
      if (close === null) return none();
      const end = soap.indexOf(close, pos + 1, 'latin1');
      if (end < 0) return none();
      pos = end + close.length;
      continue;
    }
    let nameEnd = pos;
    while (nameEnd < n && !isAsciiSpace(soap[nameEnd]!) && soap[nameEnd] !== 62 /* > */ && soap[nameEnd] !== 47 /* / */) nameEnd++;
    if (!isStreamName(soap, pos, nameEnd)) continue;
    // End of the start tag, past quoted attribute values.
    let gt = nameEnd;
    let quote = 0;
    for (; gt < n; gt++) {
      const c = soap[gt]!;
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) {
        quote = c;
      } else if (c === 62 /* > */) {
        break;
      }
    }
    if (gt >= n) return none();
    pos = gt + 1;
    if (soap[gt - 1] === 47 /* / */) continue; // <rsp:Stream …/>
    let end = soap.indexOf(60 /* < */, pos);
    if (end < 0) end = n;
    if (end - pos < LIFT_MIN_BYTES) continue;
    const source = soap.subarray(pos, end);
    // Only text that reads as itself (ASCII, no references) is lifted; it is checked when read.
    if (!isAscii(source) || source.indexOf(38 /* & */) >= 0) continue;
    text += soap.toString(encoding, copied, pos) + `\0${payloads.length}\0`;
    payloads.push({ source });
    copied = end;
    pos = end;
  }
  if (payloads.length === 0) return none();
  return { text: text + soap.toString(encoding, copied), payloads };
}

/**
 * readRequest(parseSoap(text of `soap`, 'request')), with bulk Stream texts decoded from the bytes:
 * the same request (readSend gives the same chunks) and the same errors, for a fraction of the work.
 * readSend decodes stdin in place: `soap` must be the caller's to overwrite, and its chunks are views of it.
 */
export function readRequestBytes(soap: Buffer): WsmanRequest {
  const lifted = liftStreamPayloads(soap);
  if (lifted.payloads.length > 0) {
    try {
      return readRequest(parseSoap(lifted.text, 'request'), lifted.payloads);
    } catch {
      // Fall through: the whole text decides, and names the error as it would have.
    }
  }
  const text = lifted.payloads.length > 0 ? soap.toString(isAscii(soap) ? 'latin1' : 'utf8') : lifted.text;
  return readRequest(parseSoap(text, 'request'));
}

export interface ShellRequest {
  inputStreams: string[];
  outputStreams: string[];
  environment: Record<string, string>;
  workingDirectory: string | null;
  /** Client-chosen shell id (pypsrp), if any. */
  shellId: string | null;
}

export function readShellCreate(body: XmlElement): ShellRequest {
  const shell = child(body, NS.shell, 'Shell');
  if (!shell) throw new ProtocolError('malformed Create: no rsp:Shell');
  const environment: Record<string, string> = {};
  for (const v of childrenOf(child(shell, NS.shell, 'Environment'), NS.shell, 'Variable')) {
    if (v.attrs['Name']) environment[v.attrs['Name']] = v.text;
  }
  const words = (el: XmlElement | undefined) => (el?.text ?? '').split(/\s+/).filter(Boolean);
  return {
    inputStreams: words(child(shell, NS.shell, 'InputStreams')),
    outputStreams: words(child(shell, NS.shell, 'OutputStreams')),
    environment,
    workingDirectory: child(shell, NS.shell, 'WorkingDirectory')?.text ?? null,
    shellId: shell.attrs['ShellId'] ?? null,
  };
}

export interface CommandLineRequest {
  command: string;
  /** One item per rsp:Arguments element, as sent (pywinrm joins all arguments into one). */
  args: string[];
  commandId: string | null;
}

export function readCommandLine(body: XmlElement): CommandLineRequest {
  const cl = child(body, NS.shell, 'CommandLine');
  const cmd = child(cl, NS.shell, 'Command');
  if (!cl || !cmd) throw new ProtocolError('malformed Command: no rsp:CommandLine/rsp:Command');
  return {
    command: cmd.text.trim(),
    args: childrenOf(cl, NS.shell, 'Arguments').map((a) => a.text),
    commandId: cl.attrs['CommandId'] ?? null,
  };
}

export function readSend(body: XmlElement, payloads: readonly StreamPayload[] = NO_PAYLOADS): StreamChunk[] {
  const send = child(body, NS.shell, 'Send');
  if (!send) throw new ProtocolError('malformed Send: no rsp:Send');
  return childrenOf(send, NS.shell, 'Stream').map((s) => readStream(s, 'Send', payloads));
}

export function readReceive(body: XmlElement): { commandId: string | null; streams: string[] } {
  const r = child(body, NS.shell, 'Receive');
  if (!r) throw new ProtocolError('malformed Receive: no rsp:Receive');
  const ds = child(r, NS.shell, 'DesiredStream');
  return {
    commandId: ds?.attrs['CommandId'] ?? null,
    streams: (ds?.text ?? 'stdout stderr').split(/\s+/).filter(Boolean),
  };
}

export function readSignal(body: XmlElement): { commandId: string | null; code: string } {
  const s = child(body, NS.shell, 'Signal');
  if (!s) throw new ProtocolError('malformed Signal: no rsp:Signal');
  return { commandId: s.attrs['CommandId'] ?? null, code: child(s, NS.shell, 'Code')?.text.trim() ?? '' };
}

// ---------------------------------------------------------------------------------------------
// Server side: responses

export function buildResponse(action: string, relatesTo: string | null, body: string, extraHeader = ''): string {
  const relates = relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '';
  return (
    `<s:Envelope xml:lang="en-US" xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" ` +
    `xmlns:w="${NS.wsman}" xmlns:rsp="${NS.shell}" xmlns:p="${NS.wsmv}">` +
    `<s:Header><a:Action>${action}</a:Action><a:MessageID>${newMessageId()}</a:MessageID>` +
    `<a:To>${ANONYMOUS_ADDRESS}</a:To>${relates}${extraHeader}</s:Header>` +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export function createResponse(relatesTo: string | null, endpoint: string, shellId: string, owner: string, clientIp: string): string {
  const body =
    `<x:ResourceCreated><a:Address>${escapeXml(endpoint)}</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>${SHELL_RESOURCE_URI}</w:ResourceURI>` +
    `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(shellId)}</w:Selector></w:SelectorSet>` +
    `</a:ReferenceParameters></x:ResourceCreated>` +
    `<rsp:Shell xmlns:rsp="${NS.shell}"><rsp:ShellId>${escapeXml(shellId)}</rsp:ShellId>` +
    `<rsp:ResourceUri>${SHELL_RESOURCE_URI}</rsp:ResourceUri><rsp:Owner>${escapeXml(owner)}</rsp:Owner>` +
    `<rsp:ClientIP>${escapeXml(clientIp)}</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>` +
    `<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>` +
    `<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`;
  return buildResponse(Action.CreateResponse, relatesTo, body);
}

export function commandResponse(relatesTo: string | null, commandId: string): string {
  return buildResponse(
    Action.CommandResponse,
    relatesTo,
    `<rsp:CommandResponse><rsp:CommandId>${escapeXml(commandId)}</rsp:CommandId></rsp:CommandResponse>`,
  );
}

export function sendResponse(relatesTo: string | null): string {
  return buildResponse(Action.SendResponse, relatesTo, '<rsp:SendResponse/>');
}

export function signalResponse(relatesTo: string | null): string {
  return buildResponse(Action.SignalResponse, relatesTo, '<rsp:SignalResponse/>');
}

export function deleteResponse(relatesTo: string | null): string {
  return buildResponse(Action.DeleteResponse, relatesTo, '');
}

export interface OutputPiece {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Bytes of a ReceiveResponse that are not output (headers, CommandState, End markers), generous. */
export const RECEIVE_OVERHEAD_BYTES = 2048;
/** Bytes each rsp:Stream element adds around its base64 text. */
export const STREAM_ELEMENT_OVERHEAD_BYTES = 160;

export function receiveResponse(
  relatesTo: string | null,
  commandId: string,
  pieces: OutputPiece[],
  done: { exitCode: number } | null,
): string {
  const id = escapeXml(commandId);
  let body = '<rsp:ReceiveResponse>';
  for (const p of pieces) body += `<rsp:Stream Name="${p.stream}" CommandId="${id}">${p.data.toString('base64')}</rsp:Stream>`;
  if (done) {
    body +=
      `<rsp:Stream Name="stdout" CommandId="${id}" End="true"></rsp:Stream>` +
      `<rsp:Stream Name="stderr" CommandId="${id}" End="true"></rsp:Stream>` +
      `<rsp:CommandState CommandId="${id}" State="${CommandState.Done}"><rsp:ExitCode>${done.exitCode >>> 0}</rsp:ExitCode></rsp:CommandState>`;
  } else {
    body += `<rsp:CommandState CommandId="${id}" State="${CommandState.Running}"></rsp:CommandState>`;
  }
  body += '</rsp:ReceiveResponse>';
  return buildResponse(Action.ReceiveResponse, relatesTo, body);
}

/**
 * WinRS messages over WS-Management, the client's half: requests as builders (text
 * out) and the service's responses as readers (parsed envelope in), tolerant of the styles real
 * peers use. The lab's server half (reading requests, building responses) is src/lab/winrm/
 * (requests.ts, responses.ts); both share this module's vocabulary (namespaces, stream reading).
 */
import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import { formatDuration } from './duration.js';
import { ANONYMOUS_ADDRESS, NS, SHELL_RESOURCE_URI } from './namespaces.js';
import type { SoapEnvelope } from './soap.js';
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

/** The value of the named w:Selector in an element's w:SelectorSet. */
export function selectorValue(el: XmlElement | undefined, name: string): string | undefined {
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

/** One rsp:Stream element: its base64 text decoded (each element is its own base64 unit). */
export function readStream(el: XmlElement, what: string): StreamChunk {
  if (!BASE64.test(el.text)) throw new ProtocolError(`malformed ${what}: stream ${el.attrs['Name'] ?? '?'} is not base64`);
  return {
    name: el.attrs['Name'] ?? '',
    commandId: el.attrs['CommandId'] ?? null,
    data: Buffer.from(el.text, 'base64'),
    end: isTrue(el.attrs['End']),
  };
}

export function readReceiveResponse(env: SoapEnvelope): ReceiveResult {
  const rr = child(env.body, NS.shell, 'ReceiveResponse');
  if (!rr) throw new ProtocolError('malformed ReceiveResponse: no rsp:ReceiveResponse');
  // Each Stream element is its own base64 unit: never concatenate texts.
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

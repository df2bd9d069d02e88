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

function readStream(el: XmlElement, what: string): StreamChunk {
  const text = el.text;
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
}

export function readRequest(env: SoapEnvelope): WsmanRequest {
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
  };
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

export function readSend(body: XmlElement): StreamChunk[] {
  const send = child(body, NS.shell, 'Send');
  if (!send) throw new ProtocolError('malformed Send: no rsp:Send');
  return childrenOf(send, NS.shell, 'Stream').map((s) => readStream(s, 'Send'));
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

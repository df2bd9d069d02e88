/**
 * The lab's WinRM server replies: WinRS responses and SOAP faults shaped like
 * the ones Windows sends. The client reads them with src/protocol/wsman/messages.ts and faults.ts.
 */
import { randomUUID } from 'node:crypto';
import { newMessageId } from '../../protocol/wsman/messages.js';
import { Action, ANONYMOUS_ADDRESS, CommandState, NS, SHELL_RESOURCE_URI } from '../../protocol/wsman/namespaces.js';
import { escapeXml } from '../../protocol/wsman/xml.js';

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

export interface FaultSpec {
  /** s:Code/s:Value local name. */
  code: 'Sender' | 'Receiver' | 'MustUnderstand';
  /** w:… subcode local name (DMTF WS-Man namespace). */
  subcode: string;
  reason: string;
  wsmanCode: number;
  message: string;
  machine: string;
  relatesTo?: string | undefined;
}

/** A fault envelope shaped like the ones Windows sends (recorded examples). */
export function buildFault(spec: FaultSpec): string {
  const relates = spec.relatesTo ? `<a:RelatesTo>${escapeXml(spec.relatesTo)}</a:RelatesTo>` : '';
  return (
    `<s:Envelope xml:lang="en-US" xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" ` +
    `xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" ` +
    `xmlns:w="${NS.wsman}" xmlns:p="${NS.wsmv}">` +
    `<s:Header><a:Action>${Action.WsmanFault}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID>` +
    `<a:To>${ANONYMOUS_ADDRESS}</a:To>${relates}</s:Header>` +
    `<s:Body><s:Fault><s:Code><s:Value>s:${spec.code}</s:Value><s:Subcode><s:Value>w:${escapeXml(spec.subcode)}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(spec.reason)}</s:Text></s:Reason>` +
    `<s:Detail><f:WSManFault xmlns:f="${NS.wsmanFault}" Code="${spec.wsmanCode}" Machine="${escapeXml(spec.machine)}">` +
    `<f:Message>${escapeXml(spec.message)}</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
  );
}

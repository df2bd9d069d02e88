/**
 * The lab's WinRM server reading WinRS requests: tolerant of the styles real clients
 * send (any prefix, `TRUE`/`True`, one or many Arguments, CDATA, unknown elements). The client's
 * builders and the shared vocabulary are src/protocol/wsman/messages.ts.
 */
import { isAscii } from 'node:buffer';
import { ProtocolError } from '../../errors.js';
import { parseDurationMs } from '../../protocol/wsman/duration.js';
import { isTrue, readStream, selectorValue, type StreamChunk } from '../../protocol/wsman/messages.js';
import { NS } from '../../protocol/wsman/namespaces.js';
import { parseSoap, type SoapEnvelope } from '../../protocol/wsman/soap.js';
import { child, childrenOf, type XmlElement } from '../../protocol/wsman/xml.js';
import { liftStreamPayloads, NO_PAYLOADS, payloadBytes, type StreamPayload } from './stream-payloads.js';

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
  return childrenOf(send, NS.shell, 'Stream').map((s) => readSendStream(s, payloads));
}

/** A Send's Stream element, its text possibly lifted out of the envelope (see stream-payloads.ts). */
function readSendStream(el: XmlElement, payloads: readonly StreamPayload[]): StreamChunk {
  if (payloads.length === 0 || !el.text.includes('\0')) return readStream(el, 'Send');
  const lifted = /^\0(\d+)\0$/.exec(el.text);
  const payload = lifted ? payloads[Number(lifted[1])] : undefined;
  if (payload) {
    // The text was plain ASCII without references, so it was exactly these bytes: same check, same result.
    const data = payloadBytes(payload);
    if (!data) throw new ProtocolError(`malformed Send: stream ${el.attrs['Name'] ?? '?'} is not base64`);
    return { name: el.attrs['Name'] ?? '', commandId: el.attrs['CommandId'] ?? null, data, end: isTrue(el.attrs['End']) };
  }
  // Lifted text mixed with other text (a comment in the middle, say): put the original back.
  const text = el.text.replace(/\0(\d+)\0/g, (m, i: string) => payloads[Number(i)]?.source.toString('latin1') ?? m);
  return readStream({ ...el, text }, 'Send');
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

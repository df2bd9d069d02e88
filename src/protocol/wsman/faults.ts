/**
 * WS-Man SOAP faults, read from any peer; the lab builds them (src/lab/winrm/responses.ts).
 * Decisions branch on the numeric WSManFault code, never on the Reason text, which Windows localizes.
 */
import { NS } from './namespaces.js';
import type { SoapEnvelope } from './soap.js';
import { child, find, path } from './xml.js';

export interface WsmanFault {
  /** `Sender`, `Receiver`, `MustUnderstand`, … (local name of s:Code/s:Value). */
  code: string;
  /** Local name of s:Code/s:Subcode/s:Value, e.g. `TimedOut`, `InvalidSelectors`. */
  subcode: string | null;
  /** s:Reason/s:Text (localized on real hosts). */
  reason: string;
  /** f:WSManFault/@Code as a number (DWORD), when present. */
  wsmanCode: number | null;
  /** f:WSManFault/f:Message text, when present. */
  message: string | null;
  machine: string | null;
}

function localOfQName(text: string): string {
  const t = text.trim();
  const i = t.indexOf(':');
  return i < 0 ? t : t.slice(i + 1);
}

/** The fault in an envelope, or null when its body holds no s:Fault. */
export function readFault(env: SoapEnvelope): WsmanFault | null {
  const fault = child(env.body, NS.soap, 'Fault');
  if (!fault) return null;
  const code = path(fault, [NS.soap, 'Code'], [NS.soap, 'Value'])?.text ?? '';
  const subcode = path(fault, [NS.soap, 'Code'], [NS.soap, 'Subcode'], [NS.soap, 'Value'])?.text;
  const reason = path(fault, [NS.soap, 'Reason'], [NS.soap, 'Text'])?.text ?? '';
  const wf = find(fault, NS.wsmanFault, 'WSManFault');
  const rawCode = wf?.attrs['Code'];
  const n = rawCode !== undefined && /^\s*-?\d+\s*$/.test(rawCode) ? Number(rawCode) : NaN;
  const msgEl = wf ? child(wf, NS.wsmanFault, 'Message') : undefined;
  const message = msgEl ? flattenText(msgEl).trim() : null;
  return {
    code: localOfQName(code),
    subcode: subcode ? localOfQName(subcode) : null,
    reason: reason.trim(),
    wsmanCode: Number.isFinite(n) ? n >>> 0 : null,
    message: message || null,
    machine: wf?.attrs['Machine'] ?? null,
  };
}

function flattenText(el: { text: string; children: Array<{ text: string; children: unknown[] }> }): string {
  let s = el.text;
  for (const c of el.children) s += flattenText(c as typeof el);
  return s;
}

/** One line for error messages: `WSManFault 2150858843 (InvalidSelectors): The request …`. */
export function describeFault(f: WsmanFault): string {
  const code = f.wsmanCode !== null ? `WSManFault ${f.wsmanCode}` : `SOAP fault ${f.code}`;
  const sub = f.subcode ? ` (${f.subcode})` : '';
  const text = f.message ?? f.reason;
  return `${code}${sub}: ${text || 'no message'}`;
}

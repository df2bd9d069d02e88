/**
 * Parsing SOAP envelopes quickly. WinRS moves bulk data as base64 text inside `rsp:Stream`
 * elements (Send stdin, Receive output); a generic XML parser walks such a 500 KB text node
 * character by character (~60 ms here), which would cap throughput near 8 MB/s. So long plain
 * text runs are lifted out before parsing and put back after: the parser sees a short placeholder.
 * Only runs that cannot be anything but character data are lifted (no quotes, no entities), so the
 * result is exactly what the plain parser would produce.
 */
import { ProtocolError } from '../../errors.js';
import { NS } from './namespaces.js';
import { child, parseXml, type XmlElement } from './xml.js';

const LIFT_MIN = 256;
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

function liftLongText(text: string): { xml: string; blobs: string[] } {
  const blobs: string[] = [];
  let out = '';
  let pos = 0;
  for (;;) {
    const gt = text.indexOf('>', pos);
    if (gt < 0) break;
    const lt = text.indexOf('<', gt + 1);
    if (lt < 0) break;
    if (lt - gt - 1 >= LIFT_MIN) {
      const run = text.slice(gt + 1, lt);
      // A '>' inside an attribute value would make `run` contain the closing quote; entities need decoding.
      if (!run.includes('"') && !run.includes("'") && !run.includes('&') && !run.includes(MARK_OPEN)) {
        out += text.slice(pos, gt + 1) + MARK_OPEN + String(blobs.length) + MARK_CLOSE;
        blobs.push(run);
        pos = lt;
        continue;
      }
    }
    out += text.slice(pos, lt);
    pos = lt;
  }
  return { xml: blobs.length === 0 ? text : out + text.slice(pos), blobs };
}

function restore(el: XmlElement, blobs: string[]): void {
  if (el.text.includes(MARK_OPEN)) el.text = el.text.replace(MARKER, (_, i: string) => blobs[Number(i)] ?? '');
  for (const c of el.children) restore(c, blobs);
}

/** Parse an XML document (throws ProtocolError on malformed input). */
export function parseXmlFast(text: string, what = 'XML document'): XmlElement {
  const { xml, blobs } = liftLongText(text);
  const root = parseXml(xml, what);
  if (blobs.length > 0) restore(root, blobs);
  return root;
}

export interface SoapEnvelope {
  root: XmlElement;
  header: XmlElement | undefined;
  body: XmlElement;
}

/** Parse a SOAP 1.2 envelope; ProtocolError when it is not one. */
export function parseSoap(text: string, what = 'SOAP envelope'): SoapEnvelope {
  const root = parseXmlFast(text, what);
  if (root.ns !== NS.soap || root.local !== 'Envelope') {
    throw new ProtocolError(`malformed ${what}: root element is ${root.local}, not a SOAP 1.2 Envelope`);
  }
  const body = child(root, NS.soap, 'Body');
  if (!body) throw new ProtocolError(`malformed ${what}: no s:Body`);
  return { root, header: child(root, NS.soap, 'Header'), body };
}

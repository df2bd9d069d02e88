/**
 * SOAP 1.2 envelopes over the namespace-aware reader in xml.ts. WinRS moves bulk data as base64
 * text inside `rsp:Stream` elements; the reader skips such text with one indexOf, so a 500 KB Send
 * costs about as much as copying it.
 */
import { ProtocolError } from '../../errors.js';
import { NS } from './namespaces.js';
import { child, parseXml, type XmlElement } from './xml.js';

/** Parse an XML document (throws ProtocolError on malformed input). Kept for callers of the old name. */
export function parseXmlFast(text: string, what = 'XML document'): XmlElement {
  return parseXml(text, what);
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

/**
 * A small namespace-aware XML reader over fast-xml-parser: elements are matched by namespace URI
 * and local name, never by prefix (winrm.md §10 pitfall 8). Used by both the client and the lab.
 */
import { XMLParser } from 'fast-xml-parser';
import { ProtocolError } from '../../errors.js';

export interface XmlElement {
  ns: string;
  local: string;
  /** Attributes by local name (prefixes dropped: `s:mustUnderstand` and `mustUnderstand` are the same). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (CDATA included). */
  text: string;
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  processEntities: true,
  htmlEntities: false,
});

function splitName(qname: string): [string, string] {
  const i = qname.indexOf(':');
  return i < 0 ? ['', qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function build(node: OrderedNode, scope: Map<string, string>): XmlElement | null {
  const keys = Object.keys(node).filter((k) => k !== ':@');
  const tag = keys[0];
  if (tag === undefined || tag === '#text' || tag === '#cdata' || tag.startsWith('?')) return null;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const local = new Map(scope);
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns') local.set('', value);
    else if (name.startsWith('xmlns:')) local.set(name.slice(6), value);
    else attrs[splitName(name)[1]] = String(value);
  }
  const [prefix, localName] = splitName(tag);
  const ns = local.get(prefix) ?? '';
  const el: XmlElement = { ns, local: localName, attrs, children: [], text: '' };
  const kids = node[tag];
  if (Array.isArray(kids)) {
    for (const k of kids as OrderedNode[]) {
      if ('#text' in k) el.text += String(k['#text']);
      else if ('#cdata' in k) {
        const c = k['#cdata'];
        if (Array.isArray(c)) for (const t of c as OrderedNode[]) el.text += String(t['#text'] ?? '');
      } else {
        const child = build(k, local);
        if (child) el.children.push(child);
      }
    }
  }
  return el;
}

/** Parse a document; throws ProtocolError (with `what` for context) on malformed XML. */
export function parseXml(text: string, what = 'XML document'): XmlElement {
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (e) {
    throw new ProtocolError(`malformed ${what}: ${(e as Error).message}`);
  }
  for (const n of nodes) {
    const el = build(n, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
    if (el) return el;
  }
  throw new ProtocolError(`malformed ${what}: no root element`);
}

export function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.ns === ns && c.local === local);
}

export function childrenOf(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.local === local) : [];
}

/** Depth-first search for the first descendant (or self) with this name. */
export function find(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  if (!el) return undefined;
  if (el.ns === ns && el.local === local) return el;
  for (const c of el.children) {
    const hit = find(c, ns, local);
    if (hit) return hit;
  }
  return undefined;
}

export function findAll(el: XmlElement | undefined, ns: string, local: string, out: XmlElement[] = []): XmlElement[] {
  if (!el) return out;
  if (el.ns === ns && el.local === local) out.push(el);
  for (const c of el.children) findAll(c, ns, local, out);
  return out;
}

/** Walk a path of [ns, local] pairs from `el`. */
export function path(el: XmlElement | undefined, ...steps: Array<[string, string]>): XmlElement | undefined {
  let cur = el;
  for (const [ns, local] of steps) cur = child(cur, ns, local);
  return cur;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

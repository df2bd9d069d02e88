/**
 * A small namespace-aware XML reader for SOAP envelopes: elements are matched by namespace URI and
 * local name, never by prefix. Used by both the client and the lab.
 *
 * Hand-written because it runs on every WinRM request on both ends: a general parser cost
 * 0.35–0.6 ms per envelope, this one a small fraction of that. It reads elements, attributes, text,
 * CDATA, comments and processing instructions, the five predefined entities and numeric character
 * references; it is non-validating and refuses DOCTYPE (no entity definitions, so no expansion
 * attacks). Anything it cannot read is a ProtocolError, never a crash.
 */
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

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NS]]);

class XmlSyntaxError extends Error {}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replace entity and character references; unknown entities are an error (no DOCTYPE defines any). */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  let out = '';
  let pos = 0;
  for (;;) {
    const amp = s.indexOf('&', pos);
    if (amp < 0) break;
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) throw new XmlSyntaxError(`unterminated entity reference at "${s.slice(amp, amp + 12)}"`);
    const name = s.slice(amp + 1, semi);
    let rep: string | undefined;
    if (name.charCodeAt(0) === 35 /* # */) {
      const hex = name.charCodeAt(1) === 120 /* x */;
      const digits = name.slice(hex ? 2 : 1);
      const code = digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlSyntaxError(`invalid character reference &${name};`);
      rep = String.fromCodePoint(code);
    } else {
      rep = PREDEFINED[name];
      if (rep === undefined) throw new XmlSyntaxError(`unknown entity &${name};`);
    }
    out += s.slice(pos, amp) + rep;
    pos = semi + 1;
  }
  return out + s.slice(pos);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Characters that end a name or may not appear in one. */
function endsName(c: number): boolean {
  return isSpace(c) || c === 47 /* / */ || c === 62 /* > */ || c === 61 /* = */ || c === 60 /* < */ || c === 34 || c === 39 || c === 38 /* & */;
}

interface Open {
  el: XmlElement;
  qname: string;
  scope: ReadonlyMap<string, string>;
}

function splitName(qname: string): [string, string] {
  const i = qname.indexOf(':');
  return i < 0 ? ['', qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function parseDocument(text: string): XmlElement {
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Open[] = [];
  let root: XmlElement | null = null;

  const expectAt = (i: number, what: string): number => {
    if (i < 0) throw new XmlSyntaxError(`unterminated ${what}`);
    return i;
  };
  const readName = (): string => {
    const from = pos;
    while (pos < n && !endsName(text.charCodeAt(pos))) pos++;
    if (pos === from) throw new XmlSyntaxError(`expected a name at offset ${from}`);
    return text.slice(from, pos);
  };
  const skipSpace = (): void => {
    while (pos < n && isSpace(text.charCodeAt(pos))) pos++;
  };

  while (pos < n) {
    const lt = text.indexOf('<', pos);
    const top = stack[stack.length - 1];
    // Character data up to the next markup.
    const end = lt < 0 ? n : lt;
    if (end > pos) {
      const chunk = text.slice(pos, end);
      if (top) top.el.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    pos = lt + 1;
    const c = text.charCodeAt(pos);
    if (c === 47 /* / */) {
      pos++;
      const name = readName();
      skipSpace();
      if (text.charCodeAt(pos) !== 62) throw new XmlSyntaxError(`malformed end tag </${name}`);
      pos++;
      if (!top) throw new XmlSyntaxError(`end tag </${name}> without a start tag`);
      if (top.qname !== name) throw new XmlSyntaxError(`end tag </${name}> does not match <${top.qname}>`);
      stack.pop();
      continue;
    }
    if (c === 33 /* ! */) {
      if (text.startsWith('!--', pos)) {
        pos = expectAt(text.indexOf('-->', pos + 3), 'comment') + 3;
      } else if (text.startsWith('![CDATA[', pos)) {
        const close = expectAt(text.indexOf(']]>', pos + 8), 'CDATA section');
        if (!top) throw new XmlSyntaxError('CDATA outside the root element');
        top.el.text += text.slice(pos + 8, close);
        pos = close + 3;
      } else {
        throw new XmlSyntaxError('DOCTYPE and other declarations are not accepted');
      }
      continue;
    }
    if (c === 63 /* ? */) {
      pos = expectAt(text.indexOf('?>', pos + 1), 'processing instruction') + 2;
      continue;
    }
    // A start tag.
    if (root && !top) throw new XmlSyntaxError('more than one root element');
    const qname = readName();
    const raw: Array<[string, string]> = [];
    let selfClosing = false;
    for (;;) {
      const before = pos;
      skipSpace();
      const d = text.charCodeAt(pos);
      if (d === 62 /* > */) {
        pos++;
        break;
      }
      if (d === 47 /* / */ && text.charCodeAt(pos + 1) === 62) {
        pos += 2;
        selfClosing = true;
        break;
      }
      if (pos >= n) throw new XmlSyntaxError(`unterminated start tag <${qname}`);
      if (pos === before) throw new XmlSyntaxError(`malformed start tag <${qname}`);
      const name = readName();
      skipSpace();
      if (text.charCodeAt(pos) !== 61 /* = */) throw new XmlSyntaxError(`attribute ${name} of <${qname}> has no value`);
      pos++;
      skipSpace();
      const q = text.charCodeAt(pos);
      if (q !== 34 && q !== 39) throw new XmlSyntaxError(`attribute ${name} of <${qname}> is not quoted`);
      const close = expectAt(text.indexOf(q === 34 ? '"' : "'", pos + 1), `attribute ${name}`);
      const value = text.slice(pos + 1, close);
      if (value.includes('<')) throw new XmlSyntaxError(`'<' in attribute ${name} of <${qname}>`);
      raw.push([name, decodeEntities(value)]);
      pos = close + 1;
    }
    let scope = top ? top.scope : ROOT_SCOPE;
    const attrs: Record<string, string> = {};
    let declared: Map<string, string> | null = null;
    for (const [name, value] of raw) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        declared ??= new Map(scope);
        declared.set(name === 'xmlns' ? '' : name.slice(6), value);
      } else {
        attrs[splitName(name)[1]] = value;
      }
    }
    if (declared) scope = declared;
    const [prefix, local] = splitName(qname);
    if (local === '') throw new XmlSyntaxError(`malformed element name <${qname}>`);
    const el: XmlElement = { ns: scope.get(prefix) ?? '', local, attrs, children: [], text: '' };
    if (top) top.el.children.push(el);
    else root = el;
    if (!selfClosing) stack.push({ el, qname, scope });
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed element <${stack[stack.length - 1]!.qname}>`);
  if (!root) throw new XmlSyntaxError('no root element');
  return root;
}

/** Parse a document; throws ProtocolError (with `what` for context) on malformed XML. */
export function parseXml(text: string, what = 'XML document'): XmlElement {
  try {
    return parseDocument(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new ProtocolError(`malformed ${what}: ${e.message}`);
    throw new ProtocolError(`malformed ${what}: ${(e as Error).message}`);
  }
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

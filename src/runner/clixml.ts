/**
 * Decoding of PowerShell's CLIXML error stream.
 *
 * When powershell.exe writes error (and progress) records to a redirected stderr it serialises them:
 * a `#< CLIXML` marker line, then one or more `<Objs Version="1.1.0.1" …>` documents, concatenated
 * without separators. Strings inside carry `_xHHHH_` escapes: each names one UTF-16 code unit
 * (a character outside the BMP is two escapes, a surrogate pair), CR LF is `_x000D__x000A_`, and a
 * literal underscore that could be mistaken for the start of an escape is itself `_x005F_`.
 *
 * We keep the error strings (`<S S="Error">`), drop progress records (noise), keep other tagged
 * strings (warning, verbose, debug, information) prefixed with their stream, and return readable text.
 * Text that is not CLIXML passes through unchanged, so callers can feed any stderr to `decodeStderr`.
 */

const MARKER = '#< CLIXML';

/** Replace `_xHHHH_` escapes by the UTF-16 code units they name (pairs recombine naturally). */
export function unescapeClixmlString(s: string): string {
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** XML character and entity references (the five predefined entities, decimal and hex references). */
function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, ref: string) => {
    switch (ref) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    }
  });
}

export interface ClixmlRecord {
  /** The stream the string belongs to: Error, Warning, Verbose, Debug, Information, or '' (plain string). */
  stream: string;
  text: string;
}

/**
 * The tagged strings of one or more concatenated `<Objs>` documents, in order. Progress records
 * (`<Obj S="progress">`) are skipped. Only top-level strings of each `<Objs>` are taken: strings
 * nested inside objects (the properties of a progress record) are not stream output.
 */
export function parseClixmlRecords(xml: string): ClixmlRecord[] {
  const records: ClixmlRecord[] = [];
  // Walk the tags with a depth counter: `<S …>text</S>` at depth 1 (directly under <Objs>) is a record.
  const tagRe = /<(\/?)([A-Za-z][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let depth = 0;
  let m: RegExpExecArray | null;
  while ((m = tagRe.exec(xml)) !== null) {
    const [, closing, name, attrs, selfClosing] = m;
    if (closing) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (selfClosing) continue;
    if (name === 'S' && depth === 1) {
      const end = xml.indexOf('</S>', tagRe.lastIndex);
      if (end < 0) break;
      const raw = xml.slice(tagRe.lastIndex, end);
      const stream = /\bS\s*=\s*"([^"]*)"/.exec(attrs ?? '')?.[1] ?? '';
      records.push({ stream, text: unescapeClixmlString(decodeXmlEntities(raw)) });
      tagRe.lastIndex = end + 4;
      continue;
    }
    depth++;
  }
  return records;
}

/** Render records as text: errors as they are, other streams prefixed (`WARNING: …`). Lines are joined as written. */
function renderRecords(records: ClixmlRecord[]): string {
  return records
    .map((r) => {
      const stream = r.stream.toLowerCase();
      if (stream === 'error' || stream === '') return r.text;
      return `${r.stream.toUpperCase()}: ${r.text}`;
    })
    .join('');
}

export function isClixml(text: string): boolean {
  return text.includes(MARKER);
}

/**
 * Turn a captured stderr into readable text. Every `#< CLIXML` block (there can be several: one per
 * process write) is replaced by its decoded records; anything outside the blocks is kept verbatim.
 * The result has CR LF normalised to LF and no trailing newline.
 */
export function decodeStderr(stderr: string): string {
  if (!isClixml(stderr)) return normalise(stderr);
  let out = '';
  let rest = stderr;
  for (;;) {
    const at = rest.indexOf(MARKER);
    if (at < 0) {
      out += rest;
      break;
    }
    out += rest.slice(0, at);
    rest = rest.slice(at + MARKER.length).replace(/^\r?\n/, '');
    // The block runs through its last consecutive </Objs>; documents follow each other directly.
    let end = 0;
    const docRe = /\s*<Objs\b[\s\S]*?<\/Objs>/y;
    docRe.lastIndex = 0;
    while (docRe.exec(rest) !== null) end = docRe.lastIndex;
    out += renderRecords(parseClixmlRecords(rest.slice(0, end)));
    rest = rest.slice(end).replace(/^\r?\n/, '');
  }
  return normalise(out);
}

function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

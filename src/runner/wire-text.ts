/**
 * PowerShell text as it travels to a host: whole-line comments and leading indentation removed,
 * every line kept (so error positions still name the right line of the shipped file). A preflight
 * host receives the bootstrap, the library and two probes; about a third of those bytes are
 * comments and indentation, and every byte is base64-encoded twice, sealed and signed on both ends.
 * The runner then gzip-compresses the wire text (script-frames.ts gzipText): for a preflight host,
 * 117 KB of source, 86 KB of wire text, 24 KB compressed (35 KB compressed without stripping).
 *
 * Deliberately conservative: text with a here-string or a block comment is sent unchanged, and a
 * line is only touched when it starts outside any quoted string (a light scan of ' and " quotes,
 * with `` ` `` escapes and doubled quotes). Line 1 (the `# cortex-script:` header) and `#requires`
 * lines are kept as they are.
 */

const HERE_STRING_OR_BLOCK = /@["']\s*$|^\s*["']@|<#|#>/m;

export function wireText(text: string): string {
  if (HERE_STRING_OR_BLOCK.test(text)) return text;
  const lines = text.split('\n');
  let quote: '' | '"' | "'" = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i > 0 && quote === '') {
      const body = line.trimStart();
      if (body.startsWith('#') && !/^#requires\b/i.test(body)) {
        lines[i] = line.endsWith('\r') ? '\r' : '';
        continue;
      }
      lines[i] = body;
    }
    quote = scanQuotes(line, quote);
  }
  return lines.join('\n');
}

/** The quote still open at the end of `line`, given the one open at its start. */
function scanQuotes(line: string, open: '' | '"' | "'"): '' | '"' | "'" {
  let q = open;
  for (let j = 0; j < line.length; j++) {
    const c = line[j];
    if (q === '') {
      if (c === '#') return ''; // the rest of the line is a comment
      if (c === '`') j++;
      else if (c === '"' || c === "'") q = c;
    } else if (q === '"') {
      if (c === '`') j++;
      else if (c === '"') {
        if (line[j + 1] === '"') j++;
        else q = '';
      }
    } else if (c === "'") {
      if (line[j + 1] === "'") j++;
      else q = '';
    }
  }
  return q;
}

const cache = new Map<string, string>();

/** wireText for shipped scripts, computed once per text. */
export function wireTextCached(text: string): string {
  let t = cache.get(text);
  if (t === undefined) {
    t = wireText(text);
    if (cache.size < 256) cache.set(text, t);
  }
  return t;
}

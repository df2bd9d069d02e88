/**
 * The lab's rough reading of ad-hoc PowerShell (exec): split on newlines and `;` outside quotes,
 * dropping comments and blank statements. Enough for the one-liners the lab answers; anything it
 * cannot answer fails the way PowerShell would.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const c of text) {
    if (quote) {
      cur += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ';' || c === '\n') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'));
}

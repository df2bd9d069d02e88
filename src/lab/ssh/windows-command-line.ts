/**
 * The lab's own reading of a Windows command line, as CommandLineToArgvW reads it, for what an SSH
 * client sends a lab host (SSH_ORIGINAL_COMMAND). Deliberately not the product's inverse of its own
 * quoting (src/transport/ssh/command-line.ts): two halves written from one understanding would let a
 * quoting bug pass every test.
 *
 * Rules (Microsoft's "Parsing C++ command-line arguments"): arguments are separated by spaces or tabs;
 * a double quote starts or ends a quoted part; 2n backslashes before a quote give n backslashes and the
 * quote delimits; 2n+1 backslashes before a quote give n backslashes and a literal quote; backslashes
 * elsewhere are literal; inside quotes, `""` gives a literal quote (the C runtime since 2008). The first
 * word, the program, is read more simply: up to the next space or tab outside quotes, quotes removed,
 * backslashes always literal.
 *
 * Imports nothing: entry.ts, which uses it, runs as plain JavaScript with only Node built-ins.
 */
export function parseWindowsCommandLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  const blank = (c: string | undefined): boolean => c === ' ' || c === '\t';
  while (i < n && blank(line[i])) i++;
  if (i >= n) return words;

  // The program name.
  let program = '';
  let quoted = false;
  for (; i < n; i++) {
    const c = line[i]!;
    if (c === '"') quoted = !quoted;
    else if (blank(c) && !quoted) break;
    else program += c;
  }
  words.push(program);

  for (;;) {
    while (i < n && blank(line[i])) i++;
    if (i >= n) break;
    let word = '';
    let inQuotes = false;
    for (; i < n; i++) {
      const c = line[i]!;
      if (c === '\\') {
        let count = 0;
        while (line[i + count] === '\\') count++;
        if (line[i + count] === '"') {
          word += '\\'.repeat(Math.floor(count / 2));
          if (count % 2 === 1) {
            word += '"';
            i += count; // past the quote
          } else {
            i += count - 1; // the quote is handled next round
          }
        } else {
          word += '\\'.repeat(count);
          i += count - 1;
        }
      } else if (c === '"') {
        if (inQuotes && line[i + 1] === '"') {
          word += '"';
          i++;
        } else {
          inQuotes = !inQuotes;
        }
      } else if (blank(c) && !inQuotes) {
        break;
      } else {
        word += c;
      }
    }
    words.push(word);
  }
  return words;
}

/**
 * How Windows reads a command line, for the lab's endpoints: a process gets one string, and
 * powershell.exe (like most programs) splits it with CommandLineToArgvW. The lab splits what its
 * clients send the same way, on its own, and never with the product's inverse (src/transport), so a
 * quoting bug on the client side cannot hide behind the same bug on the lab side. Pure functions.
 *
 * CommandLineToArgvW, as documented by Microsoft and as shell32 behaves:
 * - argv[0], the program, ends at the next space or tab; if it starts with a quote, at the next quote,
 *   and backslashes in it are literal;
 * - then arguments are separated by spaces and tabs outside quotes;
 * - 2n backslashes before a quote give n backslashes and the quote opens or closes a quoted part;
 *   2n+1 backslashes before a quote give n backslashes and a literal quote; backslashes not before a
 *   quote are literal;
 * - inside a quoted part, a doubled quote (`""`) gives a literal quote and ends the quoted part
 *   (shell32's rule; the Visual C++ 2008+ runtime stays inside the quotes instead).
 */

export function commandLineToArgv(line: string): string[] {
  const argv: string[] = [];
  let i = 0;
  const n = line.length;
  // argv[0]: the program name.
  if (n === 0) return argv;
  if (line[0] === '"') {
    const close = line.indexOf('"', 1);
    argv.push(close < 0 ? line.slice(1) : line.slice(1, close));
    i = close < 0 ? n : close + 1;
  } else {
    while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
    argv.push(line.slice(0, i));
  }
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) return argv;
    let arg = '';
    let quoted = false;
    while (i < n) {
      const c = line[i]!;
      if (!quoted && (c === ' ' || c === '\t')) break;
      if (c === '\\') {
        let bs = 0;
        while (line[i] === '\\') {
          bs++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(bs >> 1);
          if (bs % 2 === 1) {
            arg += '"';
            i++;
          }
          // An even count leaves the quote for the next turn, which toggles quoting.
        } else {
          arg += '\\'.repeat(bs);
        }
        continue;
      }
      if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          quoted = false;
          i += 2;
          continue;
        }
        quoted = !quoted;
        i++;
        continue;
      }
      arg += c;
      i++;
    }
    argv.push(arg);
  }
}

/**
 * The text of `powershell.exe -EncodedCommand <value>`: base64 (as .NET's Convert.FromBase64String
 * reads it: white space ignored, padding required) of UTF-16LE. Null when it is not base64, which
 * powershell.exe refuses before running anything.
 */
export function decodeEncodedCommand(value: string): string | null {
  const compact = value.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, 'base64').toString('utf16le');
}

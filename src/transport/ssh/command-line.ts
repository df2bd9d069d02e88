/**
 * SSH carries one command string, which the server hands to the account's default shell: cmd.exe
 * (Windows OpenSSH's default) or powershell.exe (DefaultShell set in the registry) — or sh on a lab
 * sshd. We build a line that means the same under all of them: words made only of characters no
 * shell gives meaning to, or double-quoted words of characters that are plain inside quotes
 * everywhere. Anything else is refused: pass it through stdin or -EncodedCommand instead (the
 * runner does; scripts and secrets never travel on the command line).
 */
import { InputError } from '../../errors.js';
import type { ProcessSpec } from '../session.js';

/** Plain in cmd, PowerShell and sh, unquoted. (`=` and `,` are fine in argument position.) */
const BARE = /^[A-Za-z0-9_\-./:=+,@\\]+$/;
/**
 * Plain inside double quotes in cmd and PowerShell: no `"`, `$`, `` ` ``, `%`, `!`, `^`. Backslashes
 * (Windows paths) are literal there, except a trailing one, which CommandLineToArgvW would read as
 * escaping the closing quote.
 */
const QUOTABLE = /^([A-Za-z0-9_\-./:=+,@ ()[\]{}#~;&|<>'*?\\]*[A-Za-z0-9_\-./:=+,@ ()[\]{}#~;&|<>'*?])?$/;

export function quoteWord(word: string, what: string): string {
  if (BARE.test(word)) return word;
  if (QUOTABLE.test(word)) return `"${word}"`;
  throw new InputError(
    `${what} ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}…` : word)} cannot be passed on an SSH command line safely under both cmd and PowerShell`,
    { hint: 'Pass it through stdin or powershell.exe -EncodedCommand.' },
  );
}

export function buildCommandLine(spec: ProcessSpec): string {
  // The command must be bare: PowerShell treats a quoted first word as a string, not a command.
  if (!BARE.test(spec.command)) {
    throw new InputError(`command ${JSON.stringify(spec.command)} must be a bare executable name or path without spaces`, {
      hint: 'Use the executable name (e.g. powershell.exe) and let PATH find it.',
    });
  }
  return [spec.command, ...spec.args.map((a, i) => quoteWord(a, `argument ${i + 1}`))].join(' ');
}

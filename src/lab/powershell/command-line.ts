/**
 * How the lab reads a command it is asked to start: a Windows command line split into words (WinRS
 * sends either a command with separate arguments or one whole line, as pywinrm's run_ps does), and
 * powershell.exe's own switches. Pure functions.
 */
import { commandLineToArgv, decodeEncodedCommand } from '../windows/command-line.js';

/** Split a command line the way powershell.exe does (CommandLineToArgvW; see ../windows/command-line.ts). */
export const splitCommandLine = commandLineToArgv;

/** The words of a command: the command itself split when it came as one line, then its arguments. */
export function commandWords(command: string, args: string[]): string[] {
  return args.length === 0 ? splitCommandLine(command.trim()) : [command, ...args];
}

export function exeName(word: string): string {
  const base = word.replace(/^.*[\\/]/, '').toLowerCase();
  return base.endsWith('.exe') ? base.slice(0, -4) : base;
}

export type PowerShellInvocation =
  | { kind: 'encoded'; text: string }
  | { kind: 'command'; text: string }
  | { kind: 'interactive' }
  | { kind: 'error'; message: string };

/** A switch matches when the word is a prefix of its name (PowerShell accepts unambiguous prefixes). */
function isSwitch(word: string, name: string, shortest: number, aliases: string[] = []): boolean {
  const w = word.toLowerCase().replace(/^--?|^\//, '');
  return aliases.includes(w) || (w.length >= shortest && name.startsWith(w));
}

/** Read powershell.exe's arguments (the words after the executable). */
export function parsePowerShellArgs(words: string[]): PowerShellInvocation {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!/^[-/]/.test(w)) return { kind: 'command', text: words.slice(i).join(' ') };
    if (isSwitch(w, 'encodedcommand', 2, ['e', 'ec', 'enc'])) {
      const value = words[i + 1];
      if (value === undefined) return { kind: 'error', message: 'Cannot process the command because -EncodedCommand requires an argument.' };
      const text = decodeEncodedCommand(value);
      if (text === null) {
        return { kind: 'error', message: 'Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.' };
      }
      return { kind: 'encoded', text };
    }
    if (isSwitch(w, 'command', 1)) return { kind: 'command', text: words.slice(i + 1).join(' ') };
    if (isSwitch(w, 'file', 1)) return { kind: 'error', message: 'The lab does not model -File; send scripts through stdin.' };
    if (isSwitch(w, 'executionpolicy', 3, ['ep']) || isSwitch(w, 'inputformat', 2) || isSwitch(w, 'outputformat', 2) || isSwitch(w, 'windowstyle', 1) || isSwitch(w, 'version', 1)) {
      i++; // switch with a value
      continue;
    }
    // -NoProfile, -NonInteractive, -NoLogo, -Sta, -Mta, -NoExit: no value, no effect in the lab.
  }
  return { kind: 'interactive' };
}

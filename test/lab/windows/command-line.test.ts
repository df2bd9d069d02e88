/**
 * The lab's own reading of Windows command lines, against hand-written lines whose argv Microsoft
 * documents (CommandLineToArgvW; "Parsing C++ command-line arguments"), never against the product's
 * quoting code.
 */
import { describe, expect, it } from 'vitest';
import { parsePowerShellArgs } from '../../../src/lab/powershell/index.js';
import { commandLineToArgv, decodeEncodedCommand } from '../../../src/lab/windows/command-line.js';

/** The arguments after the program name `p`. */
const args = (rest: string) => commandLineToArgv(`p ${rest}`).slice(1);

describe('commandLineToArgv (CommandLineToArgvW)', () => {
  it.each([
    // Microsoft's table: input → argv[1..]
    ['"abc" d e', ['abc', 'd', 'e']],
    ['a\\\\b d"e f"g h', ['a\\\\b', 'de fg', 'h']],
    ['a\\\\\\"b c d', ['a\\"b', 'c', 'd']],
    ['a\\\\\\\\"b c" d e', ['a\\\\b c', 'd', 'e']],
    ['"a b c" d e', ['a b c', 'd', 'e']],
    ['"ab\\"c" "\\\\" d', ['ab"c', '\\', 'd']],
  ])('%s', (line, expected) => {
    expect(args(line)).toEqual(expected);
  });

  it('a doubled quote inside quotes is a literal quote and ends the quoted part (shell32, unlike the 2008+ C runtime)', () => {
    expect(args('a"b"" c d')).toEqual(['ab"', 'c', 'd']);
    expect(args('"a""b"')).toEqual(['a"b']);
    expect(args('"""x y"""')).toEqual(['"x', 'y"']);
    expect(args('""""')).toEqual(['"']);
  });

  it('empty arguments: a pair of quotes is one empty argument; runs of blanks separate only', () => {
    expect(args('"" x ""')).toEqual(['', 'x', '']);
    expect(args('  a \t  b  ')).toEqual(['a', 'b']);
    expect(args('a ""b')).toEqual(['a', 'b']);
  });

  it('backslashes not before a quote are literal (Windows paths); a trailing backslash too', () => {
    expect(args('C:\\Temp\\x.txt "C:\\Program Files\\Cortex\\\\" C:\\dir\\')).toEqual(['C:\\Temp\\x.txt', 'C:\\Program Files\\Cortex\\', 'C:\\dir\\']);
    // An odd run before the closing quote escapes it: the quoted part runs on.
    expect(args('"C:\\Program Files\\" next')).toEqual(['C:\\Program Files" next']);
  });

  it('argv[0] follows its own rule: up to the next blank, or quoted up to the next quote, backslashes literal', () => {
    expect(commandLineToArgv('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile')).toEqual([
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      '-NoProfile',
    ]);
    expect(commandLineToArgv('"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -c "a b"')).toEqual(['C:\\Program Files\\PowerShell\\7\\pwsh.exe', '-c', 'a b']);
    expect(commandLineToArgv('a\\"b c')).toEqual(['a\\"b', 'c']);
    expect(commandLineToArgv('"prog"x y')).toEqual(['prog', 'x', 'y']);
    expect(commandLineToArgv('')).toEqual([]);
  });
});

describe('decodeEncodedCommand (-EncodedCommand: base64 of UTF-16LE)', () => {
  it('decodes UTF-16LE, non-ASCII included', () => {
    // "Write-Output 'ü€'" in UTF-16LE, base64 written out by hand from the bytes.
    const b64 = Buffer.from("Write-Output 'ü€'", 'utf16le').toString('base64');
    expect(b64).toBe('VwByAGkAdABlAC0ATwB1AHQAcAB1AHQAIAAnAPwArCAnAA==');
    expect(decodeEncodedCommand(b64)).toBe("Write-Output 'ü€'");
    expect(decodeEncodedCommand('aABvAHMAdABuAGEAbQBlAA==')).toBe('hostname');
  });

  it('refuses what is not base64, as powershell.exe does before running anything', () => {
    expect(decodeEncodedCommand('aABvAHMAdABuAGEAbQBlAA')).toBeNull(); // padding missing
    expect(decodeEncodedCommand('aABv$HMA')).toBeNull();
    expect(decodeEncodedCommand('hostname')).not.toBeNull(); // 8 base64 letters: decodes (to junk), as in Windows
    expect(parsePowerShellArgs(['-NoProfile', '-EncodedCommand', 'not base64!'])).toEqual({
      kind: 'error',
      message: 'Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.',
    });
  });

  it('powershell.exe reads its argv from the line: -EncodedCommand after quoted switches', () => {
    const line = `powershell.exe -NoProfile -ExecutionPolicy "Bypass" -EncodedCommand ${Buffer.from('Get-Date', 'utf16le').toString('base64')}`;
    expect(parsePowerShellArgs(commandLineToArgv(line).slice(1))).toEqual({ kind: 'encoded', text: 'Get-Date' });
  });
});

import { describe, expect, it } from 'vitest';
import { commandLineToArgv as parseWindowsCommandLine } from '../../../src/lab/windows/command-line.js';

describe('parseWindowsCommandLine (CommandLineToArgvW rules)', () => {
  it.each([
    ['powershell.exe -NoProfile -Command x', ['powershell.exe', '-NoProfile', '-Command', 'x']],
    // Leading blanks make argv[0] empty (documented for CommandLineToArgvW).
    ['  a   b\tc  ', ['', 'a', 'b', 'c']],
    ['p "a b" c', ['p', 'a b', 'c']],
    ['p ""', ['p', '']],
    ['p "" x', ['p', '', 'x']],
    ['p a\\\\b', ['p', 'a\\\\b']],
    ['p "C:\\Program Files\\\\"', ['p', 'C:\\Program Files\\']],
    ['p a\\"b', ['p', 'a"b']],
    ['p a\\\\\\"b', ['p', 'a\\"b']],
    ['p a\\\\"b c"', ['p', 'a\\b c']],
    ['p "say ""hi"""', ['p', 'say "hi"']],
    ['p ab"c d"e', ['p', 'abc de']],
    ['"C:\\Program Files\\x.exe" -a', ['C:\\Program Files\\x.exe', '-a']],
    // argv[0] not starting with a quote ends at the first blank; its quotes are literal.
    ['C:\\dir\\"x y" z', ['C:\\dir\\"x', 'y z']],
    ['', []],
  ])('%j', (line, words) => {
    expect(parseWindowsCommandLine(line)).toEqual(words);
  });
});

describe('the SSH transport\'s command lines, read back by the lab', () => {
  it('give back the words the transport was asked to send', async () => {
    const { buildCommandLine } = await import('../../../src/transport/ssh/command-line.js');
    const spec = { command: 'powershell.exe', args: ['-NoProfile', '-EncodedCommand', 'QUJD+/=', 'two words', '', 'C:\\Program Files\\x', '(a)[b]{c}#~;&|<>\'*?'] };
    expect(parseWindowsCommandLine(buildCommandLine(spec))).toEqual([spec.command, ...spec.args]);
  });
});

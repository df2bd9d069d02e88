import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { buildCommandLine } from '../../../src/transport/ssh/command-line.js';
// The lab's independent reading of a Windows command line (CommandLineToArgvW), not an inverse of ours.
import { commandLineToArgv as splitCommandLine } from '../../../src/lab/windows/command-line.js';

describe('SSH command line (same meaning under cmd.exe, powershell.exe and sh)', () => {
  it('leaves plain words bare: the runner bootstrap line works under any default shell', () => {
    const b64 = 'JABQAHIAbwBnAHIAZQBzAHMAUAByAGUAZgBlAHIAZQBuAGMAZQA9ACcAUwBpAGwAZQBuAHQAbAB5AEMAbwBuAHQAaQBuAHUAZQAnAA==';
    const spec = { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', b64] };
    const line = buildCommandLine(spec);
    expect(line).toBe(`powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${b64}`);
    expect(splitCommandLine(line)).toEqual([spec.command, ...spec.args]);
  });

  it('double-quotes words with spaces; Windows reads the same words back', () => {
    const spec = { command: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', args: ['-File', 'C:\\Program Files\\Cortex\\x.ps1', ''] };
    const line = buildCommandLine(spec);
    expect(line).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -File "C:\\Program Files\\Cortex\\x.ps1" ""');
    expect(splitCommandLine(line)).toEqual([spec.command, ...spec.args]);
  });

  it.each([['$env:SECRET'], ['a"b'], ['100%'], ['`n'], ['C:\\with space\\'], ['!x']])('refuses %s, which some shell would interpret', (arg) => {
    expect(() => buildCommandLine({ command: 'powershell.exe', args: [arg] })).toThrow(InputError);
  });

  it('refuses a command with spaces (PowerShell would read a quoted first word as a string)', () => {
    expect(() => buildCommandLine({ command: 'C:\\Program Files\\x.exe', args: [] })).toThrow(/bare executable/);
  });

});

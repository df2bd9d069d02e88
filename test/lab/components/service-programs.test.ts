/**
 * The programs a lab machine's running services run (src/lab/components/service-programs.ts): what the
 * archive model refuses to overwrite, as Windows does for a running program's file.
 */
import { describe, expect, it } from 'vitest';
import { executableOf, runningServicePrograms } from '../../../src/lab/components/service-programs.js';
import { resolveProfile } from '../../../src/lab/profile/resolve.js';
import { deriveState } from '../../../src/lab/state/derive.js';

function machineWith(overrides: Record<string, unknown>) {
  const r = resolveProfile(overrides);
  if (!r.ok) throw new Error(`invalid profile: ${JSON.stringify(r.issues)}`);
  return deriveState({ name: 'lb1', address: '127.0.0.10' }, r.profile, new Date('2026-01-01T00:00:00Z')).machine;
}

describe('executableOf', () => {
  it.each([
    ['"C:\\Program Files\\nssm\\win64\\nssm.exe"', 'C:\\Program Files\\nssm\\win64\\nssm.exe'],
    ['"C:\\Program Files\\x\\erlsrv.exe" -sname rabbit', 'C:\\Program Files\\x\\erlsrv.exe'],
    ['C:\\Program Files\\gobetween\\gobetween.exe', 'C:\\Program Files\\gobetween\\gobetween.exe'],
    ['C:\\Windows\\system32\\svchost.exe -k netsvcs -p', 'C:\\Windows\\system32\\svchost.exe'],
    ['C:\\tools\\run.cmd --flag', 'C:\\tools\\run.cmd'],
  ])('%s -> %s', (line, exe) => expect(executableOf(line)).toBe(exe));
});

describe('runningServicePrograms', () => {
  const nssmHosted = (state: 'Running' | 'Stopped') =>
    machineWith({
      services: [{ name: 'gobetween', state, binaryPath: 'C:\\Program Files\\nssm\\win64\\nssm.exe' }],
      registry: { 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\gobetween\\Parameters': { Application: { kind: 'ExpandString', data: 'C:\\Program Files\\gobetween\\gobetween.exe' } } },
    });

  it("a running NSSM service: NSSM's image and the program it hosts, lower-case", () => {
    const programs = runningServicePrograms(nssmHosted('Running'));
    expect(programs).toContain('c:\\program files\\nssm\\win64\\nssm.exe');
    expect(programs).toContain('c:\\program files\\gobetween\\gobetween.exe');
  });

  it('a stopped service runs nothing', () => {
    const programs = runningServicePrograms(nssmHosted('Stopped'));
    expect(programs).not.toContain('c:\\program files\\nssm\\win64\\nssm.exe');
    expect(programs).not.toContain('c:\\program files\\gobetween\\gobetween.exe');
  });
});

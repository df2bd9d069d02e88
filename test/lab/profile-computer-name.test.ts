/**
 * The computer name a lab host gets (what `hostname`, $env:COMPUTERNAME and the probes report): the
 * NetBIOS rule, at most 15 characters, upper case, only the characters NetBIOS allows.
 */
import { describe, expect, it } from 'vitest';
import { resolveProfile } from '../../src/lab/profile/resolve.js';
import { NETBIOS_NAME } from '../../src/lab/profile/schema.js';
import { computerNameFor, deriveState } from '../../src/lab/state/derive.js';

function machineName(name: string, lab: unknown = {}): string {
  const r = resolveProfile(lab);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return deriveState({ name, address: '127.0.0.2' }, r.profile, new Date(0)).machine.computerName;
}

describe('lab computer names (NetBIOS)', () => {
  it.each([
    ['app1', 'APP1'],
    ['App-Server_02', 'APP-SERVER_02'],
    // A DNS name: the computer name is its first label.
    ['app1.corp.example.com', 'APP1'],
    ['cortex-application-server-01.corp.example.com', 'CORTEX-APPLICAT'],
    // Cut to 15 characters.
    ['very-long-host-name-01', 'VERY-LONG-HOST-'],
    ['abcdefghijklmnop', 'ABCDEFGHIJKLMNO'],
    // Characters NetBIOS refuses become '-'.
    ['a b/c:d*e', 'A-B-C-D-E'],
    ['lab001', 'LAB001'],
  ])('%s → %s', (name, want) => {
    expect(machineName(name)).toBe(want);
  });

  it('an IP address or an all-digit name gets a Windows Setup style name, stable per host', () => {
    for (const name of ['127.0.1.3', '10.0.0.21', '2019', '::1']) {
      const got = machineName(name);
      expect(got, name).toMatch(/^WIN-[A-Z0-9]{11}$/);
      expect(machineName(name)).toBe(got);
    }
    expect(machineName('127.0.1.3')).not.toBe(machineName('127.0.1.4'));
  });

  it('every derived name keeps the whole rule', () => {
    const names = ['x', 'app1', 'a.b', '-lead', 'trail-', 'UPPER.lower', 'a'.repeat(40), 'ünïcödé-host', '127.0.0.1', '_x_', '9lives', '0'];
    for (const name of names) {
      const got = computerNameFor(name);
      expect(got.length, name).toBeLessThanOrEqual(15);
      expect(got, name).toBe(got.toUpperCase());
      expect(got, name).toMatch(NETBIOS_NAME);
    }
  });

  it("a profile's computerName is used as given, upper case", () => {
    expect(machineName('app1', { computerName: 'cortex-app-1' })).toBe('CORTEX-APP-1');
  });
});

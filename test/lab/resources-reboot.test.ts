/**
 * reboot's Test reads every pending-reboot marker of the machine's registry (the overlay included), and
 * completeReboot (what the lab's restart does to them) clears them all, a waiting rename becoming the
 * computer's name.
 */
import { describe, expect, it } from 'vitest';
import { completeReboot, rebootPending } from '../../src/lab/handlers/resources/reboot.js';
import { resolveProfile } from '../../src/lab/profile/resolve.js';
import { deriveMachine } from '../../src/lab/state/derive.js';
import type { LabMachine } from '../../src/lab/state/types.js';

function machine(lab: Record<string, unknown> = {}): LabMachine {
  const r = resolveProfile(lab);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return deriveMachine({ name: 'app1', address: '127.0.0.1' }, r.profile, new Date('2026-01-15T10:00:00Z'));
}

const MARKERS: Array<[string, Record<string, unknown>]> = [
  ['Component Based Servicing (pendingReboot)', { pendingReboot: true }],
  ['Component Based Servicing (a key below RebootPending)', { registry: { 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending\\x': {} } }],
  ['Windows Update', { registry: { 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired': {} } }],
  ['file renames', { registry: { 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager': { PendingFileRenameOperations: { kind: 'MultiString', data: ['\\??\\C:\\a', ''] } } } }],
  ['Server Manager', { registry: { 'HKLM\\SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache': { RestartRequired: { kind: 'DWord', data: 1 } } } }],
  ['a computer rename', { computerName: 'OLDNAME', registry: { 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName': { ComputerName: { kind: 'String', data: 'NewName' } } } }],
  ['a domain join', { registry: { 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon': { JoinDomain: { kind: 'String', data: 'corp' } } } }],
];

describe("reboot's pending markers", () => {
  it('a fresh machine has none', () => {
    expect(rebootPending(machine())).toBe(false);
  });

  for (const [label, lab] of MARKERS) {
    it(`${label}: pending, and a restart clears it`, () => {
      const m = machine(lab);
      expect(rebootPending(m)).toBe(true);
      completeReboot(m);
      expect(rebootPending(m)).toBe(false);
    });
  }

  it('a rename waiting for the restart becomes the computer name', () => {
    const m = machine(MARKERS[5]![1]);
    expect(m.computerName).toBe('OLDNAME');
    completeReboot(m);
    expect(m.computerName).toBe('NEWNAME');
  });

  it('empty renames and a cleared Server Manager flag are not pending', () => {
    const m = machine({
      registry: {
        'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager': { PendingFileRenameOperations: { kind: 'MultiString', data: ['', ''] } },
        'HKLM\\SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache': { RestartRequired: { kind: 'DWord', data: 0 } },
      },
    });
    expect(rebootPending(m)).toBe(false);
  });
});

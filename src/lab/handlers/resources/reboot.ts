/**
 * reboot's Test (test-batch.ps1's Get-CortexRebootState): whether any pending-reboot marker is set (the
 * markers of ps1/lib/resource.ps1's Get-CortexPendingReboot, read from the machine's registry as the
 * shim shows it) and the last boot time. The Set (the restart) is modelled by the reboot handler.
 */
import { machineRegistry, REG } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import { defineResourceModel } from './types.js';
import { dropOverlayValue, normalizeKey, registryKey, registryValueData } from './registry.js';

/** Test-CortexRebootPending: any of Windows' markers (CBS, Windows Update, renames, Server Manager, rename, domain join). */
export function rebootPending(m: LabMachine): boolean {
  const reg = machineRegistry(m);
  const value = (sub: string, name: string) => registryValueData(reg, sub, name);
  const renames = value(REG.sessionManager, 'PendingFileRenameOperations');
  const serverManager = value('SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache', 'RestartRequired');
  const active = value(REG.activeComputerName, 'ComputerName');
  const pendingName = value(REG.computerName, 'ComputerName');
  const netlogon = registryKey(reg, REG.netlogon);
  const netlogonNames = netlogon ? Object.keys(netlogon).map((n) => n.toLowerCase()) : [];
  return (
    registryKey(reg, REG.cbsRebootPending) !== undefined ||
    registryKey(reg, REG.wuRebootRequired) !== undefined ||
    (renames !== null && (Array.isArray(renames) ? renames.some((r) => r !== '') : renames !== '' && renames !== 0)) ||
    (serverManager !== null && Number(serverManager) !== 0) ||
    (active !== null && pendingName !== null && String(active) !== String(pendingName)) ||
    netlogonNames.includes('joindomain') ||
    netlogonNames.includes('avoidspnset')
  );
}

export const rebootModel = defineResourceModel({
  type: 'reboot',
  read: ({ machine }) => ({ pending: rebootPending(machine), bootTime: new Date(machine.bootTime).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z') }),
});

/** Keys whose presence is a pending reboot; a restart removes them (with what is below them). */
const MARKER_KEYS = [REG.cbsRebootPending, REG.wuRebootRequired];
/** Values a restart consumes: the renames are carried out, Server Manager's flag and Netlogon's join values cleared. */
const MARKER_VALUES: Array<[string, string]> = [
  [REG.sessionManager, 'PendingFileRenameOperations'],
  ['SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache', 'RestartRequired'],
  [REG.netlogon, 'JoinDomain'],
  [REG.netlogon, 'AvoidSpnSet'],
];

/**
 * What a restart does to the pending-reboot markers (for the lab's reboot, src/lab/power.ts): all of
 * them cleared, a waiting computer rename made the computer's name. The files a
 * PendingFileRenameOperations entry would move are not modelled (the lab keeps no such list).
 */
export function completeReboot(m: LabMachine): void {
  const reg = machineRegistry(m);
  const pendingName = registryValueData(reg, REG.computerName, 'ComputerName');
  if (typeof pendingName === 'string' && pendingName !== '') m.computerName = pendingName.toUpperCase();
  m.pendingReboot = false;
  for (const key of Object.keys(m.registry)) {
    if (!/^HKLM\\/i.test(key)) continue;
    const sub = normalizeKey(key.slice(5));
    if (MARKER_KEYS.some((k) => sub === normalizeKey(k) || sub.startsWith(`${normalizeKey(k)}\\`))) delete m.registry[key];
  }
  for (const [sub, name] of MARKER_VALUES) dropOverlayValue(m, 'HKLM', sub, name);
  // The rename is done: both names derive from computerName again.
  dropOverlayValue(m, 'HKLM', REG.computerName, 'ComputerName');
  dropOverlayValue(m, 'HKLM', REG.activeComputerName, 'ComputerName');
}

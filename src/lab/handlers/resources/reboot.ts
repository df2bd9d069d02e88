/**
 * reboot's Test (test-batch.ps1's Get-CortexRebootState): whether any pending-reboot marker is set (the
 * markers of ps1/lib/resource.ps1's Get-CortexPendingReboot, read from the machine's registry as the
 * shim shows it) and the last boot time. The Set (the restart) is modelled by the reboot handler.
 */
import { machineRegistry, REG } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import { defineResourceModel } from './types.js';
import { registryKey, registryValueData } from './registry.js';

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

/**
 * The Windows features a simulated host knows (Get-WindowsFeature), and which of them ask for a restart
 * when installed or removed: the lab's feature table (docs/lab.md, "Windows features"). A name in a
 * profile's `features` that is not here is known too (installed, no restart either way). A name in
 * neither is unknown: Get-WindowsFeature finds nothing and Install-WindowsFeature refuses it.
 * Data plus one pure function; the windows_feature handler and the Windows view both read it.
 */
import type { LabMachine } from '../state/types.js';

export interface FeatureDefinition {
  name: string;
  displayName: string;
  /** RestartNeeded = Yes after Install-WindowsFeature. */
  installRestart: boolean;
  /** RestartNeeded = Yes after Uninstall-WindowsFeature. */
  uninstallRestart: boolean;
  /** What -IncludeManagementTools installs (or removes) with it. */
  managementTools: string[];
}

const f = (name: string, displayName: string, installRestart = false, uninstallRestart = false, managementTools: string[] = []): FeatureDefinition => ({
  name,
  displayName,
  installRestart,
  uninstallRestart,
  managementTools,
});

export const FEATURE_TABLE: readonly FeatureDefinition[] = [
  f('Web-Server', 'Web Server (IIS)', false, true, ['Web-Mgmt-Console']),
  f('Web-WebServer', 'Web Server'),
  // h5-iis: the role services docs/iis.md lists (the list Cortex needs is UNCONFIRMED).
  f('Web-Common-Http', 'Common HTTP Features'),
  f('Web-Default-Doc', 'Default Document'),
  f('Web-Static-Content', 'Static Content'),
  f('Web-Http-Errors', 'HTTP Errors'),
  f('Web-Http-Redirect', 'HTTP Redirection'),
  f('Web-Health', 'Health and Diagnostics'),
  f('Web-Http-Logging', 'HTTP Logging'),
  f('Web-Request-Monitor', 'Request Monitor'),
  f('Web-Performance', 'Performance'),
  f('Web-Stat-Compression', 'Static Content Compression'),
  f('Web-Dyn-Compression', 'Dynamic Content Compression'),
  f('Web-Security', 'Security'),
  f('Web-Filtering', 'Request Filtering'),
  f('Web-Windows-Auth', 'Windows Authentication'),
  f('Web-App-Dev', 'Application Development'),
  f('Web-Net-Ext45', '.NET Extensibility 4.x'),
  f('Web-Asp-Net45', 'ASP.NET 4.x'),
  f('Web-ISAPI-Ext', 'ISAPI Extensions'),
  f('Web-ISAPI-Filter', 'ISAPI Filters'),
  f('Web-WebSockets', 'WebSocket Protocol'),
  f('Web-Mgmt-Tools', 'Management Tools'),
  f('Web-Mgmt-Console', 'IIS Management Console'),
  f('Web-Scripting-Tools', 'IIS Management Scripts and Tools'),
  f('NET-Framework-Features', '.NET Framework 3.5 Features'),
  f('NET-Framework-45-Core', '.NET Framework 4.x', false, true),
  f('NET-WCF-HTTP-Activation45', 'HTTP Activation'),
  f('PowerShellRoot', 'Windows PowerShell', false, true),
  f('PowerShell', 'Windows PowerShell 5.1', false, true),
  f('PowerShell-ISE', 'Windows PowerShell ISE'),
  f('MSMQ', 'Message Queuing'),
  f('SNMP-Service', 'SNMP Service', false, false, ['RSAT-SNMP']),
  f('RSAT-SNMP', 'SNMP Tools'),
  f('Telnet-Client', 'Telnet Client'),
  f('FS-FileServer', 'File Server'),
  f('Failover-Clustering', 'Failover Clustering', false, true, ['RSAT-Clustering']),
  f('RSAT-Clustering', 'Failover Clustering Tools'),
  f('RSAT-AD-PowerShell', 'Active Directory module for Windows PowerShell'),
  f('Hyper-V', 'Hyper-V', true, true, ['RSAT-Hyper-V-Tools']),
  f('RSAT-Hyper-V-Tools', 'Hyper-V Management Tools'),
  f('Containers', 'Containers', true, true),
  f('Windows-Defender', 'Microsoft Defender Antivirus', true, true),
];

/** Every feature the machine knows, the table's first and then the profile's own, with whether it is installed. */
export function machineFeatures(m: LabMachine): Array<FeatureDefinition & { installed: boolean; fromProfile: boolean }> {
  const installed = new Set(m.features.map((x) => x.toLowerCase()));
  const known = new Set(FEATURE_TABLE.map((x) => x.name.toLowerCase()));
  // The profile's featureRestarts: features whose install asks for a restart on this host (h5-iis).
  const restarts = new Set((m.featureRestarts ?? []).map((x) => x.toLowerCase()));
  return [
    ...FEATURE_TABLE.map((x) => ({ ...x, installRestart: x.installRestart || restarts.has(x.name.toLowerCase()), installed: installed.has(x.name.toLowerCase()), fromProfile: false })),
    ...m.features.filter((x) => !known.has(x.toLowerCase())).map((x) => ({ ...f(x, x), installed: true, fromProfile: true })),
  ];
}

/** The feature of that name (case-insensitive), or undefined when the machine does not know it. */
export function findFeature(m: LabMachine, name: string): ReturnType<typeof machineFeatures>[number] | undefined {
  return machineFeatures(m).find((x) => x.name.toLowerCase() === name.toLowerCase());
}

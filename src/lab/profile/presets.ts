/**
 * The default lab machine and the named presets. The default is a healthy, domain-joined Windows Server
 * 2019 Datacenter with the values of design.md's example; each preset is a partial override of it,
 * merged the same way a host's `lab:` vars are (resolve.ts). Version numbers follow
 * reference/components.md §11 (.NET Release values, OS builds, SQL major versions).
 */
import type { LabProfile } from './schema.js';

export const DEFAULT_PROFILE: LabProfile = {
  os: {
    caption: 'Microsoft Windows Server 2019 Datacenter',
    editionId: 'ServerDatacenter',
    build: 17763,
    productType: 3,
    is64Bit: true,
    installationType: 'Server',
  },
  dotnetRelease: 528049,
  psVersion: '5.1.17763.1',
  volumes: [{ drive: 'C:', fileSystem: 'NTFS', sizeGB: 127, freeGB: 90 }],
  programData: 'C:\\ProgramData',
  installDrive: 'C:',
  ipv4: null,
  ipv6: [],
  computerName: null,
  domain: { joined: true, name: 'corp.example.com', role: 3 },
  cpuCores: 4,
  logicalProcessors: null,
  ramGB: 16,
  iis: { version: '10.0', urlRewrite: '7.2.1993' },
  sql: [{ instance: 'MSSQLSERVER', version: '15.0.2000.5', edition: 'Standard Edition (64-bit)' }],
  products: [],
  services: [
    { name: 'EventLog', state: 'Running', startType: 'Automatic' },
    { name: 'MpsSvc', state: 'Running', startType: 'Automatic' },
    { name: 'RemoteRegistry', state: 'Stopped', startType: 'Manual' },
    { name: 'pla', state: 'Stopped', startType: 'Manual' },
    { name: 'WinRM', state: 'Running', startType: 'Automatic' },
    { name: 'W3SVC', state: 'Running', startType: 'Automatic' },
    { name: 'MSSQLSERVER', state: 'Running', startType: 'Automatic' },
  ],
  features: ['NET-Framework-45-Core', 'PowerShellRoot', 'PowerShell', 'Web-Server', 'Web-Asp-Net45'],
  env: {
    ComSpec: 'C:\\Windows\\system32\\cmd.exe',
    OS: 'Windows_NT',
    PROCESSOR_ARCHITECTURE: 'AMD64',
    windir: 'C:\\Windows',
  },
  files: {},
  firewallRules: [],
  pendingReboot: false,
  bootTime: null,
  utcOffsetSec: 0,
  clockSkewSec: 0,
  blockedPorts: [],
  listeningPorts: [135, 445, 1433, 3389, 5985, 5986],
  tls12: true,
  powershellStartMs: 400,
  maxEnvelopeSizeKb: 500,
  scriptDurationMs: {},
  faults: {
    latencyMs: 0,
    dropAfterRequests: null,
    dropMidCommand: null,
    http500: null,
    refuseAuth: false,
    failScripts: {},
    down: false,
    slowFactor: 1,
    reboot: null,
  },
};

/** Partial overrides, each a `lab:` block a user could have written. */
export const PRESETS: Record<string, Record<string, unknown>> = {
  ws2019: {},
  ws2016: {
    os: { caption: 'Microsoft Windows Server 2016 Datacenter', build: 14393 },
    psVersion: '5.1.14393.0',
    sql: [{ instance: 'MSSQLSERVER', version: '13.0.5026.0', edition: 'Standard Edition (64-bit)' }],
  },
  ws2012r2: {
    os: { caption: 'Microsoft Windows Server 2012 R2 Datacenter', build: 9600 },
    // 2012 R2 ships PowerShell 4.0 and .NET 4.5.1; IIS 8.5.
    psVersion: '4.0',
    dotnetRelease: 378675,
    iis: { version: '8.5', urlRewrite: null },
    sql: [],
    services: [
      { name: 'EventLog', state: 'Running', startType: 'Automatic' },
      { name: 'MpsSvc', state: 'Running', startType: 'Automatic' },
      { name: 'RemoteRegistry', state: 'Running', startType: 'Automatic' },
      { name: 'pla', state: 'Stopped', startType: 'Manual' },
      { name: 'WinRM', state: 'Running', startType: 'Automatic' },
      { name: 'W3SVC', state: 'Running', startType: 'Automatic' },
    ],
  },
  // .NET 4.7 (not 4.7.1): below the platform's minimum of Release 461308.
  'dotnet-4.7': { dotnetRelease: 460805 },
  'fat32-programdata': {
    volumes: [
      { drive: 'C:', fileSystem: 'NTFS', sizeGB: 127, freeGB: 90 },
      { drive: 'D:', fileSystem: 'FAT32', sizeGB: 32, freeGB: 30 },
    ],
    programData: 'D:\\ProgramData',
  },
  'low-disk': { volumes: [{ drive: 'C:', fileSystem: 'NTFS', sizeGB: 60, freeGB: 3 }] },
  workgroup: { domain: { joined: false, name: 'WORKGROUP', role: 2 } },
  'sql-express': {
    sql: [{ instance: 'SQLEXPRESS', version: '15.0.2000.5', edition: 'Express Edition (64-bit)' }],
    services: [
      { name: 'EventLog', state: 'Running', startType: 'Automatic' },
      { name: 'MpsSvc', state: 'Running', startType: 'Automatic' },
      { name: 'RemoteRegistry', state: 'Stopped', startType: 'Manual' },
      { name: 'pla', state: 'Stopped', startType: 'Manual' },
      { name: 'WinRM', state: 'Running', startType: 'Automatic' },
      { name: 'W3SVC', state: 'Running', startType: 'Automatic' },
      { name: 'MSSQL$SQLEXPRESS', state: 'Running', startType: 'Automatic' },
    ],
  },
  'ipv6-only': { ipv4: [], ipv6: ['fd00:c0de::10'] },
  small: { cpuCores: 2, logicalProcessors: 2, ramGB: 4 },
};

export const PRESET_NAMES = Object.keys(PRESETS);

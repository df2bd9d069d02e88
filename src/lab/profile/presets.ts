/**
 * The default lab machine and the named presets. The default is a healthy, domain-joined Windows Server
 * 2019 Datacenter; each preset is a partial profile, a `lab:` block a user could have written, merged
 * at the level of the inventory that names it (resolve.ts, docs/lab.md "Merge order").
 *
 * Presets are machines that can exist: test/lab/presets-facts.test.ts checks each one against a table
 * of what each Windows Server build ships (.NET Release, PowerShell, IIS) and what runs on it.
 * So that presets compose (a group's preset under a host's), each preset sets a whole group of keys:
 * - an OS preset sets every key that follows from the OS image and what is installed on it
 *   (OS_KEYS): a narrower OS preset replaces the whole machine image of an outer one;
 * - a disk preset sets the volumes together with %ProgramData% and the install drive (DISK_KEYS).
 */
import type { LabProfile } from './schema.js';

/** Keys an OS preset sets, all of them. */
export const OS_KEYS = ['os', 'dotnetRelease', 'psVersion', 'iis', 'sql', 'services', 'features', 'listeningPorts'] as const;
/** Keys a preset that sets any of them sets together. */
export const DISK_KEYS = ['volumes', 'programData', 'installDrive'] as const;

type OsImage = Pick<LabProfile, (typeof OS_KEYS)[number]>;
type Service = LabProfile['services'][number];

const running = (name: string): Service => ({ name, state: 'Running', startType: 'Automatic' });
const manualStopped = (name: string): Service => ({ name, state: 'Stopped', startType: 'Manual' });

/** What every Windows Server here runs, before SQL Server. RemoteRegistry is trigger-started since 2016. */
const SERVICES_2016_ON = [running('EventLog'), running('MpsSvc'), manualStopped('RemoteRegistry'), manualStopped('pla'), running('WinRM'), running('W3SVC')];
const FEATURES = ['NET-Framework-45-Core', 'PowerShellRoot', 'PowerShell', 'Web-Server', 'Web-Asp-Net45'];
/** RPC, SMB, RDP, WinRM; 1433 only where a default SQL Server instance listens. */
const BASE_PORTS = [135, 445, 3389, 5985, 5986];
const WITH_SQL_PORTS = [135, 445, 1433, 3389, 5985, 5986];

/** Windows Server 2019 (build 17763) ships .NET 4.7.2 (Release 461814); this one was updated to 4.8. */
const WS2019: OsImage = {
  os: { caption: 'Microsoft Windows Server 2019 Datacenter', editionId: 'ServerDatacenter', build: 17763, productType: 3, is64Bit: true, installationType: 'Server' },
  dotnetRelease: 528049,
  psVersion: '5.1.17763.1',
  iis: { version: '10.0', urlRewrite: '7.2.1993' },
  sql: [{ instance: 'MSSQLSERVER', version: '15.0.2000.5', edition: 'Standard Edition (64-bit)' }],
  services: [...SERVICES_2016_ON, running('MSSQLSERVER')],
  features: FEATURES,
  listeningPorts: WITH_SQL_PORTS,
};

/** Windows Server 2016 (build 14393) ships .NET 4.6.2 (Release 394802); this one was updated to 4.8. SQL Server 2016 SP2. */
const WS2016: OsImage = {
  os: { caption: 'Microsoft Windows Server 2016 Datacenter', editionId: 'ServerDatacenter', build: 14393, productType: 3, is64Bit: true, installationType: 'Server' },
  dotnetRelease: 528049,
  psVersion: '5.1.14393.0',
  iis: { version: '10.0', urlRewrite: '7.2.1993' },
  sql: [{ instance: 'MSSQLSERVER', version: '13.0.5026.0', edition: 'Standard Edition (64-bit)' }],
  services: [...SERVICES_2016_ON, running('MSSQLSERVER')],
  features: FEATURES,
  listeningPorts: WITH_SQL_PORTS,
};

/** Windows Server 2012 R2 (build 9600) as shipped: PowerShell 4.0, .NET 4.5.1 (Release 378675), IIS 8.5; no SQL Server. */
const WS2012R2: OsImage = {
  os: { caption: 'Microsoft Windows Server 2012 R2 Datacenter', editionId: 'ServerDatacenter', build: 9600, productType: 3, is64Bit: true, installationType: 'Server' },
  dotnetRelease: 378675,
  psVersion: '4.0',
  iis: { version: '8.5', urlRewrite: null },
  sql: [],
  services: [running('EventLog'), running('MpsSvc'), running('RemoteRegistry'), manualStopped('pla'), running('WinRM'), running('W3SVC')],
  features: FEATURES,
  listeningPorts: BASE_PORTS,
};

export const DEFAULT_PROFILE: LabProfile = {
  ...WS2019,
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
  products: [],
  env: {
    ComSpec: 'C:\\Windows\\system32\\cmd.exe',
    OS: 'Windows_NT',
    PROCESSOR_ARCHITECTURE: 'AMD64',
    windir: 'C:\\Windows',
  },
  files: {},
  directories: [],
  registry: {},
  firewallRules: [],
  acls: {},
  scheduledTaskRuns: {},
  sqlDatabases: [],
  amqpVhosts: {},
  rabbitmq: null,
  pendingReboot: false,
  bootTime: null,
  utcOffsetSec: 0,
  clockSkewSec: 0,
  blockedPorts: [],
  tls12: true,
  powershellStartMs: 400,
  maxEnvelopeSizeKb: 500,
  scriptDurationMs: {},
  steps: {},
  rebootDownSec: 2,
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
    corruptTransfers: false,
    failUpgrade: null,
    failRabbitmqUpgrade: null,
    atStep: null,
  },
};

/** Partial profiles, each a `lab:` block a user could have written. */
export const PRESETS: Record<string, Record<string, unknown>> = {
  ws2019: { ...WS2019 },
  ws2016: { ...WS2016 },
  ws2012r2: { ...WS2012R2 },
  // A 2016 host updated to .NET 4.7 (Release 460805 on 2016), not 4.7.1: below the platform's
  // minimum of Release 461308. Server 2019 cannot have it: it ships 4.7.2.
  'dotnet-4.7': { ...WS2016, dotnetRelease: 460805 },
  'fat32-programdata': {
    volumes: [
      { drive: 'C:', fileSystem: 'NTFS', sizeGB: 127, freeGB: 90 },
      { drive: 'D:', fileSystem: 'FAT32', sizeGB: 32, freeGB: 30 },
    ],
    programData: 'D:\\ProgramData',
    installDrive: 'C:',
  },
  'low-disk': { volumes: [{ drive: 'C:', fileSystem: 'NTFS', sizeGB: 60, freeGB: 3 }], programData: 'C:\\ProgramData', installDrive: 'C:' },
  workgroup: { domain: { joined: false, name: 'WORKGROUP', role: 2 } },
  // SQL Server 2019 Express as a named instance: dynamic ports, so nothing listens on 1433.
  'sql-express': {
    sql: [{ instance: 'SQLEXPRESS', version: '15.0.2000.5', edition: 'Express Edition (64-bit)' }],
    services: [...SERVICES_2016_ON, running('MSSQL$SQLEXPRESS')],
    listeningPorts: BASE_PORTS,
  },
  'ipv6-only': { ipv4: [], ipv6: ['fd00:c0de::10'] },
  small: { cpuCores: 2, logicalProcessors: 2, ramGB: 4 },
};

export const PRESET_NAMES = Object.keys(PRESETS);
/** Presets that describe a whole machine image (they set every one of OS_KEYS). */
export const OS_PRESETS = PRESET_NAMES.filter((n) => OS_KEYS.every((k) => k in PRESETS[n]!));

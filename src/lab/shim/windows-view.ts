/**
 * A lab machine as Windows shows it: where Windows keeps each fact of the lab profile (registry paths,
 * CIM classes and properties, files, environment), as a WindowsView for the shim (view-schema.ts).
 * Pure. It reads the machine only; it never calls a lab handler, so when a script run against this view
 * and the handler modelling that script disagree, the differential test (test/lab/differential/) shows it.
 */
import type { LabHostRef } from '../dispatcher.js';
import type { LabHostState, LabMachine } from '../state/types.js';
import { machineListeners } from '../state/listeners.js';
import { KNOWN_PLUGINS, nodeOf } from '../components/rabbitmq.js';
import { LabRabbitmqDbSchema } from '../profile/rabbitmq-schema.js';
import { systemFiles, systemRoot } from '../state/system-files.js';
import { WINDOWS_VIEW_VERSION, type RegistryValue, type WindowsFile, type WindowsView } from './view-schema.js';
import { installerEffects, uninstallEntry } from '../artifacts/effects.js';
import { labCatalog, textFile } from '../artifacts/catalog.js';
import { machineFeatures } from '../windows/features.js';
import { ROOT_ACCESS, type AclRule } from '../state/acl.js';
import { CORTEX_DB_SCRIPTS } from '../artifacts/components/cortex-database.js';
import { packageFileVersion, type PowerView } from '../components/service-fabric.js';
import { serviceFabricView } from './service-fabric-view.js';
import { appPools, installIis, registerUrlRewrite, sites } from '../components/iis.js';

const GIB = 1024 ** 3;

/** Where 32-bit programs' HKLM\SOFTWARE lives on 64-bit Windows. */
export const WOW6432 = 'SOFTWARE\\WOW6432Node';

export const REG = {
  currentVersion: 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  ndpFull: 'SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full',
  psEngine: 'SOFTWARE\\Microsoft\\PowerShell\\3\\PowerShellEngine',
  inetStp: 'SOFTWARE\\Microsoft\\InetStp',
  urlRewrite: 'SOFTWARE\\Microsoft\\IIS Extensions\\URL Rewrite',
  sqlInstanceNames: 'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL',
  sqlSetup: (id: string) => `SOFTWARE\\Microsoft\\Microsoft SQL Server\\${id}\\Setup`,
  cbsRebootPending: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending',
  wuRebootRequired: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired',
  sessionManager: 'SYSTEM\\CurrentControlSet\\Control\\Session Manager',
  tls12: (side: 'Client' | 'Server') => `SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\${side}`,
  uninstall: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
  services: 'SYSTEM\\CurrentControlSet\\Services',
  computerName: 'SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName',
  activeComputerName: 'SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName',
  netlogon: 'SYSTEM\\CurrentControlSet\\Services\\Netlogon',
  environment: 'SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment',
} as const;

/** How the view names a key's default value (the empty name; regedit's "(Default)"): JSON keys cannot be empty for the shim. */
export const DEFAULT_VALUE_NAME = '(default)';

/** A machine-scope variable as Windows stores it: REG_EXPAND_SZ when it refers to others (%SystemRoot%), else REG_SZ. */
export function environmentValue(value: string): RegistryValue {
  return /%[^%]+%/.test(value) ? { kind: 'ExpandString', data: value } : { kind: 'String', data: value };
}

/**
 * Puts the profile's `registry` overlay of one hive onto a hive's keys: values replace those the other
 * facts imply (matched without regard to case, keeping the stored names), null deletes one, and a
 * listed key exists even without values.
 */
export function overlayRegistry(reg: WindowsView['registry'], overlay: LabMachine['registry'], hive: 'HKLM' | 'HKCU'): void {
  const prefix = `${hive}\\`;
  for (const [path, values] of Object.entries(overlay ?? {})) {
    if (path.slice(0, prefix.length).toUpperCase() !== prefix) continue;
    const sub = path.slice(prefix.length);
    const key = Object.keys(reg).find((k) => k.toLowerCase() === sub.toLowerCase()) ?? sub;
    const target = (reg[key] ??= {});
    for (const [name, value] of Object.entries(values)) {
      const viewName = name === '' ? DEFAULT_VALUE_NAME : name;
      const stored = Object.keys(target).find((n) => n.toLowerCase() === viewName.toLowerCase());
      if (value === null) {
        if (stored !== undefined) delete target[stored];
      } else {
        target[stored ?? viewName] = value;
      }
    }
  }
}

/** The same key in the 32-bit view: SOFTWARE is redirected to WOW6432Node on 64-bit Windows, SYSTEM is shared. */
export function wow6432Path(subKey: string): string {
  return /^SOFTWARE\\/i.test(subKey) ? `${WOW6432}\\${subKey.slice('SOFTWARE\\'.length)}` : subKey;
}

const str = (data: string): RegistryValue => ({ kind: 'String', data });
const dword = (data: number): RegistryValue => ({ kind: 'DWord', data });

function versionParts(v: string): number[] {
  return v.split('.').map((x) => Number.parseInt(x, 10));
}

/** CIM instances: Win32_OperatingSystem, Win32_ComputerSystem, Win32_Processor, Win32_LogicalDisk, Win32_NetworkAdapterConfiguration, Win32_Service. */
function cimOf(m: LabMachine): WindowsView['cim'] {
  // Big core counts come as two sockets (Win32_Processor is one instance per socket; scripts sum NumberOfCores).
  const sockets = m.cpuCores >= 16 && m.cpuCores % 2 === 0 ? 2 : 1;
  const threads = Math.max(1, Math.round(m.logicalProcessors / sockets));
  return {
    Win32_OperatingSystem: [
      {
        Caption: m.os.caption,
        // CIM types: BuildNumber and Version are strings, ProductType a UInt32.
        BuildNumber: String(m.os.build),
        Version: `10.0.${m.os.build}`,
        ProductType: m.os.productType,
        OSArchitecture: m.os.is64Bit ? '64-bit' : '32-bit',
        CSName: m.computerName,
        SystemDrive: 'C:',
        WindowsDirectory: systemRoot(m),
        LastBootUpTime: m.bootTime,
        TotalVisibleMemorySize: Math.round((m.ramGB * GIB) / 1024),
      },
    ],
    Win32_ComputerSystem: [
      {
        Name: m.computerName,
        Domain: m.domain.name,
        PartOfDomain: m.domain.joined,
        DomainRole: m.domain.role,
        Workgroup: m.domain.joined ? null : m.domain.name,
        NumberOfProcessors: sockets,
        NumberOfLogicalProcessors: m.logicalProcessors,
        TotalPhysicalMemory: Math.round(m.ramGB * GIB),
      },
    ],
    Win32_Processor: Array.from({ length: sockets }, (_, i) => ({
      DeviceID: `CPU${i}`,
      NumberOfCores: m.cpuCores / sockets,
      NumberOfLogicalProcessors: threads,
      AddressWidth: m.os.is64Bit ? 64 : 32,
    })),
    Win32_LogicalDisk: m.volumes.map((v) => ({
      DeviceID: v.drive.toUpperCase(),
      DriveType: 3,
      FileSystem: v.fileSystem,
      Size: Math.round(v.sizeGB * GIB),
      FreeSpace: Math.round(v.freeGB * GIB),
    })),
    Win32_NetworkAdapterConfiguration: [
      {
        Index: 1,
        Description: 'Microsoft Hyper-V Network Adapter',
        IPEnabled: true,
        IPAddress: [...m.ipv4, ...m.ipv6],
      },
    ],
    Win32_Service: m.services.map((s) => ({ Name: s.name, State: s.state, StartMode: s.startType === 'Automatic' ? 'Auto' : s.startType, PathName: s.binaryPath ?? null })),
  };
}

/** HKLM as Windows stores what the profile says. */
function registryOf(m: LabMachine): WindowsView['registry'] {
  const reg: WindowsView['registry'] = {};
  const put = (key: string, name: string, value: RegistryValue, views: '64' | 'both' = '64') => {
    for (const k of views === 'both' && m.os.is64Bit ? [key, wow6432Path(key)] : [key]) {
      (reg[k] ??= {})[name] = value;
    }
  };
  const key = (k: string) => void (reg[k] ??= {});

  put(REG.currentVersion, 'ProductName', str(m.os.caption.replace(/^Microsoft /, '')));
  put(REG.currentVersion, 'EditionID', str(m.os.editionId));
  put(REG.currentVersion, 'InstallationType', str(m.os.installationType));
  put(REG.currentVersion, 'CurrentBuild', str(String(m.os.build)));
  put(REG.currentVersion, 'CurrentBuildNumber', str(String(m.os.build)));
  put(REG.computerName, 'ComputerName', str(m.computerName));
  // The active name equals the configured one: no rename waits for a reboot.
  put(REG.activeComputerName, 'ComputerName', str(m.computerName));
  // Netlogon without JoinDomain or AvoidSpnSet: no domain join waits for a reboot.
  put(REG.netlogon, 'Start', dword(m.domain.joined ? 2 : 3));

  // .NET 4.5+ registers in both views; Release absent means no .NET 4.5 or later.
  if (m.dotnetRelease > 0) {
    put(REG.ndpFull, 'Release', dword(m.dotnetRelease), 'both');
    put(REG.ndpFull, 'Install', dword(1), 'both');
  }
  put(REG.psEngine, 'PowerShellVersion', str(m.psVersion), 'both');

  if (m.iis) {
    const [major = 0, minor = 0] = versionParts(m.iis.version);
    put(REG.inetStp, 'MajorVersion', dword(major));
    put(REG.inetStp, 'MinorVersion', dword(minor));
    put(REG.inetStp, 'VersionString', str(`Version ${m.iis.version}`));
    put(REG.inetStp, 'InstallPath', str(`${systemRoot(m)}\\system32\\inetsrv`));
    if (m.iis.urlRewrite) put(REG.urlRewrite, 'Version', str(m.iis.urlRewrite));
  }

  for (const s of m.sql) {
    const id = `MSSQL${versionParts(s.version)[0]}.${s.instance}`;
    put(REG.sqlInstanceNames, s.instance, str(id));
    put(REG.sqlSetup(id), 'Version', str(s.version));
    put(REG.sqlSetup(id), 'Edition', str(s.edition));
    put(REG.sqlSetup(id), 'SQLPath', str(`C:\\Program Files\\Microsoft SQL Server\\${id}\\MSSQL`));
  }

  // The lab's pendingReboot is Component Based Servicing's flag: a key whose presence is the fact.
  if (m.pendingReboot) key(REG.cbsRebootPending);
  key(REG.sessionManager);

  if (!m.tls12) {
    for (const side of ['Client', 'Server'] as const) {
      put(REG.tls12(side), 'Enabled', dword(0));
      put(REG.tls12(side), 'DisabledByDefault', dword(1));
    }
  }

  for (const p of m.products) {
    const entry = uninstallEntry(p, m.os.is64Bit);
    for (const [name, data] of Object.entries(entry.values)) (reg[entry.keyPath] ??= {})[name] = str(data);
  }
  for (const s of m.services) {
    const k = `${REG.services}\\${s.name}`;
    (reg[k] ??= {}).Start = dword(s.startType === 'Automatic' ? 2 : s.startType === 'Manual' ? 3 : 4);
    if (s.binaryPath) reg[k]!.ImagePath = { kind: 'ExpandString', data: s.binaryPath };
    if (s.delayedAutoStart !== undefined) reg[k]!.DelayedAutostart = dword(s.delayedAutoStart ? 1 : 0);
  }
  // Machine-scope environment variables live here; the key exists on every Windows.
  key(REG.environment);
  for (const [name, value] of Object.entries(m.env)) reg[REG.environment]![name] = environmentValue(value);
  overlayRegistry(reg, m.registry, 'HKLM');
  return reg;
}

/** HKLM of a lab machine as Windows stores it (the 32-bit view of SOFTWARE under WOW6432Node): what scripts read. */
export function machineRegistry(m: LabMachine): WindowsView['registry'] {
  return registryOf(m);
}

/** HKCU of the connecting account: only what the profile's `registry` overlay holds under HKCU\. */
export function currentUserRegistry(m: LabMachine): WindowsView['registry'] {
  const reg: WindowsView['registry'] = {};
  overlayRegistry(reg, m.registry, 'HKCU');
  return reg;
}

/** Folders every lab machine has (and IIS's when installed): the profile implies them. */
export function systemDirectories(m: LabMachine): string[] {
  const root = systemRoot(m);
  // systemprofile: LocalSystem's profile (the RabbitMQ service reads its Erlang cookie there).
  const dirs = [root, `${root}\\System32`, `${root}\\System32\\config\\systemprofile`, m.programData, 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\Users'];
  if (m.iis) dirs.push(`${root}\\System32\\inetsrv`, 'C:\\inetpub\\wwwroot');
  return dirs;
}

function filesOf(m: LabMachine): Pick<WindowsView, 'files' | 'directories' | 'systemPaths'> {
  const files: Record<string, WindowsFile> = {};
  const system = systemDirectories(m);
  const directories = [...system, ...(m.directories ?? [])];
  for (const f of systemFiles(m)) files[f.path] = { length: f.length, sha256: f.sha256, fileVersion: f.fileVersion };
  // A Service Fabric package's versioned exe carries its FileVersion (the cluster's upgrade Test reads it).
  for (const [path, sha256] of Object.entries(m.files)) files[path] = { length: m.fileSizes[path] ?? 0, sha256, fileVersion: /\.exe$/i.test(path) ? packageFileVersion(sha256) : null };
  return { files, directories, systemPaths: [...system, ...systemFiles(m).map((f) => f.path)] };
}

function processesAndListeners(m: LabMachine): Pick<WindowsView, 'processes' | 'tcpConnections'> {
  const listeners = machineListeners(m);
  const processes = new Map<number, string>([[4, 'System']]);
  for (const l of listeners) if (l.processName !== null) processes.set(l.processId, l.processName);
  return {
    tcpConnections: listeners.map((l) => ({ LocalAddress: l.address, LocalPort: l.port, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 'Listen', OwningProcess: l.processId })),
    processes: [...processes].map(([Id, ProcessName]) => ({ Id, ProcessName })),
  };
}

export interface ProjectOptions {
  /** The network as the host sees it (projectNetwork); default: nothing resolves, no connect is answered. */
  network?: WindowsView['network'];
  /** Clock skew of the host (its profile's clockSkewSec; default the machine's). */
  clockSkewSec?: number;
  /** Which hosts are up, and their machines, for Service Fabric's nodes; default: this node alone, up. */
  power?: PowerView;
  /** The other RabbitMQ nodes of the lab, as this host's CLI reaches them (default: none). */
  rabbitmqPeers?: NonNullable<WindowsView['rabbitmq']>['peers'];
  /** The backends gobetween's API on this host lists (projectGobetween; default: none). */
  gobetween?: WindowsView['gobetween'];
}

/** The Windows view of a lab machine. */
export function projectWindowsView(m: LabMachine, opts: ProjectOptions = {}): WindowsView {
  const view = projectBase(m, opts);
  return {
    ...view,
    iisInstall: m.iis ? null : iisInstallDelta(view, projectBase(withIisInstalled(m), opts)),
    iisExtensionInstall: m.iis ? urlRewriteDeltas(m, view, opts) : null,
  };
}

/**
 * h5-iis: per synthetic IIS extension MSI (by SHA-256), what its registering with IIS adds to the view
 * besides its uninstall entry: registry keys (with all their values), files, and the system paths as
 * they will be. The shim's msiexec applies it after the installer's effect.
 */
function urlRewriteDeltas(m: LabMachine, before: Omit<WindowsView, 'iisInstall' | 'iisExtensionInstall'>, opts: ProjectOptions): NonNullable<WindowsView['iisExtensionInstall']> {
  const out: NonNullable<WindowsView['iisExtensionInstall']> = {};
  for (const [sha, a] of labCatalog().byHash) {
    if (a.type !== 'installer' || a.iisExtension !== 'urlRewrite') continue;
    const m2 = structuredClone(m);
    registerUrlRewrite(m2, a.product.version);
    const after = projectBase(m2, opts);
    const registry: WindowsView['registry'] = {};
    for (const [k, v] of Object.entries(after.registry)) if (JSON.stringify(v) !== JSON.stringify(before.registry[k])) registry[k] = v;
    const files: WindowsView['files'] = {};
    for (const [k, v] of Object.entries(after.files)) if (JSON.stringify(v) !== JSON.stringify(before.files[k])) files[k] = v;
    out[sha] = { registry, files, systemPaths: after.systemPaths };
  }
  return out;
}

/** h5-iis: the machine once the Web-Server feature brought IIS (src/lab/components/iis.ts). */
function withIisInstalled(m: LabMachine): LabMachine {
  const after = structuredClone(m);
  installIis(after);
  return after;
}

/**
 * h5-iis: what installing IIS changes in a view, as whole top-level parts of the view after it (the
 * feature rows themselves aside: Install-WindowsFeature sets those): the shim's Install-WindowsFeature
 * of Web-Server puts them in place, as the windows_feature model's installIis does on the machine.
 */
function iisInstallDelta(before: Omit<WindowsView, 'iisInstall' | 'iisExtensionInstall'>, after: Omit<WindowsView, 'iisInstall' | 'iisExtensionInstall'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (k === 'windowsFeatures') continue;
    if (JSON.stringify(v) !== JSON.stringify((before as Record<string, unknown>)[k])) out[k] = v;
  }
  return out;
}

function projectBase(m: LabMachine, opts: ProjectOptions): Omit<WindowsView, 'iisInstall' | 'iisExtensionInstall'> {
  const root = systemRoot(m);
  const env: Record<string, string> = {
    ...m.env,
    COMPUTERNAME: m.computerName,
    SystemDrive: 'C:',
    SystemRoot: root,
    windir: root,
    ProgramData: m.programData,
    ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    USERDOMAIN: m.domain.joined ? (m.domain.name.split('.')[0] ?? m.domain.name).toUpperCase() : m.computerName,
  };
  if (m.domain.joined) env.USERDNSDOMAIN = m.domain.name.toUpperCase();
  return {
    viewVersion: WINDOWS_VIEW_VERSION,
    is64BitOperatingSystem: m.os.is64Bit,
    // The lab machine has one name: the DNS host name is the computer name.
    hostName: m.computerName,
    powerShellVersion: m.psVersion,
    clockSkewSec: opts.clockSkewSec ?? m.clockSkewSec,
    env,
    registry: registryOf(m),
    currentUserRegistry: currentUserRegistry(m),
    cim: cimOf(m),
    ...filesOf(m),
    netIPAddresses: [
      ...m.ipv4.map((a, i) => ({ IPAddress: a, InterfaceAlias: 'Ethernet', InterfaceIndex: 6, AddressFamily: 'IPv4' as const, AddressState: 'Preferred', PrefixOrigin: 'Manual', PrefixLength: i === 0 ? 24 : 32 })),
      ...m.ipv6.map((a) => ({ IPAddress: a, InterfaceAlias: 'Ethernet', InterfaceIndex: 6, AddressFamily: 'IPv6' as const, AddressState: 'Preferred', PrefixOrigin: 'Manual', PrefixLength: 64 })),
      // Every Windows host has the loopback interface, whatever its adapters.
      { IPAddress: '127.0.0.1', InterfaceAlias: 'Loopback Pseudo-Interface 1', InterfaceIndex: 1, AddressFamily: 'IPv4', AddressState: 'Preferred', PrefixOrigin: 'WellKnown', PrefixLength: 8 },
      { IPAddress: '::1', InterfaceAlias: 'Loopback Pseudo-Interface 1', InterfaceIndex: 1, AddressFamily: 'IPv6', AddressState: 'Preferred', PrefixOrigin: 'WellKnown', PrefixLength: 128 },
    ],
    ...processesAndListeners(m),
    services: m.services.map((s) => ({ Name: s.name, DisplayName: s.name, Status: s.state, StartType: s.startType, ServicesDependedOn: [...(s.dependsOn ?? [])] })),
    network: opts.network ?? { dns: {}, hosts: {} },
    // A machine has run no program yet: the shim records what the script runs.
    nativeCalls: [],
    ...resourceFactsOf(m),
    ...componentFactsOf(m),
    serviceFabric: serviceFabricView(m, opts.power),
    rabbitmq: { self: nodeOf(m), peers: opts.rabbitmqPeers ?? [], knownPlugins: [...KNOWN_PLUGINS], newNodeDb: LabRabbitmqDbSchema.parse({}) },
    gobetween: opts.gobetween ?? { backends: [] },
  };
}

/** h6-lb-db: the SQL databases with the lab's Cortex database scripts, and the broker's vhosts. */
function componentFactsOf(m: LabMachine): Pick<WindowsView, 'sql' | 'amqpVhosts'> {
  const scripts: NonNullable<WindowsView['sql']>['scripts'] = {};
  for (const s of CORTEX_DB_SCRIPTS) scripts[textFile(s.text).sha256] = { fileName: s.fileName, text: s.text, from: s.from };
  return {
    sql: { databases: m.sqlDatabases.map((d) => ({ instance: d.instance, name: d.name, schemaVersions: [...d.schemaVersions] })), scripts },
    amqpVhosts: Object.fromEntries(Object.entries(m.amqpVhosts).map(([k, v]) => [k, { queues: { ...v.queues }, exchanges: [...v.exchanges], ...(v.messages ? { messages: { ...v.messages } } : {}) }])),
  };
}

// ---- lab-res-b: features, firewall rules, ACLs, synthetic artifacts, scheduled task runs ----

const ALL_PROFILES = ['Domain', 'Private', 'Public'];

/** An access rule as Get-Acl lists it. */
export function accessRow(r: AclRule, isInherited: boolean): WindowsView['rootAccess'][number] {
  return {
    IdentityReference: r.identity,
    FileSystemRights: r.rights,
    AccessControlType: r.type === 'allow' ? 'Allow' : 'Deny',
    InheritanceFlags: r.inherit ? 'ContainerInherit, ObjectInherit' : 'None',
    IsInherited: isInherited,
  };
}

/** h5-iis: IIS's pools and sites, the certificate stores, and the lab's PFX files (src/lab/components/iis.ts). */
function iisFactsOf(m: LabMachine): Pick<WindowsView, 'iis' | 'certificates' | 'labCertificates'> {
  const labCertificates: WindowsView['labCertificates'] = {};
  for (const [sha, a] of labCatalog().byHash) if (a.type === 'certificate') labCertificates[sha] = { thumbprint: a.thumbprint, subject: a.subject, passwordSha256: a.passwordSha256 };
  return {
    iis: m.iis
      ? {
          appPools: appPools(m).map((p) => ({ name: p.name, managedRuntimeVersion: p.runtime, managedPipelineMode: p.pipeline, identityType: p.identity, userName: p.userName, state: p.state })),
          sites: sites(m).map((x) => ({ name: x.name, id: x.id, physicalPath: x.physicalPath, applicationPool: x.appPool, state: x.state, bindings: x.bindings.map((b) => ({ ...b })) })),
        }
      : null,
    certificates: (m.certificates ?? []).map((c) => ({ store: c.store, Thumbprint: c.thumbprint, Subject: c.subject, HasPrivateKey: c.hasPrivateKey, Exportable: c.exportable })),
    labCertificates,
  };
}

function resourceFactsOf(m: LabMachine): Pick<WindowsView, 'windowsFeatures' | 'firewallRules' | 'acls' | 'rootAccess' | 'labArtifacts' | 'scheduledTaskRuns' | 'iis' | 'certificates' | 'labCertificates'> {
  const archives: WindowsView['labArtifacts']['archives'] = {};
  for (const [sha, a] of labCatalog().byHash) if (a.type === 'archive') archives[sha] = Object.fromEntries(Object.entries(a.entries).map(([p, text]) => [p, textFile(text)]));
  return {
    windowsFeatures: machineFeatures(m).map((f) => ({
      Name: f.name,
      DisplayName: f.displayName,
      Installed: f.installed,
      InstallRestartNeeded: f.installRestart,
      UninstallRestartNeeded: f.uninstallRestart,
      ManagementTools: f.managementTools,
      FromProfile: f.fromProfile,
    })),
    firewallRules: m.firewallRules.map((r) => ({
      Name: r.name,
      DisplayName: r.name,
      Direction: r.direction,
      Action: r.action,
      Enabled: r.enabled ? 'True' : 'False',
      // Windows prints the profile flags of a rule in every profile as 'Any'.
      Profile: ALL_PROFILES.every((p) => r.profiles.includes(p as never)) ? 'Any' : ALL_PROFILES.filter((p) => r.profiles.includes(p as never)).join(', '),
      Protocol: r.protocol,
      LocalPort: r.localPorts.length ? r.localPorts.map(String) : ['Any'],
      RemoteAddress: r.remoteAddresses,
    })),
    acls: Object.fromEntries(Object.entries(m.acls).map(([path, acl]) => [path, { AreAccessRulesProtected: !acl.inheritance, Access: acl.rules.map((r) => accessRow(r, false)) }])),
    rootAccess: ROOT_ACCESS.map((r) => accessRow(r, true)),
    labArtifacts: { installers: installerEffects(m.os.is64Bit), archives },
    scheduledTaskRuns: Object.fromEntries(Object.entries(m.scheduledTaskRuns).map(([k, v]) => [k, { exitCode: v.exitCode, setsPendingReboot: v.setsPendingReboot, runSec: v.runSec }])),
    ...iisFactsOf(m),
  };
}
// ---- end lab-res-b ----

/** The lab as one host sees it over the network: which names resolve, which endpoints answer. */
export interface LabNetworkSource {
  hosts(): LabHostRef[];
  getHostState(name: string): LabHostState | undefined;
  isUp(name: string): boolean;
  canConnect(fromHost: string, toHost: string, port: number): boolean;
}

/**
 * The network part of a host's view, from the lab: every lab host's name resolves to its address; per
 * address, whether it is up, the ports a connect from `fromHost` reaches (of the ports it listens on,
 * the lab's own endpoints and `ports`), and the ports its firewall drops.
 */
export function projectNetwork(lab: LabNetworkSource, fromHost: string, ports: readonly number[] = []): WindowsView['network'] {
  const dns: WindowsView['network']['dns'] = {};
  const hosts: WindowsView['network']['hosts'] = {};
  for (const h of lab.hosts()) {
    dns[h.name] = [h.address];
    const m = lab.getHostState(h.name)?.machine;
    const candidates = new Set([...(m?.listeningPorts ?? []), 22, 5985, 5986, ...ports]);
    hosts[h.address] = {
      up: lab.isUp(h.name),
      openPorts: [...candidates].filter((p) => lab.canConnect(fromHost, h.name, p)).sort((a, b) => a - b),
      blockedPorts: [...(m?.blockedPorts ?? [])],
    };
  }
  return { dns, hosts };
}

/**
 * What gobetween's API on a load balancer lists, from the lab (view-schema.ts, `gobetween`): each lab host
 * by name and by address on each port an IIS site of it is bound to; healthy when the host is up and a
 * started site whose pool is started is bound to the port (the health check's request would be answered).
 */
export function projectGobetween(lab: LabNetworkSource): WindowsView['gobetween'] {
  const backends: WindowsView['gobetween']['backends'] = [];
  for (const h of lab.hosts()) {
    const m = lab.getHostState(h.name)?.machine;
    if (!m) continue;
    const started = new Set(appPools(m).filter((p) => p.state === 'Started').map((p) => p.name.toLowerCase()));
    const ports = new Map<number, boolean>();
    for (const site of sites(m)) {
      const answers = lab.isUp(h.name) && site.state === 'Started' && started.has(site.appPool.toLowerCase());
      for (const b of site.bindings) {
        const port = Number(b.bindingInformation.split(':')[1]);
        if (Number.isInteger(port) && port >= 1 && port <= 65535) ports.set(port, (ports.get(port) ?? false) || answers);
      }
    }
    for (const [port, healthy] of [...ports].sort((a, b) => a[0] - b[0])) for (const host of [h.name, h.address]) backends.push({ host, port, healthy });
  }
  return { backends };
}

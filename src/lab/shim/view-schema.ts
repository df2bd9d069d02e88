/**
 * The "Windows view" of a simulated machine: what the lab's Windows shim (windows-shim.psm1) answers
 * Windows commands from. It is Windows' own vocabulary, not the lab profile's: CIM class instances with
 * their property names, the HKLM registry by key path (the 32-bit view under SOFTWARE\WOW6432Node, as
 * Windows stores it), files by path, environment variables, Get-NetIPAddress and Get-NetTCPConnection
 * rows, processes and services. windows-view.ts builds it from a lab machine; the shim can change it
 * (Set scripts) and hand it back, and this schema reads what comes back (docs/lab.md, "The Windows shim").
 */
import { z } from 'zod';

export const WINDOWS_VIEW_VERSION = 1;

/** A registry value with its kind (Microsoft.Win32.RegistryValueKind names). */
export const RegistryValueSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('String'), data: z.string() }),
  z.strictObject({ kind: z.literal('ExpandString'), data: z.string() }),
  z.strictObject({ kind: z.literal('MultiString'), data: z.array(z.string()) }),
  /** Stored as Windows stores it: 32 bits, read back as a signed Int32 (0xFFFFFFFF is -1). */
  z.strictObject({ kind: z.literal('DWord'), data: z.number().int().min(-2147483648).max(4294967295) }),
  z.strictObject({ kind: z.literal('QWord'), data: z.number().int() }),
  z.strictObject({ kind: z.literal('Binary'), data: z.array(z.number().int().min(0).max(255)) }),
]);
export type RegistryValue = z.infer<typeof RegistryValueSchema>;

const CimValue: z.ZodType<unknown> = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]);

export const WindowsFileSchema = z.strictObject({
  length: z.number().int().nonnegative(),
  /** Lower- or upper-case hex; Get-FileHash prints it upper-case. */
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  /** VersionInfo.FileVersion of a PE file; null for files without version resources. */
  fileVersion: z.string().nullable(),
});
export type WindowsFile = z.infer<typeof WindowsFileSchema>;

// ---- lab-res-b: features, firewall rules, ACLs, and what the lab knows of its synthetic artifacts ----

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const FileOfText = z.strictObject({ length: z.number().int().nonnegative(), sha256: sha256Hex });

/** Get-WindowsFeature rows, and what installing or removing each asks for. */
export const WindowsFeatureRowSchema = z.strictObject({
  Name: z.string(),
  DisplayName: z.string(),
  Installed: z.boolean(),
  /** RestartNeeded after Install-WindowsFeature / Uninstall-WindowsFeature (the lab's feature table). */
  InstallRestartNeeded: z.boolean(),
  UninstallRestartNeeded: z.boolean(),
  /** Features -IncludeManagementTools adds (or removes) with it. */
  ManagementTools: z.array(z.string()),
  /** A feature the profile lists that the lab's feature table does not: known only while installed. */
  FromProfile: z.boolean(),
});

/** Get-NetFirewallRule rows with their port filter (Get-NetFirewallPortFilter), as the cmdlets print them. */
export const FirewallRuleRowSchema = z.strictObject({
  Name: z.string(),
  DisplayName: z.string(),
  Direction: z.enum(['Inbound', 'Outbound']),
  Action: z.enum(['Allow', 'Block']),
  /** GpoBoolean: 'True' | 'False'. */
  Enabled: z.enum(['True', 'False']),
  /** 'Any' when the rule applies in every profile, else e.g. 'Domain, Private'. */
  Profile: z.string(),
  Protocol: z.string(),
  /** 'Any', or ports and ranges as text. */
  LocalPort: z.array(z.string()),
  RemoteAddress: z.array(z.string()),
});

/** An access rule as Get-Acl's Access lists it (FileSystemRights by the names the resource uses). */
export const AccessRuleRowSchema = z.strictObject({
  IdentityReference: z.string(),
  FileSystemRights: z.string(),
  AccessControlType: z.enum(['Allow', 'Deny']),
  /** 'None' or 'ContainerInherit, ObjectInherit'. */
  InheritanceFlags: z.string(),
  IsInherited: z.boolean(),
});

/** Explicit ACL of a path (inherited rules follow from the ancestors' and the drive root's, in the shim as in the lab). */
export const ExplicitAclSchema = z.strictObject({
  AreAccessRulesProtected: z.boolean(),
  Access: z.array(AccessRuleRowSchema),
});

/**
 * What an installer the lab knows does (src/lab/artifacts/), in Windows' terms: the uninstall entry it
 * writes (key path in the view it registers in, values), the services, files and machine environment
 * variables it installs, and its exit codes. Stands in for the installer's bytes, which the lab does not keep.
 */
export const InstallerEffectSchema = z.strictObject({
  kind: z.enum(['msi', 'exe']),
  productCode: z.string().nullable(),
  uninstallKeyPath: z.string(),
  uninstallValues: z.record(z.string(), z.string()),
  installExitCode: z.number().int(),
  uninstallExitCode: z.number().int(),
  services: z.array(z.strictObject({ Name: z.string(), Status: z.string(), StartType: z.string(), PathName: z.string().nullable() })),
  files: z.record(z.string(), FileOfText),
  env: z.record(z.string(), z.string()),
});
export type InstallerEffect = z.infer<typeof InstallerEffectSchema>;
// ---- end lab-res-b ----

export const WindowsViewSchema = z.strictObject({
  viewVersion: z.literal(WINDOWS_VIEW_VERSION),
  /** [Environment]::Is64BitOperatingSystem. */
  is64BitOperatingSystem: z.boolean(),
  /** [System.Net.Dns]::GetHostName(): the host's DNS host name. */
  hostName: z.string(),
  /** $PSVersionTable.PSVersion of the host's powershell.exe. */
  powerShellVersion: z.string(),
  /** How far the host's clock is ahead of the lab's (Get-Date). */
  clockSkewSec: z.number().int(),
  /** Process environment: COMPUTERNAME, SystemDrive, ProgramData, windir, … */
  env: z.record(z.string(), z.string()),
  /** HKLM key path (no hive prefix, any case) → value name → value. A key exists when listed or when a listed key is below it. */
  registry: z.record(z.string(), z.record(z.string(), RegistryValueSchema)),
  /** HKCU of the connecting account, the same way (HKCU\\Software is one key in both registry views). The default value is named "(default)" in both. */
  currentUserRegistry: z.record(z.string(), z.record(z.string(), RegistryValueSchema)),
  /** CIM class name → instances (property name → value, with the CIM type's JSON form: UInt64 a number, BuildNumber a string). */
  cim: z.record(z.string(), z.array(z.record(z.string(), CimValue))),
  /** Absolute Windows path → file. Folders exist when listed in `directories` or when a file is below them. */
  files: z.record(z.string(), WindowsFileSchema),
  directories: z.array(z.string()),
  /** Folders and files the profile implies (Windows, Program Files, IIS): removing them, or a folder holding them, is not emulated. */
  systemPaths: z.array(z.string()),
  /** Get-NetIPAddress rows (both families). */
  netIPAddresses: z.array(
    z.strictObject({
      IPAddress: z.string(),
      InterfaceAlias: z.string(),
      InterfaceIndex: z.number().int(),
      AddressFamily: z.enum(['IPv4', 'IPv6']),
      AddressState: z.string(),
      PrefixOrigin: z.string(),
      PrefixLength: z.number().int(),
    }),
  ),
  /** Get-NetTCPConnection rows. */
  tcpConnections: z.array(
    z.strictObject({
      LocalAddress: z.string(),
      LocalPort: z.number().int(),
      RemoteAddress: z.string(),
      RemotePort: z.number().int(),
      State: z.string(),
      OwningProcess: z.number().int(),
    }),
  ),
  /** Get-Process rows. */
  processes: z.array(z.strictObject({ Id: z.number().int(), ProcessName: z.string() })),
  /** Get-Service rows. */
  services: z.array(
    z.strictObject({
      Name: z.string(),
      DisplayName: z.string(),
      Status: z.string(),
      StartType: z.string(),
      /** Names of the services this one depends on (starting it starts them; they cannot stop while it runs). */
      ServicesDependedOn: z.array(z.string()),
    }),
  ),
  /**
   * The network as this host sees it, for connection probes: DNS names (any case) → IPv4 addresses (an
   * IPv4 literal resolves to itself), and per address whether the host answers, the ports a TCP connect
   * reaches and the ports a firewall drops. A connect to an unknown, down or blocked endpoint gets no
   * answer; to an open port it connects; to any other port it is refused.
   */
  network: z.strictObject({
    dns: z.record(z.string(), z.array(z.string())),
    hosts: z.record(z.string(), z.strictObject({ up: z.boolean(), openPorts: z.array(z.number().int()), blockedPorts: z.array(z.number().int()) })),
  }),
  /**
   * Native programs run through Invoke-CortexNative, in order, as the shim recorded them (a projected
   * machine has none): what a Set script asked Windows for that leaves no trace in the view itself,
   * such as a restart scheduled with shutdown.exe.
   */
  nativeCalls: z.array(z.strictObject({ filePath: z.string(), arguments: z.array(z.string()) })).default([]),
  // ---- lab-res-b ----
  /** Get-WindowsFeature: every feature the host knows, installed or not. */
  windowsFeatures: z.array(WindowsFeatureRowSchema),
  firewallRules: z.array(FirewallRuleRowSchema),
  /** Path → its explicit ACL; a path not listed has only inherited rules (unprotected). */
  acls: z.record(z.string(), ExplicitAclSchema),
  /** The access rules every drive root passes down (what a fresh NTFS volume's root gives its children). */
  rootAccess: z.array(AccessRuleRowSchema),
  /**
   * What the lab knows of files by their SHA-256 (lower case): its synthetic installers and zips. Not a
   * Windows fact: the stand-in for the bytes of files the lab keeps as hashes only.
   */
  labArtifacts: z.strictObject({
    installers: z.record(sha256Hex, InstallerEffectSchema),
    /** Zip SHA-256 → entry path (relative, backslashes) → file. */
    archives: z.record(sha256Hex, z.record(z.string(), FileOfText)),
  }),
  /** What each one-shot scheduled task run ends with, by the scheduled_task step's name (the lab profile's scheduledTaskRuns). */
  scheduledTaskRuns: z.record(z.string(), z.strictObject({ exitCode: z.number().int(), setsPendingReboot: z.boolean(), runSec: z.number().int() })),
  // ---- end lab-res-b ----
  // ---- h6-lb-db: what the shim's SQL seams and its rabbitmqctl / rabbitmq-transport answer from ----
  /**
   * SQL Server's databases (the lab profile's sqlDatabases) and the Cortex database scripts the lab
   * knows, by the SHA-256 of their file: their text, and the schema version each starts from.
   */
  sql: z
    .strictObject({
      databases: z.array(z.strictObject({ instance: z.string(), name: z.string(), schemaVersions: z.array(z.string()) })),
      scripts: z.record(sha256Hex, z.strictObject({ fileName: z.string(), text: z.string(), from: z.string().nullable() })),
    })
    .optional(),
  /** RabbitMQ vhosts as the NServiceBus model sees them (the lab profile's amqpVhosts). */
  amqpVhosts: z.record(z.string(), z.strictObject({ queues: z.record(z.string(), z.string()), exchanges: z.array(z.string()) })).optional(),
  // ---- end h6-lb-db ----
});
export type WindowsView = z.infer<typeof WindowsViewSchema>;

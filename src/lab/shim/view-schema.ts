/**
 * The "Windows view" of a simulated machine: what the lab's Windows shim (windows-shim.psm1) answers
 * Windows commands from. It is Windows' own vocabulary, not the lab profile's: CIM class instances with
 * their property names, the HKLM registry by key path (the 32-bit view under SOFTWARE\WOW6432Node, as
 * Windows stores it), files by path, environment variables, Get-NetIPAddress and Get-NetTCPConnection
 * rows, processes and services. windows-view.ts builds it from a lab machine; the shim can change it
 * (Set scripts) and hand it back, and this schema reads what comes back (docs/lab.md, "The Windows shim").
 */
import { z } from 'zod';
import { LabRabbitmqDbSchema, LabRabbitmqNodeSchema } from '../profile/rabbitmq-schema.js';

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
  /** An IIS extension (URL Rewrite): exits 1603 without IIS (h5-iis). */
  requiresIis: z.boolean().default(false),
  /** HKLM keys as stored (32-bit products' under WOW6432Node) → value name ('(default)' the default) → REG_SZ data. */
  registry: z.record(z.string(), z.record(z.string(), z.string())),
  /** Aborts unless this key (as stored) has a subkey: the exit code and message then. */
  requires: z.strictObject({ subKeyOf: z.string(), exitCode: z.number().int(), message: z.string() }).nullable(),
});
export type InstallerEffect = z.infer<typeof InstallerEffectSchema>;
// ---- end lab-res-b ----

/**
 * Service Fabric as the ServiceFabric module's cmdlets answer on this node through its own client
 * endpoint (src/lab/components/service-fabric.ts): Connect-ServiceFabricCluster's error ({endpoint}
 * stands for the endpoint asked for) or null, then what Get-ServiceFabricNode, -ClusterUpgrade,
 * -ClusterHealth, -ApplicationType, -Application and -ApplicationHealth return.
 */
export const ServiceFabricViewSchema = z.strictObject({
  connectError: z.string().nullable(),
  nodes: z.array(z.strictObject({ NodeName: z.string(), NodeStatus: z.string(), HealthState: z.string(), UpgradeDomain: z.string().default('') })),
  upgrade: z.strictObject({ TargetCodeVersion: z.string(), TargetConfigVersion: z.string() }).nullable(),
  clusterHealth: z.string().nullable(),
  applicationTypes: z.array(z.strictObject({ ApplicationTypeName: z.string(), ApplicationTypeVersion: z.string() })),
  applications: z.array(
    z.strictObject({
      ApplicationName: z.string(),
      ApplicationTypeName: z.string(),
      ApplicationTypeVersion: z.string(),
      ApplicationStatus: z.string(),
      HealthState: z.string(),
      ApplicationParameters: z.array(z.strictObject({ Name: z.string(), Value: z.string() })),
    }),
  ),
  /**
   * Not Windows facts: the nodes (NodeName) whose host has the lab's fail-upgrade fault (their upgrade
   * domain fails its health check in a monitored upgrade), and what the lab knows of the package files on
   * this machine by SHA-256 (lower case), standing in for their bytes: an ApplicationManifest.xml's text,
   * a MicrosoftAzureServiceFabric.cab's runtime version.
   */
  labUpgradeFaults: z.array(z.string()).default([]),
  labPackageFiles: z
    .strictObject({
      applicationManifests: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string()),
      runtimeCabs: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string()),
      /** A standalone package's scripts (TestConfiguration.ps1, CreateServiceFabricCluster.ps1, ...): the runtime each installs. */
      packageScripts: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.strictObject({ script: z.string(), runtime: z.string() })).default({}),
      /** The texts of this machine's .json files the lab received (a ClusterConfig.json). */
      jsonTexts: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string()).default({}),
    })
    .default({ applicationManifests: {}, runtimeCabs: {}, packageScripts: {}, jsonTexts: {} }),
  /**
   * The lab's machines as the package's TestConfiguration.ps1 and CreateServiceFabricCluster.ps1 reach
   * them from this node (over the network, with the install account): their names, whether they answer,
   * what the checks read there; empty when the view is built without the lab. Not one Windows command's
   * answer: the facts of the other machines those scripts read.
   */
  labMachines: z
    .array(
      z.strictObject({
        HostName: z.string(),
        Address: z.string(),
        Self: z.boolean(),
        Up: z.boolean(),
        RemoteRegistryRunning: z.boolean(),
        FirewallServiceRunning: z.boolean(),
        /** Enabled inbound TCP allow rules' local ports ('Any', a port, or a range such as '49152-65535'). */
        FirewallAllowedTcpPorts: z.array(z.string()),
        /** FabricHostSvc or a Service Fabric node there. */
        FabricInstalled: z.boolean(),
        /** Win32_OperatingSystem.ProductType 2. */
        DomainController: z.boolean(),
      }),
    )
    .default([]),
});
export type ServiceFabricView = z.infer<typeof ServiceFabricViewSchema>;
// ---- h5-iis: IIS (WebAdministration's IIS:\ drive) and the machine certificate stores (Cert:\) ----

export const IisBindingRowSchema = z.strictObject({
  protocol: z.string(),
  bindingInformation: z.string(),
  /** '' when none (Get-WebBinding's certificateHash). */
  certificateHash: z.string(),
  sslFlags: z.number().int(),
});

export const IisViewSchema = z.strictObject({
  appPools: z.array(
    z.strictObject({ name: z.string(), managedRuntimeVersion: z.string(), managedPipelineMode: z.string(), identityType: z.string(), userName: z.string(), state: z.string() }),
  ),
  sites: z.array(
    z.strictObject({ name: z.string(), id: z.number().int(), physicalPath: z.string(), applicationPool: z.string(), state: z.string(), bindings: z.array(IisBindingRowSchema) }),
  ),
});

export const CertificateRowSchema = z.strictObject({
  /** LocalMachine\My, ... */
  store: z.string(),
  Thumbprint: z.string(),
  Subject: z.string(),
  HasPrivateKey: z.boolean(),
  /** Whether the private key was imported exportable. */
  Exportable: z.boolean(),
});
// ---- end h5-iis ----

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
  /** IIS's pools and sites (IIS:\AppPools, IIS:\Sites); null without IIS (h5-iis). */
  iis: IisViewSchema.nullable().default(null),
  /** Certificates of the machine stores (h5-iis). */
  certificates: z.array(CertificateRowSchema).default([]),
  /**
   * What installing the Web-Server feature changes in this view (whole top-level parts as they will be),
   * for the shim's Install-WindowsFeature; null when IIS is there (h5-iis). Not a Windows fact.
   */
  iisInstall: z.record(z.string(), z.unknown()).nullable().default(null),
  /**
   * Per IIS extension MSI the lab knows (SHA-256): what registering it with IIS adds besides its uninstall
   * entry (registry keys with their values, files, the system paths as they will be); null without IIS,
   * where such an MSI exits 1603 (h5-iis). Not a Windows fact.
   */
  iisExtensionInstall: z
    .record(sha256Hex, z.strictObject({ registry: z.record(z.string(), z.record(z.string(), RegistryValueSchema)), files: z.record(z.string(), WindowsFileSchema), systemPaths: z.array(z.string()) }))
    .nullable()
    .default(null),
  /** What the lab knows of its synthetic PFX files by SHA-256: the certificate inside, its password's SHA-256 (h5-iis). */
  labCertificates: z.record(sha256Hex, z.strictObject({ thumbprint: z.string(), subject: z.string(), passwordSha256: z.string() })).default({}),
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
  amqpVhosts: z.record(z.string(), z.strictObject({ queues: z.record(z.string(), z.string()), exchanges: z.array(z.string()), messages: z.record(z.string(), z.number().int().nonnegative()).optional() })).optional(),
  // ---- end h6-lb-db ----
  serviceFabric: ServiceFabricViewSchema,
  /**
   * The lab's RabbitMQ as this host's CLI tools see it (src/lab/components/rabbitmq.ts): its own node
   * (null without the RabbitMQ service), which the shim's rabbitmqctl.bat and rabbitmq-plugins.bat
   * change, and the other nodes of the lab, read only (running, the cookie hash they present).
   */
  rabbitmq: z
    .strictObject({
      self: LabRabbitmqNodeSchema.nullable(),
      peers: z.array(z.strictObject({ node: LabRabbitmqNodeSchema, running: z.boolean(), cookieSha256: z.string().nullable() })),
      knownPlugins: z.array(z.string()),
      /** The data a new node starts with (the RabbitMQ installer's service makes one). */
      newNodeDb: LabRabbitmqDbSchema,
    })
    .optional(),
  /**
   * gobetween's REST API on this host (Get-CortexHttpJson of http://<loopback>:<port>/servers/<name>/stats),
   * not Windows facts: the lab runs no gobetween and holds no configuration of it. Every server lists each
   * lab host, by name and by address, on each port one of its IIS sites is bound to; `healthy` is whether
   * gobetween's health check of it would pass without a drain marker (the host up, a started site in a
   * started pool bound to the port). The shim answers only while the gobetween service runs, and a backend
   * is live when healthy and no marker drain\<host>_<port> is in gobetween's folder (its NSSM AppDirectory).
   */
  gobetween: z
    .strictObject({ backends: z.array(z.strictObject({ host: z.string(), port: z.number().int().min(1).max(65535), healthy: z.boolean() })) })
    .default({ backends: [] }),
});
export type WindowsView = z.infer<typeof WindowsViewSchema>;

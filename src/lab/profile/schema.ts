/**
 * The lab profile: what a simulated Windows Server looks like (docs/lab.md, "Host profiles").
 *
 * Host vars under `lab:` in the inventory are partial profiles, merged level by level over the default
 * (resolve.ts); the merged result is validated with `LabProfileSchema`. The key names are a contract:
 * add keys, never rename them. Objects are strict so a typo in a key is an error with a file:line:col,
 * not a silently ignored setting. Cross-key checks refuse machines that cannot exist (a %ProgramData%
 * on a drive the host does not have).
 */
import { z } from 'zod';
import { LabFaultsSchema } from '../faults/schema.js';
import { RegistryValueSchema } from '../shim/view-schema.js';

const drive = z.string().regex(/^[A-Za-z]:$/, 'a drive letter with a colon, like "C:"');
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hexadecimal digits (a SHA-256)');
const ipv4 = z.ipv4();

export const LabOsSchema = z.strictObject({
  caption: z.string().min(1),
  /** Registry EditionID, e.g. ServerDatacenter, ServerStandard, ServerStandardEval. */
  editionId: z.string().min(1),
  build: z.number().int().positive(),
  /** Win32_OperatingSystem.ProductType: 1 workstation, 2 domain controller, 3 server. */
  productType: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  is64Bit: z.boolean(),
  /** Registry InstallationType: Server, Server Core. */
  installationType: z.string().default('Server'),
});

export const LabVolumeSchema = z
  .strictObject({
    drive,
    fileSystem: z.string().min(1).default('NTFS'),
    sizeGB: z.number().positive().default(127),
    freeGB: z.number().nonnegative().default(90),
  })
  .refine((v) => v.freeGB <= v.sizeGB, { message: 'freeGB cannot exceed sizeGB.', path: ['freeGB'] });

export const LabDomainSchema = z.strictObject({
  joined: z.boolean(),
  /** FQDN when joined; the workgroup name otherwise. */
  name: z.string().min(1),
  /** Win32_ComputerSystem.DomainRole: 0/1 standalone/member workstation, 2/3 standalone/member server, 4/5 DC. */
  role: z.number().int().min(0).max(5),
});

export const LabIisSchema = z.strictObject({
  version: z.string().min(1),
  /** URL Rewrite module version, or null when not installed. */
  urlRewrite: z.string().min(1).nullable(),
  /** rewrite.dll is present; default: when urlRewrite is set. Otherwise, a partial install (docs/lab.md). */
  rewriteDll: z.boolean().optional(),
  /** w3wp.exe's FileVersion; default: the IIS version, the OS build, then 1 (10.0.17763.1). */
  w3wpVersion: z.string().regex(/^\d+(\.\d+){1,3}$/, 'a dotted version like "10.0.17763.5830"').optional(),
  // ---- h5-iis: IIS configuration (src/lab/components/iis.ts); absent: as IIS installs it (DefaultAppPool, Default Web Site) ----
  appPools: z.array(z.lazy(() => LabIisAppPoolSchema)).optional(),
  sites: z.array(z.lazy(() => LabIisSiteSchema)).optional(),
});

// ---- h5-iis: IIS application pools, sites and the machine certificate stores (docs/iis.md) ----

export const LabIisAppPoolSchema = z.strictObject({
  name: z.string().min(1),
  /** managedRuntimeVersion: 'v4.0', 'v2.0' or '' (No Managed Code). */
  runtime: z.string().default('v4.0'),
  pipeline: z.enum(['Integrated', 'Classic']).default('Integrated'),
  identity: z.enum(['ApplicationPoolIdentity', 'NetworkService', 'LocalSystem', 'LocalService', 'SpecificUser']).default('ApplicationPoolIdentity'),
  userName: z.string().default(''),
  state: z.enum(['Started', 'Stopped']).default('Started'),
});

export const LabIisBindingSchema = z.strictObject({
  protocol: z.enum(['http', 'https']),
  /** IP:port:host, e.g. *:443:gateway.corp.example.com. */
  bindingInformation: z.string().regex(/^(\*|[0-9.]+):\d{1,5}:[A-Za-z0-9.-]*$/, 'IP:port:host, like "*:443:gateway.example.com"'),
  /** Upper-case thumbprint of the certificate an https binding uses ('' none). */
  certificateHash: z.string().default(''),
  /** 1 with SNI. */
  sslFlags: z.number().int().default(0),
});

export const LabIisSiteSchema = z.strictObject({
  name: z.string().min(1),
  id: z.number().int().positive(),
  physicalPath: z.string().min(1),
  appPool: z.string().min(1),
  bindings: z.array(LabIisBindingSchema),
  state: z.enum(['Started', 'Stopped']).default('Started'),
});

export const LabCertificateSchema = z.strictObject({
  /** Cert:\ store, e.g. LocalMachine\My. */
  store: z.string().regex(/^LocalMachine\\[A-Za-z]+$/, 'a machine store like "LocalMachine\\My"'),
  /** Upper-case hex SHA-1. */
  thumbprint: z.string().regex(/^[0-9A-F]{40}$/, '40 upper-case hexadecimal digits'),
  subject: z.string().min(1),
  hasPrivateKey: z.boolean().default(true),
  exportable: z.boolean().default(false),
  notAfter: z.iso.datetime({ offset: true }).optional(),
});
// ---- end h5-iis ----

export const LabSqlInstanceSchema = z.strictObject({
  instance: z.string().min(1),
  version: z.string().regex(/^\d+(\.\d+){1,3}$/, 'a dotted version like "15.0.2000.5"'),
  edition: z.string().min(1),
});

export const LabProductSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  /** Key name under ...\CurrentVersion\Uninstall (a GUID for MSI products). */
  uninstallKey: z.string().min(1).optional(),
  /** Registered under WOW6432Node (a 32-bit installer on 64-bit Windows). */
  wow6432: z.boolean().default(false),
  // lab-res-b (package resource): what an uninstall runs, and which synthetic installer put it there.
  /** The entry's UninstallString (e.g. `MsiExec.exe /X{GUID}`). */
  uninstallString: z.string().min(1).optional(),
  /** The entry's QuietUninstallString: what the package resource runs to remove an EXE product. */
  quietUninstallString: z.string().min(1).optional(),
  /** SHA-256 of the lab's synthetic installer that installed it (src/lab/artifacts/): its uninstall undoes what that installed. */
  installer: sha256.optional(),
});

export const LabServiceSchema = z.strictObject({
  name: z.string().min(1),
  state: z.enum(['Running', 'Stopped', 'Paused']).default('Running'),
  startType: z.enum(['Automatic', 'Manual', 'Disabled']).default('Automatic'),
  /** Executable and arguments, for services a script installs (informational). */
  binaryPath: z.string().optional(),
  /**
   * The SCM's delayed-start flag (registry DelayedAutostart): true delayed, false cleared, absent never
   * set. Counts only while startType is Automatic (Windows ignores it otherwise).
   */
  delayedAutoStart: z.boolean().optional(),
  /** Services this one depends on (names): starting it starts them; they cannot stop while it runs. */
  dependsOn: z.array(z.string().min(1)).optional(),
});

/** A registry key as a profile writes it: the hive, then the key path (HKLM\SOFTWARE\Cortex). */
export const LAB_REGISTRY_KEY = /^(HKLM|HKCU)\\[^\\]/;

export const LabFirewallRuleSchema = z.strictObject({
  /** Stable rule name (New-NetFirewallRule -Name). */
  name: z.string().min(1),
  direction: z.enum(['Inbound', 'Outbound']).default('Inbound'),
  protocol: z.enum(['TCP', 'UDP', 'Any']).default('TCP'),
  /** Ports or ranges ("49152-65535"); none: any port. */
  localPorts: z.array(z.union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}(-\d{1,5})?$/, 'a port or a range, e.g. 5672 or 49152-65535')])).default([]),
  remoteAddresses: z.array(z.string()).default(['Any']),
  action: z.enum(['Allow', 'Block']).default('Allow'),
  enabled: z.boolean().default(true),
  /** The firewall profiles the rule applies in (lab-res-b, firewall_rule resource). */
  profiles: z.array(z.enum(['Domain', 'Private', 'Public'])).min(1).default(['Domain', 'Private', 'Public']),
});

// ---- lab-res-b: machine facts of the acl and scheduled_task resources (docs/lab.md, "Host profiles") ----

export const LabAclRuleSchema = z.strictObject({
  /** Account or group as Windows names it, e.g. 'BUILTIN\\Users', 'CORP\\svc-cortex'. */
  identity: z.string().min(1),
  rights: z.enum(['FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory']),
  type: z.enum(['allow', 'deny']).default('allow'),
  /** Container and object inherit (folders only; a file's rules never inherit). */
  inherit: z.boolean().default(true),
});

export const LabAclSchema = z.strictObject({
  /** Whether the item inherits its parent's inheritable rules (false: protected). */
  inheritance: z.boolean().default(true),
  /** Explicit rules, in order. */
  rules: z.array(LabAclRuleSchema).default([]),
});

export const LabScheduledTaskRunSchema = z.strictObject({
  /** The exit code (LastTaskResult) a run of this one-shot task ends with. */
  exitCode: z.number().int(),
  /** Whether its run leaves a reboot pending (what it ran, e.g. an installer, asked for one). */
  setsPendingReboot: z.boolean().default(false),
  /** How long the run takes (seconds): longer than the step's timeout, and it is stopped. */
  runSec: z.number().int().nonnegative().default(0),
});
// ---- end lab-res-b ----

// ---- h6-lb-db: the Cortex database and the NServiceBus queues (src/lab/components/database.ts, nservicebus.ts) ----

export const LabSqlDatabaseSchema = z.strictObject({
  /** The instance (one of `sql`), e.g. MSSQLSERVER. */
  instance: z.string().min(1),
  name: z.string().min(1),
  /** The rows of dbo.CortexSchemaVersion (versions applied, in order); empty: no table or no row. */
  schemaVersions: z.array(z.string().regex(/^\d+(\.\d+){1,3}$/, 'a dotted version like "1.0.0"')).default([]),
});

/**
 * A RabbitMQ vhost's queues and exchanges as the NServiceBus model sees them (rabbitmqctl list_queues /
 * list_exchanges). The RabbitMQ model owns vhosts; until both are joined, a vhost not listed here is
 * not emulated.
 */
export const LabAmqpVhostSchema = z.strictObject({
  /** Queue name → type (quorum, classic, stream). */
  queues: z.record(z.string(), z.enum(['quorum', 'classic', 'stream'])).default({}),
  exchanges: z.array(z.string()).default([]),
  /** Messages waiting per queue (list_queues messages); a queue not listed holds none (v1 delayed messages). */
  messages: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
// ---- end h6-lb-db ----
/**
 * Service Fabric on a host (src/lab/components/service-fabric.ts): this node, and the cluster as every
 * node of it keeps it (Service Fabric replicates its cluster manifest and system services on every
 * node; the lab keeps one copy per member, written together). Absent: no Service Fabric here.
 */
export const LabServiceFabricSchema = z.strictObject({
  nodeName: z.string().min(1),
  /** The runtime version the node runs (registry FabricVersion). */
  codeVersion: z.string().min(1),
  /** how many times each application's code packages were restarted on this node (service_fabric_restart). */
  codePackageRestarts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  cluster: z.strictObject({
    name: z.string().min(1),
    configVersion: z.string().min(1),
    /** Lab host name, node name and fault/upgrade domain of each node, in ClusterConfig.json order. */
    nodes: z.array(z.strictObject({ host: z.string().min(1), nodeName: z.string().min(1), faultDomain: z.string(), upgradeDomain: z.string() })).min(1),
    applicationTypes: z.array(z.strictObject({ name: z.string().min(1), version: z.string().min(1) })).default([]),
    applications: z.array(z.strictObject({ name: z.string().min(1), typeName: z.string().min(1), typeVersion: z.string().min(1), parameters: z.record(z.string(), z.string()) })).default([]),
  }),
});
export type LabServiceFabric = z.output<typeof LabServiceFabricSchema>;
// issue 12: a RabbitMQ node (its own module: the Windows view's schema shares it).
export { LabRabbitmqDbSchema, LabRabbitmqNodeSchema } from './rabbitmq-schema.js';
import { LabRabbitmqNodeSchema } from './rabbitmq-schema.js';

const port = z.number().int().min(1).max(65535);

/**
 * How one playbook step behaves on this host (docs/lab.md, "Step profiles"): applied to every script
 * that runs with the step's id as its tag. A failure is the script's own error result, saying it was
 * simulated, so a test can rehearse a step failing on one host without touching the scripts.
 */
export const LabStepProfileSchema = z
  .strictObject({
    /** Simulated duration of each script of the step, replacing the handler's (still times slowFactor). */
    durationMs: z.number().int().nonnegative().optional(),
    /** Fail the step's scripts: always, or the first `times` runs. */
    fail: z
      .strictObject({
        message: z.string().min(1).default('the step failed'),
        times: z.number().int().positive().optional(),
      })
      .optional(),
    /** The failing script's exit code (the envelope exits 1; an installer wrapper might exit otherwise). */
    exitCode: z.number().int().min(1).max(2147483647).optional(),
  })
  .refine((s) => s.exitCode === undefined || s.fail !== undefined, {
    message: 'exitCode is the exit code of a simulated failure: it needs fail.',
    path: ['exitCode'],
    params: { hint: 'Add fail: { message: "..." } beside it, or remove exitCode.' },
  });
export type LabStepProfile = z.output<typeof LabStepProfileSchema>;

/** The lab's system drive: Windows is on C: (probes read it as the system drive). */
export const SYSTEM_DRIVE = 'C:';

/**
 * NetBIOS computer name: 1 to 15 characters; letters, digits and ! @ # $ % ^ & ' ) ( . - _ { } ~;
 * not starting with a period; not only digits (Windows refuses an all-numeric computer name).
 */
export const NETBIOS_NAME = /^(?!\.)(?!\d+$)[A-Za-z0-9!@#$%^&'(){}.\-_~]{1,15}$/;

export const LabProfileSchema = z.strictObject({
  os: LabOsSchema,
  /** HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full Release. */
  dotnetRelease: z.number().int().nonnegative(),
  psVersion: z.string().regex(/^\d+\.\d+(\.\d+){0,2}$/, 'a dotted version like "5.1.17763.1"'),
  volumes: z.array(LabVolumeSchema).min(1),
  programData: z.string().regex(/^[A-Za-z]:\\/, 'an absolute Windows path like "C:\\ProgramData"'),
  /** Drive the platform installs to (free-space checks of DB and LB hosts). */
  installDrive: drive,
  /** Null: the host's lab address. An empty list: no IPv4 at all (see the ipv6-only preset). */
  ipv4: z.array(ipv4).nullable(),
  ipv6: z.array(z.string()).default([]),
  /** NetBIOS name; null: the inventory name, upper-cased and cut to 15 characters. */
  computerName: z
    .string()
    .max(15)
    .regex(NETBIOS_NAME, "a NetBIOS name: 1 to 15 letters, digits or ! @ # $ % ^ & ' ( ) { } . - _ ~, not only digits, not starting with a period")
    .nullable(),
  domain: LabDomainSchema,
  cpuCores: z.number().int().positive(),
  /** Null: same as cpuCores (no hyper-threading). */
  logicalProcessors: z.number().int().positive().nullable(),
  ramGB: z.number().positive(),
  iis: LabIisSchema.nullable(),
  sql: z.array(LabSqlInstanceSchema),
  products: z.array(LabProductSchema),
  services: z.array(LabServiceSchema),
  /** Installed Windows features (Get-WindowsFeature names). */
  features: z.array(z.string().min(1)),
  /** Features of the lab's table whose install asks for a restart on this host, besides those the table says (h5-iis). */
  featureRestarts: z.array(z.string().min(1)).optional(),
  /** Machine environment variables. */
  env: z.record(z.string(), z.string()),
  /** Files present on the host: absolute path → SHA-256. */
  files: z.record(z.string(), sha256),
  /** Folders present on the host besides the system ones (absolute paths; their parents exist too). */
  directories: z.array(z.string().regex(/^[A-Za-z]:\\/, 'an absolute Windows path like "C:\\Cortex"')).default([]),
  /**
   * Registry values besides those the other keys imply: key (HKLM\… or HKCU\…, the 32-bit view of
   * HKLM\SOFTWARE under SOFTWARE\WOW6432Node as Windows stores it) → value name ('' the default value)
   * → {kind, data}, or null: a value the other keys imply, deleted. A key listed with no values exists.
   */
  registry: z
    .record(z.string().regex(LAB_REGISTRY_KEY, 'a registry key starting with HKLM\\ or HKCU\\, like "HKLM\\SOFTWARE\\Cortex"'), z.record(z.string(), RegistryValueSchema.nullable()))
    .default({}),
  firewallRules: z.array(LabFirewallRuleSchema),
  /** Explicit ACLs by absolute path (lab-res-b); a path not listed has only what it inherits. */
  acls: z.record(z.string().regex(/^[A-Za-z]:\\/, 'an absolute Windows path like "C:\\Cortex"'), LabAclSchema),
  /** Certificates in the machine stores (h5-iis); absent: none. */
  certificates: z.array(LabCertificateSchema).optional(),
  /** What a one-shot scheduled task run does, by the scheduled_task step's name (lab-res-b); one not listed is not emulated. */
  scheduledTaskRuns: z.record(z.string(), LabScheduledTaskRunSchema),
  /** Databases of the SQL Server instances (h6-lb-db: sql_schema). */
  sqlDatabases: z.array(LabSqlDatabaseSchema).default([]),
  /** RabbitMQ vhosts by name, as the NServiceBus model reads them (h6-lb-db: nservicebus_queues). */
  amqpVhosts: z.record(z.string(), LabAmqpVhostSchema).default({}),
  /** Service Fabric node and cluster on this host (docs/service-fabric.md); absent: none. */
  serviceFabric: LabServiceFabricSchema.optional(),
  /**
   * The text of small configuration files the host received (.json, .xml; runner.receive-file), by
   * SHA-256: the lab keeps files as hashes, and models of programs that read a configuration (Service
   * Fabric's TestConfiguration.ps1 reading ClusterConfig.json) need its content.
   */
  fileTexts: z.record(sha256, z.string()).optional(),
  pendingReboot: z.boolean(),
  /** The RabbitMQ node once its service is installed (issue 12); null: the lab makes it when the service first runs. */
  rabbitmq: LabRabbitmqNodeSchema.nullable().default(null),
  /** Last boot (ISO 8601); null: when the host's state was first created. */
  bootTime: z.iso.datetime({ offset: true }).nullable(),
  /** Time zone offset from UTC. */
  utcOffsetSec: z.number().int(),
  /** How far the host's clock is off (positive: ahead). */
  clockSkewSec: z.number().int(),
  /** Ports other hosts cannot reach on this host (a firewall in the way): for reachability probes. */
  blockedPorts: z.array(port),
  /** Ports something already listens on, before anything is installed. */
  listeningPorts: z.array(port),
  /**
   * Who holds a listening port, where it is not the process the lab names from the services (another
   * program on a port the platform needs): port → process name (null: unknown) and process id.
   */
  portOwners: z.record(z.string().regex(/^\d{1,5}$/, 'a port number'), z.strictObject({ process: z.string().min(1).nullable(), pid: z.number().int().nonnegative() })).optional(),
  /** TLS 1.2 enabled for .NET and SCHANNEL. */
  tls12: z.boolean(),
  /** What a cold powershell.exe costs before it runs anything. */
  powershellStartMs: z.number().int().nonnegative(),
  /**
   * The WinRM service's MaxEnvelopeSizekb: larger requests get HTTP 413, responses are cut to fit.
   * 500 on Windows 2012 and later; 150 models older and hardened hosts. Windows accepts 32 and up.
   */
  maxEnvelopeSizeKb: z.number().int().min(32).max(65_536),
  /** Simulated duration per script id, overriding each handler's default. */
  scriptDurationMs: z.record(z.string(), z.number().int().nonnegative()),
  /** Per playbook step id: duration and simulated failure of the scripts run for it (run frame tag). */
  steps: z.record(z.string().min(1), LabStepProfileSchema),
  /** How long a reboot keeps the host down (shutdown.exe /r from resources.reboot); short for tests. */
  rebootDownSec: z.number().nonnegative().max(3600),
  faults: LabFaultsSchema,
  /**
   * Set on the hosts of a twin (lab up --from-facts, docs/rehearse.md): the facts file it mirrors and what
   * it assumed where the facts could not say. Informational: `lab status` lists it; no machine fact.
   */
  twin: z.strictObject({ source: z.string().min(1), assumed: z.array(z.string()) }).optional(),
}).superRefine((p, ctx) => {
  const drives = p.volumes.map((v) => v.drive.toUpperCase());
  drives.forEach((d, i) => {
    if (drives.indexOf(d) !== i) ctx.addIssue({ code: 'custom', path: ['volumes', i, 'drive'], message: `drive ${d} is listed twice in volumes.`, params: { hint: 'Give each volume its own drive letter.' } });
  });
  const have = `(the host has ${[...new Set(drives)].join(', ')})`;
  if (!drives.includes(SYSTEM_DRIVE)) {
    ctx.addIssue({ code: 'custom', path: ['volumes'], message: `volumes has no ${SYSTEM_DRIVE}, the system drive ${have}.`, params: { hint: `Add { drive: "${SYSTEM_DRIVE}" } to volumes.` } });
  }
  const pd = p.programData.slice(0, 2).toUpperCase();
  if (drives.includes(SYSTEM_DRIVE) && !drives.includes(pd)) {
    ctx.addIssue({ code: 'custom', path: ['programData'], message: `%ProgramData% (${p.programData}) is on ${pd}, a drive the host does not have ${have}.`, params: { hint: `Add ${pd} to volumes, or set programData to a folder on one of them.` } });
  }
});

/** A fully resolved profile (defaults applied). */
export type LabProfile = z.output<typeof LabProfileSchema>;
/** What a user may write: any part of a profile plus `preset`. Validated only after merging. */
export type LabProfileOverrides = { preset?: string } & { [K in keyof LabProfile]?: unknown };

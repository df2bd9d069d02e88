/**
 * The facts one host reports (the `data` of ps1/probes/facts.ps1; docs/preflight.md lists them), as a zod schema.
 * The script only reads; every judgement is in ./rules/. Values are raw where Windows gives them raw
 * (bytes, registry DWORDs, version strings) so the thresholds live in TypeScript, not in PowerShell.
 *
 * parseData(probesFacts, …) (src/scripts/) turns an unexpected shape into a ProtocolError that names the
 * host and the field path (e.g. `host app1, script probes.facts, field os.build: …`).
 */
import { z } from 'zod';
import { ROLE_NAMES } from './finding.js';

/** Version of the facts document; facts.ps1 writes it, the schema accepts exactly this. */
export const FACTS_VERSION = 1;

const Drive = z.string().regex(/^[A-Za-z]:$/, 'a drive letter with a colon, e.g. C:');

export const VolumeFacts = z.object({
  drive: Drive,
  /** NTFS, ReFS, FAT32 … null when Win32_LogicalDisk has no entry for the drive. */
  fileSystem: z.string().nullable(),
  sizeBytes: z.number().nonnegative().nullable(),
  freeBytes: z.number().nonnegative().nullable(),
});

export const Ipv4AddressFacts = z.object({
  address: z.string(),
  interfaceAlias: z.string(),
  /** AddressState as text: Preferred, Deprecated, Tentative, Duplicate, Invalid. */
  addressState: z.string(),
  /** PrefixOrigin as text: Manual, Dhcp, WellKnown (APIPA, loopback) … */
  prefixOrigin: z.string(),
});

export const SqlInstanceFacts = z.object({
  instance: z.string(),
  /** Registry key of the instance, e.g. MSSQL15.MSSQLSERVER. */
  id: z.string(),
  version: z.string().nullable(),
  edition: z.string().nullable(),
});

export const ListenerFacts = z.object({
  port: z.number().int().min(1).max(65535),
  address: z.string(),
  processId: z.number().int().nonnegative(),
  processName: z.string().nullable(),
});

export const Facts = z.object({
  factsVersion: z.literal(FACTS_VERSION),
  computerName: z.string(),
  os: z.object({
    caption: z.string(),
    editionId: z.string().nullable(),
    installationType: z.string().nullable(),
    build: z.number().int(),
    /** 1 workstation, 2 domain controller, 3 server. */
    productType: z.number().int(),
    is64Bit: z.boolean(),
  }),
  drives: z.object({
    system: Drive,
    programData: z.object({ path: z.string(), drive: Drive }),
    /** null when no install path was asked for. */
    install: z.object({ path: z.string(), drive: Drive }).nullable(),
  }),
  /** One entry per distinct drive of `drives`. */
  volumes: z.array(VolumeFacts),
  ipv4: z.array(Ipv4AddressFacts),
  domain: z.object({
    partOfDomain: z.boolean(),
    name: z.string().nullable(),
    /** Win32_ComputerSystem.DomainRole: 0/1 workstation, 2 standalone server, 3 member server, 4/5 DC. */
    role: z.number().int(),
  }),
  cpu: z.object({ cores: z.number().int().nonnegative(), logicalProcessors: z.number().int().nonnegative() }),
  memory: z.object({ totalPhysicalBytes: z.number().nonnegative() }),
  /** NDP\v4\Full Release; null when .NET 4.5+ is absent. */
  dotnetRelease: z.number().int().nullable(),
  powershell: z.object({
    /** HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine PowerShellVersion; null when absent. */
    engineVersion: z.string().nullable(),
    /** $PSVersionTable.PSVersion of the shell the probe ran in. */
    runtimeVersion: z.string().nullable(),
  }),
  iis: z
    .object({
      majorVersion: z.number().int().nullable(),
      minorVersion: z.number().int().nullable(),
      versionString: z.string().nullable(),
      w3wpFileVersion: z.string().nullable(),
    })
    .nullable(),
  urlRewrite: z.object({ version: z.string().nullable(), dllPresent: z.boolean() }),
  sql: z.array(SqlInstanceFacts),
  pendingReboot: z.object({
    componentBasedServicing: z.boolean(),
    windowsUpdate: z.boolean(),
    pendingFileRenameOperations: z.boolean(),
    serverManager: z.boolean(),
    /** ActiveComputerName differs from ComputerName: a rename waits for the reboot. */
    computerRename: z.boolean(),
    /** Netlogon holds JoinDomain or AvoidSpnSet: a domain join waits for the reboot. */
    domainJoin: z.boolean(),
  }),
  /**
   * SCHANNEL TLS 1.2 values; null when the value is absent (the OS default: enabled on 2016/2019).
   * REG_DWORDs arrive as Int32, so 0xFFFFFFFF is -1: judge zero vs non-zero, never `=== 1`.
   */
  tls12: z.object({
    clientEnabled: z.number().int().nullable(),
    clientDisabledByDefault: z.number().int().nullable(),
    serverEnabled: z.number().int().nullable(),
    serverDisabledByDefault: z.number().int().nullable(),
  }),
  /** Listeners on the ports the caller asked about. */
  listeners: z.array(ListenerFacts),
  /** The host's clock, ISO 8601 UTC, read as the probe ran. */
  utcNow: z.iso.datetime({ offset: true }),
});

export type Facts = z.infer<typeof Facts>;
export type VolumeFacts = z.infer<typeof VolumeFacts>;

/**
 * Parameters of ps1/probes/facts.ps1, with the script's defaults (its contract: src/scripts/catalog.ts).
 * The shape only: the script answers a port out of range or an install path off a drive letter with
 * its own error, and the lab models that answer.
 */
export const FactsParams = z.object({
  roles: z.array(z.enum(ROLE_NAMES)).default([]),
  installPath: z.string().nullable().default(null),
  ports: z.array(z.number().int()).default([]),
});
export type FactsParams = z.infer<typeof FactsParams>;

/**
 * Service Fabric standalone ClusterConfig.json from the inventory's application servers
 * (docs/service-fabric.md). One node per app server, in inventory order: its own fault domain
 * (fd:/<dc>/r<i>) and upgrade domain (UD<i>), so upgrades walk one node at a time as RabbitMQ's rolling
 * rule wants. Windows (Active Directory) security only; telemetry and auto-upgrade off (offline clusters
 * fail setup otherwise). reliabilityLevel is never written: Service Fabric computes it from the node
 * count since 5.7; the tier is returned beside the document for reports.
 */
import { z } from 'zod';
import { tierFor, type Tier } from '../inventory/topology/app-cluster.js';
import { ComponentConfigError, settingsError } from './errors.js';
import { hostsWithRole, type ComponentHost } from './hosts.js';
import { WindowsPath } from './windows-path.js';

const Port = z.number().int().min(1).max(65535);
const PortRange = z.strictObject({ startPort: Port, endPort: Port });
/** DOMAIN\name or name@domain: what Active Directory security identities look like. */
const AdIdentity = z.string().regex(/^(?:[A-Za-z0-9][\w.-]*\\[^\\@\s]+|[^\\@\s]+@[A-Za-z0-9][\w.-]*)$/, { message: "must be an Active Directory name: 'CORP\\name' or 'name@corp.example.com'" });

export const ServiceFabricSecurity = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('gmsa'),
    /** The group managed service account the nodes run as (preferred by Microsoft). */
    gmsa: AdIdentity,
    /** SPN registered for that account, e.g. ServiceFabric/cortex.corp.example.com. */
    spn: z.string().regex(/^[A-Za-z][\w-]*\/[^\s/]+$/, { message: 'must be a service principal name like ServiceFabric/cortex.corp.example.com' }),
  }),
  z.strictObject({
    kind: z.literal('machineGroup'),
    /** An AD group holding the computer accounts of every node. */
    clusterIdentity: AdIdentity,
  }),
]);

export const ServiceFabricSettings = z.strictObject({
  clusterName: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'letters, digits, - and _ (starting with a letter), at most 64' }).default('CortexCluster'),
  /** Bump on every configuration upgrade. */
  clusterConfigurationVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'must be three numbers, e.g. 1.0.0' }).default('1.0.0'),
  /** The sample configuration's apiVersion for the standalone package in use (10.1: 06-2023). */
  apiVersion: z.string().regex(/^\d{2}-\d{4}$/, { message: 'must look like 06-2023' }).default('06-2023'),
  security: ServiceFabricSecurity,
  /** Who may connect (IsAdmin: full control; otherwise read-only). At least one admin. */
  clientIdentities: z.array(z.strictObject({ identity: AdIdentity, isAdmin: z.boolean() })).min(1, { message: 'list at least one client identity (an admin group)' }),
  /** Fault domains are fd:/<dataCenter>/r<i>, one per node. */
  dataCenter: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, - and _' }).default('dc1'),
  nodeTypeName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).default('NodeType0'),
  ports: z
    .strictObject({
      clientConnection: Port.default(19000),
      clusterConnection: Port.default(19001),
      leaseDriver: Port.default(19002),
      serviceConnection: Port.default(19003),
      httpGateway: Port.default(19080),
      /** null: no reverse proxy. */
      reverseProxy: Port.nullable().default(19081),
      application: PortRange.default({ startPort: 20001, endPort: 20031 }),
      ephemeral: PortRange.default({ startPort: 49152, endPort: 65535 }),
    })
    .default(() => ({ clientConnection: 19000, clusterConnection: 19001, leaseDriver: 19002, serviceConnection: 19003, httpGateway: 19080, reverseProxy: 19081, application: { startPort: 20001, endPort: 20031 }, ephemeral: { startPort: 49152, endPort: 65535 } })),
  dataRoot: WindowsPath.default('C:\\ProgramData\\SF'),
  logRoot: WindowsPath.default('C:\\ProgramData\\SF\\Log'),
  /** A share every node can reach (\\server\share), or a local folder on each node. */
  diagnosticsStore: z.string().min(1).default('C:\\ProgramData\\SF\\DiagnosticsStore'),
  diagnosticsRetentionDays: z.number().int().min(1).max(3650).default(7),
});
export type ServiceFabricSettingsInput = z.input<typeof ServiceFabricSettings>;
export type ServiceFabricSettingsOutput = z.output<typeof ServiceFabricSettings>;

export interface ClusterConfigNode {
  nodeName: string;
  iPAddress: string;
  nodeTypeRef: string;
  faultDomain: string;
  upgradeDomain: string;
}

export interface ServiceFabricConfig {
  /** The ClusterConfig.json document, keys in Microsoft's sample order. */
  clusterConfig: Record<string, unknown>;
  /** The file's text: 2-space JSON, LF, trailing newline, ASCII (\u escapes for anything else). */
  text: string;
  /** Reliability tier Service Fabric will compute from the node count (for reports; never written). */
  tier: Tier;
}

/** Smallest cluster Service Fabric accepts for production (Bronze). */
export const SF_MIN_NODES = 3;
/** Service Fabric's own floor for the ephemeral range. */
export const SF_MIN_EPHEMERAL_PORTS = 255;

const HINT = 'Fix the Service Fabric settings (docs/service-fabric.md).';

function fail(detail: string, field: string, hint: string): never {
  throw new ComponentConfigError('service-fabric', detail, { field, hint });
}

function checkNodes(nodes: readonly ComponentHost[]): void {
  if (nodes.length < SF_MIN_NODES) {
    fail(`${nodes.length} application server${nodes.length === 1 ? '' : 's'}; a Service Fabric cluster needs at least ${SF_MIN_NODES} nodes.`, 'app', 'Put 3, 5, 7 or 9 hosts in the app group (docs/topology.md).');
  }
  if (nodes.length % 2 === 0) {
    fail(`${nodes.length} application servers; Cortex runs an odd number (3 Bronze, 5 Silver, 7 Gold, 9 Platinum): an even count adds no fault tolerance to the Service Fabric or RabbitMQ quorum.`, 'app', `Use ${nodes.length - 1} or ${nodes.length + 1} application servers.`);
  }
  const seen = new Map<string, string>();
  for (const n of nodes) {
    for (const key of [`name:${n.name.toLowerCase()}`, `address:${n.address.toLowerCase()}`]) {
      const other = seen.get(key);
      if (other !== undefined) fail(`nodes ${other} and ${n.name} have the same ${key.split(':')[0]} (${key.slice(key.indexOf(':') + 1)}); Service Fabric needs one node per machine.`, `app.hosts.${n.name}`, 'Give every application server its own name and address.');
      seen.set(key, n.name);
    }
  }
}

function overlaps(a: { startPort: number; endPort: number }, b: { startPort: number; endPort: number }): boolean {
  return a.startPort <= b.endPort && b.startPort <= a.endPort;
}

function checkPorts(p: ServiceFabricSettingsOutput['ports']): void {
  for (const [name, r] of [['application', p.application], ['ephemeral', p.ephemeral]] as const) {
    if (r.startPort > r.endPort) fail(`ports.${name}: startPort ${r.startPort} is above endPort ${r.endPort}.`, `ports.${name}`, 'Swap them.');
  }
  const ephemeralCount = p.ephemeral.endPort - p.ephemeral.startPort + 1;
  if (ephemeralCount < SF_MIN_EPHEMERAL_PORTS) fail(`ports.ephemeral holds ${ephemeralCount} ports; Service Fabric needs at least ${SF_MIN_EPHEMERAL_PORTS}.`, 'ports.ephemeral', 'Widen the range, e.g. 49152-65535 (the Windows dynamic range).');
  if (overlaps(p.application, p.ephemeral)) fail(`ports.application (${p.application.startPort}-${p.application.endPort}) overlaps ports.ephemeral (${p.ephemeral.startPort}-${p.ephemeral.endPort}).`, 'ports.application', 'Service Fabric refuses overlapping ranges: move the application range below the ephemeral one.');
  const fixed: Array<[string, number]> = [
    ['clientConnection', p.clientConnection],
    ['clusterConnection', p.clusterConnection],
    ['leaseDriver', p.leaseDriver],
    ['serviceConnection', p.serviceConnection],
    ['httpGateway', p.httpGateway],
    ...(p.reverseProxy === null ? [] : [['reverseProxy', p.reverseProxy] as [string, number]]),
  ];
  const byPort = new Map<number, string>();
  for (const [name, port] of fixed) {
    const other = byPort.get(port);
    if (other) fail(`ports.${name} and ports.${other} are both ${port}.`, `ports.${name}`, 'Every Service Fabric endpoint needs its own port.');
    byPort.set(port, name);
    for (const [rangeName, r] of [['application', p.application], ['ephemeral', p.ephemeral]] as const) {
      if (port >= r.startPort && port <= r.endPort) fail(`ports.${name} (${port}) lies inside ports.${rangeName} (${r.startPort}-${r.endPort}).`, `ports.${name}`, 'Keep the endpoint ports outside the application and ephemeral ranges.');
    }
  }
}

const str = (n: number) => String(n);

/** ClusterConfig.json for the app servers of `hosts`. Throws ComponentConfigError on what Service Fabric (or Cortex) refuses. */
export function serviceFabricClusterConfig(hosts: readonly ComponentHost[], settings: ServiceFabricSettingsInput): ServiceFabricConfig {
  const parsed = ServiceFabricSettings.safeParse(settings);
  if (!parsed.success) throw settingsError('service-fabric', parsed.error.issues, HINT);
  const s = parsed.data;
  const app = hostsWithRole(hosts, 'app');
  checkNodes(app);
  checkPorts(s.ports);
  if (!s.clientIdentities.some((c) => c.isAdmin)) fail('no client identity is an admin; nobody could manage the cluster.', 'clientIdentities', "Set isAdmin: true on the operators' group.");
  const nodes: ClusterConfigNode[] = app.map((h, i) => ({
    nodeName: h.name,
    iPAddress: h.address,
    nodeTypeRef: s.nodeTypeName,
    faultDomain: `fd:/${s.dataCenter}/r${i}`,
    upgradeDomain: `UD${i}`,
  }));
  const windowsIdentities =
    s.security.kind === 'gmsa'
      ? { ClustergMSAIdentity: s.security.gmsa, ClusterSPN: s.security.spn }
      : { ClusterIdentity: s.security.clusterIdentity };
  const p = s.ports;
  const nodeType: Record<string, unknown> = {
    name: s.nodeTypeName,
    clientConnectionEndpointPort: str(p.clientConnection),
    clusterConnectionEndpointPort: str(p.clusterConnection),
    leaseDriverEndpointPort: str(p.leaseDriver),
    serviceConnectionEndpointPort: str(p.serviceConnection),
    httpGatewayEndpointPort: str(p.httpGateway),
    ...(p.reverseProxy === null ? {} : { reverseProxyEndpointPort: str(p.reverseProxy) }),
    applicationPorts: { startPort: str(p.application.startPort), endPort: str(p.application.endPort) },
    ephemeralPorts: { startPort: str(p.ephemeral.startPort), endPort: str(p.ephemeral.endPort) },
    isPrimary: true,
  };
  const clusterConfig = {
    name: s.clusterName,
    clusterConfigurationVersion: s.clusterConfigurationVersion,
    apiVersion: s.apiVersion,
    nodes,
    properties: {
      diagnosticsStore: {
        metadata: 'Diagnostics store of the Cortex cluster (written by cortex-deploy).',
        dataDeletionAgeInDays: str(s.diagnosticsRetentionDays),
        storeType: 'FileShare',
        connectionstring: s.diagnosticsStore,
      },
      security: {
        ClusterCredentialType: 'Windows',
        ServerCredentialType: 'Windows',
        WindowsIdentities: { ...windowsIdentities, ClientIdentities: s.clientIdentities.map((c) => ({ Identity: c.identity, IsAdmin: c.isAdmin })) },
      },
      nodeTypes: [nodeType],
      fabricSettings: [
        {
          name: 'Setup',
          parameters: [
            { name: 'FabricDataRoot', value: s.dataRoot },
            { name: 'FabricLogRoot', value: s.logRoot },
          ],
        },
      ],
      enableTelemetry: false,
      fabricClusterAutoupgradeEnabled: false,
    },
  };
  const tier = tierFor(nodes.length);
  if (tier === null) fail('no reliability tier for this node count.', 'app', 'Use 3, 5, 7 or 9 application servers.');
  return { clusterConfig, text: asciiJson(clusterConfig), tier };
}

/** JSON, 2 spaces, LF, trailing newline; non-ASCII as \u escapes so the file is the same in any code page. */
export function asciiJson(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return `${JSON.stringify(value, null, 2).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

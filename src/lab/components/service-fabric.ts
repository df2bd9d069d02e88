/**
 * Service Fabric in the lab (docs/service-fabric.md, docs/lab.md "Service Fabric"): pure functions over
 * machine states that the models of service_fabric_cluster and service_fabric_application
 * (src/lab/handlers/resources/service-fabric-*.ts) are built on.
 * - What TestConfiguration.ps1 finds on the nodes of a ClusterConfig.json: its result table and the
 *   lines naming the machines that fail a check (Remote Registry not running, firewall without the
 *   cluster's ports, Service Fabric already there, a machine that does not answer), and the node-count
 *   rule (at least 3, an odd number: docs/topology.md).
 * - What CreateServiceFabricCluster.ps1 leaves on each node: FabricHostSvc, the Service Fabric key, the
 *   cluster record (machine.serviceFabric), the endpoints listening.
 * - The cluster as Get-ServiceFabricNode and Get-ServiceFabricClusterHealth show it: a node is Up while
 *   its host is up with FabricHostSvc running; the cluster answers while a majority of its nodes is Up.
 */
import { labCatalog, textFile } from '../artifacts/catalog.js';
import type { LabServiceFabric } from '../profile/schema.js';
import type { LabHostRef, LabHostState, LabMachine, LabView } from '../handlers/types.js';
import { findFile } from '../handlers/resources/files.js';

export const FABRIC_HOST_SERVICE = 'FabricHostSvc';
export const SF_REGISTRY_KEY = 'SOFTWARE\\Microsoft\\Service Fabric';
export const SF_INSTALL_ROOT = 'C:\\Program Files\\Microsoft Service Fabric';

/** TestConfiguration.ps1's checks, in the order it prints them (docs/service-fabric.md). */
export const TEST_CONFIGURATION_CHECKS = [
  'LocalAdminPrivilege',
  'IsJsonValid',
  'IsCabValid',
  'RequiredPortsOpen',
  'RemoteRegistryAvailable',
  'FirewallAvailable',
  'RpcCheckPassed',
  'NoConflictingInstallations',
  'FabricInstallable',
] as const;
export type TestConfigurationCheck = (typeof TEST_CONFIGURATION_CHECKS)[number];

export interface ConfigNode {
  nodeName: string;
  iPAddress: string;
  faultDomain: string;
  upgradeDomain: string;
}

export interface ClusterConfigDoc {
  name: string;
  configVersion: string;
  nodes: ConfigNode[];
  /** The primary node type's endpoint ports (client, cluster, lease driver, service, HTTP gateway). */
  endpointPorts: number[];
  dataRoot: string;
  logRoot: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** ClusterConfig.json read as Service Fabric reads it; a string says what is wrong (IsJsonValid False). */
export function parseClusterConfig(text: string): ClusterConfigDoc | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `the cluster configuration is not valid JSON: ${(err as Error).message}`;
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  const name = str(o.name);
  const configVersion = str(o.clusterConfigurationVersion);
  if (!name || !configVersion) return 'the cluster configuration has no name or clusterConfigurationVersion';
  if (!Array.isArray(o.nodes) || o.nodes.length === 0) return 'the cluster configuration lists no nodes';
  const nodes: ConfigNode[] = [];
  for (const [i, n] of (o.nodes as Array<Record<string, unknown>>).entries()) {
    const nodeName = str(n?.nodeName);
    const iPAddress = str(n?.iPAddress);
    if (!nodeName || !iPAddress) return `node ${i} of the cluster configuration has no nodeName or iPAddress`;
    nodes.push({ nodeName, iPAddress, faultDomain: str(n.faultDomain) ?? '', upgradeDomain: str(n.upgradeDomain) ?? '' });
  }
  const props = (o.properties ?? {}) as Record<string, unknown>;
  const nodeTypes = Array.isArray(props.nodeTypes) ? (props.nodeTypes as Array<Record<string, unknown>>) : [];
  const primary = nodeTypes.find((t) => t.isPrimary === true) ?? nodeTypes[0];
  if (!primary) return 'the cluster configuration has no node type';
  const endpointPorts = ['clientConnectionEndpointPort', 'clusterConnectionEndpointPort', 'leaseDriverEndpointPort', 'serviceConnectionEndpointPort', 'httpGatewayEndpointPort'].map((k) => Number(primary[k]));
  if (endpointPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) return 'the primary node type lacks an endpoint port';
  const setup = (Array.isArray(props.fabricSettings) ? (props.fabricSettings as Array<Record<string, unknown>>) : []).find((s) => s.name === 'Setup');
  const param = (n: string) => (Array.isArray(setup?.parameters) ? (setup.parameters as Array<Record<string, unknown>>).find((p) => p.name === n)?.value : undefined);
  return { name, configVersion, nodes, endpointPorts, dataRoot: str(param('FabricDataRoot')) ?? 'C:\\ProgramData\\SF', logRoot: str(param('FabricLogRoot')) ?? 'C:\\ProgramData\\SF\\Log' };
}

/** The code version of the standalone package a script file belongs to (the lab's synthetic zips), by its SHA-256. */
export function packageCodeVersion(scriptSha256: string): string | null {
  for (const a of labCatalog().archives) {
    if (a.artifact?.name !== 'serviceFabric') continue;
    for (const [entry, text] of Object.entries(a.entries)) {
      if (!/\.ps1$/i.test(entry) || textFile(text).sha256 !== scriptSha256.toLowerCase()) continue;
      return /runtime (\S+)/.exec(text)?.[1] ?? null;
    }
  }
  return null;
}

/** The file name whose FileVersion is the package's runtime version (the Test reads it: docs/upgrades-service-fabric.md). */
export const PACKAGE_VERSION_FILE = 'DeploymentComponentsAutoextractor.exe';

/** The package script a file is (the lab's standalone zips), by its SHA-256: its name and the runtime it installs; else null. */
export function packageScript(sha256: string): { script: string; runtime: string } | null {
  const e = standaloneEntry(sha256);
  const runtime = e && /\.ps1$/i.test(e.entry) ? /runtime (\S+)/.exec(e.text)?.[1] : undefined;
  return e && runtime ? { script: e.entry, runtime } : null;
}

/** The FileVersion of a standalone package's DeploymentComponentsAutoextractor.exe (the lab's zips), by its SHA-256; else null. */
export function packageFileVersion(sha256: string): string | null {
  for (const a of labCatalog().archives) {
    if (a.artifact?.name !== 'serviceFabric') continue;
    const text = a.entries[PACKAGE_VERSION_FILE];
    if (text !== undefined && textFile(text).sha256 === sha256.toLowerCase()) return /components (\S+)/.exec(text)?.[1] ?? null;
  }
  return null;
}

/** The standalone zips' entries by the SHA-256 of their text, built once (the catalog does not change). */
let standaloneEntries: Map<string, { entry: string; text: string }> | undefined;
function standaloneEntry(sha256: string): { entry: string; text: string } | undefined {
  standaloneEntries ??= new Map(
    labCatalog()
      .archives.filter((a) => a.artifact?.name === 'serviceFabric')
      .flatMap((a) => Object.entries(a.entries).map(([entry, text]) => [textFile(text).sha256, { entry, text }] as const)),
  );
  return standaloneEntries.get(sha256.toLowerCase());
}

/** The runtime version of a standalone package's MicrosoftAzureServiceFabric.cab (the lab's zips), by its SHA-256; else null. */
export function runtimeCabVersion(sha256: string): string | null {
  const e = standaloneEntry(sha256);
  return e?.entry === 'MicrosoftAzureServiceFabric.cab' ? (/runtime (\S+)/.exec(e.text)?.[1] ?? null) : null;
}

/** The text of an ApplicationManifest.xml the lab knows (its zips, or a received text), by its SHA-256; else null. */
export function applicationManifestText(m: LabMachine, sha256: string): string | null {
  const texts = [...labCatalog().archives.flatMap((a) => Object.entries(a.entries).filter(([e]) => /ApplicationManifest\.xml$/i.test(e)).map(([, t]) => t)), ...Object.values(m.fileTexts ?? {})];
  return texts.find((t) => textFile(t).sha256 === sha256.toLowerCase()) ?? null;
}

/** The ApplicationManifest.xml's type and version, when the lab knows the file (its zips, or a received text). */
export function applicationManifestType(m: LabMachine, sha256: string): { typeName: string; typeVersion: string } | null {
  const text = applicationManifestText(m, sha256);
  if (text === null) return null;
  const typeName = /ApplicationTypeName="([^"]+)"/.exec(text)?.[1];
  const typeVersion = /ApplicationTypeVersion="([^"]+)"/.exec(text)?.[1];
  return typeName && typeVersion ? { typeName, typeVersion } : null;
}

/** The text of a file on the machine, when the lab kept it (runner.receive-file), else null. */
export function fileText(m: LabMachine, path: string): string | null {
  const f = findFile(m, path);
  return f ? (m.fileTexts?.[f.sha256.toLowerCase()] ?? null) : null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function service(m: LabMachine, name: string): LabMachine['services'][number] | undefined {
  return m.services.find((s) => same(s.name, name));
}

/** Whether the machine's firewall admits inbound TCP on a port (an enabled allow rule naming it, a range, or every port). */
export function firewallAllows(m: LabMachine, port: number): boolean {
  return m.firewallRules.some(
    (r) =>
      r.enabled &&
      r.direction === 'Inbound' &&
      r.action === 'Allow' &&
      (r.protocol === 'TCP' || r.protocol === 'Any') &&
      (r.localPorts.length === 0 ||
        r.localPorts.some((p) => {
          if (typeof p === 'number') return p === port;
          const [lo, hi] = p.split('-').map(Number);
          return hi === undefined ? lo === port : port >= lo! && port <= hi;
        })),
  );
}

/** SMB and RPC: what TestConfiguration and the deployment use to reach each node (docs/firewall.md). */
export const SMB_RPC_PORTS = [135, 445];

export interface TestConfigurationOutcome {
  checks: Record<TestConfigurationCheck | 'Passed', boolean>;
  /** The lines it prints, the result table last (Format-List style). */
  lines: string[];
  config: ClusterConfigDoc | null;
  /** Config node → its lab host, for the nodes that resolve to one. */
  hosts: Map<string, LabHostRef>;
}

/** What TestConfiguration.ps1 -ClusterConfigFilePath finds, run from the deploy node (lab view of every node). */
export function testConfiguration(configText: string, cabValid: boolean, lab: LabView): TestConfigurationOutcome {
  const checks = Object.fromEntries([...TEST_CONFIGURATION_CHECKS, 'Passed'].map((c) => [c, true])) as TestConfigurationOutcome['checks'];
  const problems: string[] = [];
  const fail = (check: TestConfigurationCheck, line: string) => {
    checks[check] = false;
    if (!problems.includes(line)) problems.push(line);
  };
  const hosts = new Map<string, LabHostRef>();
  checks.IsCabValid = cabValid;
  if (!cabValid) problems.push('The runtime package (MicrosoftAzureServiceFabric.cab) is missing or not valid.');
  const parsed = parseClusterConfig(configText);
  const config = typeof parsed === 'string' ? null : parsed;
  if (typeof parsed === 'string') fail('IsJsonValid', `Cluster configuration: ${parsed}.`);
  if (config) {
    const n = config.nodes.length;
    if (n < 3) fail('IsJsonValid', `Cluster configuration: ${n} node${n === 1 ? '' : 's'}; a cluster needs at least 3 nodes (reliability Bronze).`);
    else if (n % 2 === 0) fail('IsJsonValid', `Cluster configuration: ${n} nodes; Cortex clusters have an odd number of nodes (3, 5, 7, 9), an even count adds no fault tolerance.`);
    const names = new Set<string>();
    for (const node of config.nodes) {
      const key = node.nodeName.toLowerCase();
      if (names.has(key)) fail('IsJsonValid', `Cluster configuration: node name ${node.nodeName} appears twice.`);
      names.add(key);
    }
    const required = [...SMB_RPC_PORTS, ...config.endpointPorts];
    for (const node of config.nodes) {
      const host = lab.findHost(node.iPAddress) ?? lab.findHost(node.nodeName);
      const at = `Machine ${node.nodeName} (${node.iPAddress})`;
      if (!host || !lab.isUp(host.name)) {
        const line = `${at}: does not answer; cannot reach its registry, RPC or file shares.`;
        fail('RequiredPortsOpen', line);
        fail('RemoteRegistryAvailable', line);
        fail('RpcCheckPassed', line);
        continue;
      }
      hosts.set(node.nodeName, host);
      const m = lab.getHostState(host.name)!.machine;
      if (service(m, 'RemoteRegistry')?.state !== 'Running') fail('RemoteRegistryAvailable', `${at}: the Remote Registry service is not running.`);
      const firewallOn = service(m, 'MpsSvc')?.state === 'Running';
      if (!firewallOn) fail('FirewallAvailable', `${at}: the Windows Firewall service (MpsSvc) is not running.`);
      else {
        const closed = required.filter((p) => !firewallAllows(m, p));
        if (closed.length) fail('RequiredPortsOpen', `${at}: inbound TCP port${closed.length > 1 ? 's' : ''} ${closed.join(', ')} not open in Windows Firewall.`);
        if (closed.includes(135)) fail('RpcCheckPassed', `${at}: RPC (TCP 135) is blocked.`);
      }
      if (m.serviceFabric || service(m, FABRIC_HOST_SERVICE)) fail('NoConflictingInstallations', `${at}: Service Fabric is already installed (FabricHostSvc).`);
      if (m.os.productType === 2) fail('FabricInstallable', `${at}: a domain controller; Service Fabric cannot be installed on one.`);
    }
  }
  checks.Passed = TEST_CONFIGURATION_CHECKS.every((c) => checks[c]);
  const width = Math.max(...[...TEST_CONFIGURATION_CHECKS, 'Passed'].map((c) => c.length));
  const lines = [
    'Running Best Practices Analyzer...',
    ...problems,
    checks.Passed ? 'Best Practices Analyzer completed successfully.' : 'Best Practices Analyzer determined environment has an issue. Please see additional BPA log output in DeploymentTraces folder.',
    '',
    ...[...TEST_CONFIGURATION_CHECKS, 'Passed' as const].map((c) => `${c.padEnd(width)} : ${checks[c] ? 'True' : 'False'}`),
  ];
  return { checks, lines, config, hosts };
}

/** What service_fabric_cluster's Set says about a TestConfiguration that did not pass (the script's parse of its log). */
export function testConfigurationFailure(outcome: TestConfigurationOutcome, nodes: readonly string[], log: string): string {
  const falseChecks = TEST_CONFIGURATION_CHECKS.filter((c) => !outcome.checks[c]);
  const pattern = new RegExp(`\\b(${nodes.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'i');
  const about = outcome.lines.filter((l) => l.trim() !== '' && pattern.test(l) && !/^\s*[A-Za-z]+\s*:\s*(True|False)\s*$/.test(l)).map((l) => l.trim());
  return `service_fabric_cluster: TestConfiguration.ps1 did not pass (Passed : False): ${falseChecks.join(', ')} False${about.length ? `: ${about.join(' | ')}` : ''} (log: ${log})`;
}

/** The node records CreateServiceFabricCluster.ps1 leaves, per config node. */
export function clusterRecord(config: ClusterConfigDoc, hosts: Map<string, LabHostRef>): LabServiceFabric['cluster'] {
  return {
    name: config.name,
    configVersion: config.configVersion,
    nodes: config.nodes.map((n) => ({ host: hosts.get(n.nodeName)!.name, nodeName: n.nodeName, faultDomain: n.faultDomain, upgradeDomain: n.upgradeDomain })),
    applicationTypes: [],
    applications: [],
  };
}

/** Installs one node: FabricHostSvc running, the Service Fabric key, the cluster record, the endpoints listening. */
export function installNode(m: LabMachine, nodeName: string, codeVersion: string, config: ClusterConfigDoc, cluster: LabServiceFabric['cluster']): void {
  m.services = [...m.services.filter((s) => !same(s.name, FABRIC_HOST_SERVICE)), { name: FABRIC_HOST_SERVICE, state: 'Running', startType: 'Automatic', binaryPath: `"${SF_INSTALL_ROOT}\\bin\\FabricHost.exe"` }];
  const key = Object.keys(m.registry).find((k) => same(k, `HKLM\\${SF_REGISTRY_KEY}`)) ?? `HKLM\\${SF_REGISTRY_KEY}`;
  m.registry[key] = {
    ...(m.registry[key] ?? {}),
    FabricVersion: { kind: 'String', data: codeVersion },
    FabricDataRoot: { kind: 'String', data: config.dataRoot },
    FabricLogRoot: { kind: 'String', data: config.logRoot },
    FabricBinRoot: { kind: 'String', data: `${SF_INSTALL_ROOT}\\bin` },
  };
  m.listeningPorts = [...new Set([...m.listeningPorts, ...config.endpointPorts])].sort((a, b) => a - b);
  m.serviceFabric = { nodeName, codeVersion, cluster: structuredClone(cluster) };
}

export interface NodeView {
  name: string;
  host: string;
  status: 'Up' | 'Down';
  health: 'Ok' | 'Error';
  /** ClusterConfig.json's upgradeDomain ('' when it names none). */
  upgradeDomain: string;
}

/** Get-ServiceFabricNode: a node is Up while its host is up with its cluster record and FabricHostSvc running. */
/** What the node and health views need of the lab: which hosts are up, and their machines. */
export type PowerView = Pick<LabView, 'isUp' | 'getHostState' | 'upgradeFault'> & Partial<Pick<LabView, 'hosts'>>;

export function clusterNodes(sf: LabServiceFabric, lab: PowerView): NodeView[] {
  return sf.cluster.nodes.map((n) => {
    const m: LabMachine | undefined = lab.isUp(n.host) ? lab.getHostState(n.host)?.machine : undefined;
    const up = !!m?.serviceFabric && same(m.serviceFabric.cluster.name, sf.cluster.name) && service(m, FABRIC_HOST_SERVICE)?.state === 'Running';
    return { name: n.nodeName, host: n.host, status: up ? 'Up' : 'Down', health: up ? 'Ok' : 'Error', upgradeDomain: n.upgradeDomain };
  });
}

/** Get-ServiceFabricClusterHealth's AggregatedHealthState: Ok with every node Up, Warning while a majority is, else Error. */
export function clusterHealth(nodes: readonly NodeView[]): 'Ok' | 'Warning' | 'Error' {
  const up = nodes.filter((n) => n.status === 'Up').length;
  if (up === nodes.length) return 'Ok';
  return up > nodes.length / 2 ? 'Warning' : 'Error';
}

/** Whether an endpoint is this machine's own (the only connection the lab models). */
export function localEndpoint(m: LabMachine, endpoint: string): boolean {
  const host = (endpoint.split(':')[0] ?? '').toLowerCase();
  return ['localhost', '127.0.0.1', m.computerName.toLowerCase()].includes(host);
}

/** The text `{endpoint}` stands for the endpoint asked for in clusterConnectError's messages. */
export const ENDPOINT_TOKEN = '{endpoint}';

/**
 * What Connect-ServiceFabricCluster to this machine's own endpoint fails with (FabricHostSvc stopped, no
 * cluster on the node, a majority of the nodes down), `{endpoint}` standing for the endpoint; null when it connects.
 */
export function clusterConnectError(m: LabMachine, lab: PowerView): string | null {
  const svc = service(m, FABRIC_HOST_SERVICE);
  if (!svc || svc.state !== 'Running' || !m.serviceFabric) return `Failed to contact the cluster at ${ENDPOINT_TOKEN}: FABRIC_E_CONNECTION_DENIED (no Service Fabric node answers on this machine)`;
  const nodes = clusterNodes(m.serviceFabric, lab);
  if (clusterHealth(nodes) === 'Error') return `Failed to contact the cluster at ${ENDPOINT_TOKEN}: FABRIC_E_TIMEOUT (the cluster has lost its quorum: ${nodes.filter((n) => n.status !== 'Up').map((n) => n.name).join(', ')} down)`;
  return null;
}

/** Connect-ServiceFabricCluster from this machine: null when it connects, else the error. */
export function connectError(m: LabMachine, lab: PowerView, endpoint: string): string | null {
  if (!localEndpoint(m, endpoint)) return `connecting to ${endpoint} (another machine's endpoint): not emulated by the lab (see docs/lab.md, "The Windows shim")`;
  return clusterConnectError(m, lab)?.replace(ENDPOINT_TOKEN, endpoint) ?? null;
}

/** Applies a change to the cluster record on every member (this machine directly, the others through the lab). */
export function updateCluster(selfHost: string, m: LabMachine, lab: LabView, change: (cluster: LabServiceFabric['cluster']) => void): void {
  const sf = m.serviceFabric!;
  for (const n of sf.cluster.nodes) {
    if (n.host === selfHost) continue;
    if (!lab.changeHost) throw new Error('changeHost');
    lab.changeHost(n.host, (s) => {
      if (s.machine.serviceFabric && same(s.machine.serviceFabric.cluster.name, sf.cluster.name)) change(s.machine.serviceFabric.cluster);
    });
  }
  change(sf.cluster);
}

/** The Service Fabric clusters of the lab (for lab status): each by name, with its member hosts. */
export function labServiceFabricClusters(states: readonly LabHostState[]): Array<{ name: string; members: string[] }> {
  const byName = new Map<string, string[]>();
  for (const s of states) {
    const sf = s.machine.serviceFabric;
    if (!sf || byName.has(sf.cluster.name)) continue;
    byName.set(sf.cluster.name, sf.cluster.nodes.map((n) => n.host));
  }
  return [...byName].map(([name, members]) => ({ name, members }));
}

/** One upgrade domain of a cluster: its name and its nodes (ClusterConfig.json's upgradeDomain), in walking order. */
export interface UpgradeDomain {
  name: string;
  nodes: Array<{ host: string; nodeName: string }>;
}

/** The cluster's upgrade domains in the order Service Fabric walks them (UD0, UD1, ..., by name, numbers compared as numbers). */
export function upgradeDomains(cluster: LabServiceFabric['cluster']): UpgradeDomain[] {
  const byName = new Map<string, UpgradeDomain>();
  for (const n of cluster.nodes) {
    const name = n.upgradeDomain || n.nodeName;
    const d = byName.get(name) ?? { name, nodes: [] };
    d.nodes.push({ host: n.host, nodeName: n.nodeName });
    byName.set(name, d);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** How a monitored rolling upgrade ended: the domains it completed, or the one that failed and what was rolled back. */
export interface RollingUpgradeOutcome {
  completed: string[];
  failed: { domain: string; nodes: string[] } | null;
  rolledBack: string[];
}

/**
 * A monitored upgrade walking the upgrade domains one at a time (Service Fabric's own roll: docs/upgrades-service-fabric.md).
 * In each domain every node goes down (`restart`: the cluster record counts it), is changed (`apply`), and comes back;
 * a node with the fail-upgrade fault fails the domain's health check: its change is not kept, and the domains
 * already done are rolled back (`revert`) in reverse order, again one at a time (FailureAction Rollback).
 */
export function walkUpgradeDomains(
  selfHost: string,
  m: LabMachine,
  lab: LabView,
  opts: { restart: boolean; apply: (machine: LabMachine) => void; revert: (machine: LabMachine) => void },
): RollingUpgradeOutcome {
  const sf = m.serviceFabric!;
  const spec = { name: sf.cluster.name, kind: 'service-fabric' as const, members: sf.cluster.nodes.map((n) => n.host) };
  const onHost = (host: string, change: (machine: LabMachine) => void) => {
    if (host === selfHost) change(m);
    else if (lab.changeHost) lab.changeHost(host, (s) => change(s.machine));
    else throw new Error('changeHost');
  };
  const walk = (d: UpgradeDomain, change: (machine: LabMachine) => void, mayFail: boolean): string[] => {
    const failed: string[] = [];
    for (const n of d.nodes) {
      if (opts.restart) lab.clusterMemberDown?.(spec, n.host, true);
      if (mayFail && lab.upgradeFault?.(n.host)) failed.push(n.nodeName);
      else onHost(n.host, change);
      if (opts.restart) lab.clusterMemberDown?.(spec, n.host, false);
    }
    return failed;
  };
  const domains = upgradeDomains(sf.cluster);
  const completed: string[] = [];
  for (const d of domains) {
    const failedNodes = walk(d, opts.apply, true);
    if (failedNodes.length) {
      // The domain's other nodes go back too: a failed domain is rolled back as a whole.
      walk(d, opts.revert, false);
      const rolledBack = [...completed].reverse();
      for (const name of rolledBack) walk(domains.find((x) => x.name === name)!, opts.revert, false);
      return { completed, failed: { domain: d.name, nodes: failedNodes }, rolledBack: [d.name, ...rolledBack] };
    }
    completed.push(d.name);
  }
  return { completed, failed: null, rolledBack: [] };
}

/** Sets a node's code version: its cluster record and its Service Fabric key's FabricVersion. */
export function setNodeCodeVersion(m: LabMachine, version: string): void {
  if (m.serviceFabric) m.serviceFabric = { ...m.serviceFabric, codeVersion: version };
  const key = Object.keys(m.registry).find((k) => same(k, `HKLM\\${SF_REGISTRY_KEY}`));
  if (key) m.registry[key] = { ...m.registry[key], FabricVersion: { kind: 'String', data: version } };
}

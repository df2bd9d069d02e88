/**
 * The lab's Service Fabric (src/lab/components/service-fabric.ts and the models of service_fabric_cluster
 * and service_fabric_application): what TestConfiguration refuses on the nodes of a ClusterConfig.json,
 * what the creation leaves on every node, nodes Up/Down with lab power, and the applications.
 */
import { describe, expect, it } from 'vitest';
import { serviceFabricClusterConfig } from '../../src/components/service-fabric.js';
import { artifactFile, textFile } from '../../src/lab/artifacts/catalog.js';
import { clusterHealth, clusterNodes, parseClusterConfig, testConfiguration } from '../../src/lab/components/service-fabric.js';
import { configText } from '../../src/lab/handlers/runner.receive-file.js';
import { answerRequest } from '../../src/lab/handlers/resources.test-batch.js';
import { resourceSetHandler } from '../../src/lab/handlers/resources/set-handler.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { machineFrom, withFile } from './differential/resources-b-harness.js';

const PKG = 'C:\\sf\\10.1';
const CFG = 'C:\\sf\\ClusterConfig.json';
const APP_PKG = 'C:\\cortex\\CortexApps';
const SETTINGS = { security: { kind: 'machineGroup' as const, clusterIdentity: 'LAB\\SfNodes' }, clientIdentities: [{ identity: 'LAB\\Admins', isAdmin: true }] };

/** A prepared node: Remote Registry running, the firewall open on SMB/RPC and the cluster's ports. */
const PREPARED = {
  services: [
    { name: 'RemoteRegistry', state: 'Running', startType: 'Automatic' },
    { name: 'MpsSvc', state: 'Running', startType: 'Automatic' },
    { name: 'EventLog', state: 'Running', startType: 'Automatic' },
  ],
  firewallRules: [
    { name: 'cortex-app-servicefabric', localPorts: [19000, 19001, 19002, 19003, 19080, 19081, '20001-20031'], profiles: ['Domain'] },
    { name: 'cortex-app-servicefabric-smb-rpc', localPorts: [135, 139, 445], profiles: ['Domain'] },
  ],
};

interface Lab {
  states: Map<string, LabHostState>;
  up: Set<string>;
  view: LabView;
}

function lab(hosts: Record<string, Record<string, unknown>>): Lab {
  const states = new Map(Object.entries(hosts).map(([name, o], i) => [name, { ...machineFrom(o, name), host: { name, address: `127.0.0.${10 + i}` } }]));
  const up = new Set(states.keys());
  const find = (k: string) => [...states.values()].find((s) => s.host.name.toLowerCase() === k.toLowerCase() || s.host.address === k)?.host;
  const view: LabView = {
    hosts: () => [...states.values()].map((s) => s.host),
    findHost: find,
    getHostState: (n) => states.get(n),
    isUp: (n) => up.has(n),
    canConnect: () => false,
    changeHost: (n, change) => change(states.get(n)!),
  };
  return { states, up, view };
}

function configFor(names: string[]): string {
  return serviceFabricClusterConfig(names.map((n) => ({ name: n, address: n, roles: ['app'] })), SETTINGS).text;
}

/** Puts the package's scripts and the configuration (its text kept, as an upload keeps it) on the deploy node. */
function stage(s: LabHostState, config: string): void {
  const zip = artifactFile('service-fabric-standalone-10.1').artifact as { entries: Record<string, string> };
  for (const name of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1']) {
    const f = textFile(zip.entries[name]!);
    withFile(s.machine, `${PKG}\\${name}`, f.sha256, f.length);
  }
  const f = textFile(config);
  withFile(s.machine, CFG, f.sha256, f.length);
  (s.machine.fileTexts ??= {})[f.sha256] = config;
}

const CLUSTER = { packagePath: PKG, configPath: CFG, nodes: ['app1', 'app2', 'app3'], runAs: { user: 'LAB\\sf', password: 'x' }, timeout: 60 };

async function set(l: Lab, host: string, type: 'service_fabric_cluster' | 'service_fabric_application', params: Record<string, unknown>) {
  const state = l.states.get(host)!;
  const r = await resourceSetHandler(type).run({ host: state.host, state, params, lab: l.view, now: () => new Date() });
  if ('raw' in r) throw new Error('raw');
  return r;
}

const read = (l: Lab, host: string, type: string, params: Record<string, unknown>) => answerRequest({ step: 's', resource: type, params }, { machine: l.states.get(host)!.machine, host: l.states.get(host)!.host, lab: l.view, now: () => new Date() });

const three = () => lab({ app1: PREPARED, app2: PREPARED, app3: PREPARED });

describe('TestConfiguration on the nodes of a ClusterConfig.json', () => {
  it('passes on three prepared app servers: the table ends "Passed : True"', () => {
    const l = three();
    const t = testConfiguration(configFor(['app1', 'app2', 'app3']), true, l.view);
    expect(t.checks.Passed).toBe(true);
    expect(t.lines.at(-1)).toBe('Passed                     : True');
    expect(t.lines).toContain('NoConflictingInstallations : True');
  });

  it('refuses fewer than 3 nodes and an even node count (IsJsonValid)', () => {
    const l = lab({ app1: PREPARED, app2: PREPARED, app3: PREPARED, app4: PREPARED });
    const doc = JSON.parse(configFor(['app1', 'app2', 'app3'])) as { nodes: unknown[] };
    const two = testConfiguration(JSON.stringify({ ...doc, nodes: doc.nodes.slice(0, 2) }), true, l.view);
    expect(two.checks).toMatchObject({ IsJsonValid: false, Passed: false });
    expect(two.lines).toContain('Cluster configuration: 2 nodes; a cluster needs at least 3 nodes (reliability Bronze).');
    const fourDoc = { ...doc, nodes: [...doc.nodes, { nodeName: 'app4', iPAddress: 'app4', nodeTypeRef: 'NodeType0', faultDomain: 'fd:/dc1/r3', upgradeDomain: 'UD3' }] };
    const four = testConfiguration(JSON.stringify(fourDoc), true, l.view);
    expect(four.checks.IsJsonValid).toBe(false);
    expect(four.lines.join('\n')).toMatch(/4 nodes; Cortex clusters have an odd number of nodes/);
    expect(testConfiguration('{ not json', true, l.view).checks.IsJsonValid).toBe(false);
  });

  it('names a node whose Remote Registry is not running, whose firewall lacks the ports, or that is stopped', () => {
    const l = lab({ app1: PREPARED, app2: { services: [{ name: 'RemoteRegistry', state: 'Stopped', startType: 'Disabled' }, { name: 'MpsSvc', state: 'Running' }] }, app3: PREPARED });
    const t = testConfiguration(configFor(['app1', 'app2', 'app3']), true, l.view);
    expect(t.checks).toMatchObject({ RemoteRegistryAvailable: false, RequiredPortsOpen: false, RpcCheckPassed: false, FirewallAvailable: true, Passed: false });
    expect(t.lines).toContain('Machine app2 (app2): the Remote Registry service is not running.');
    expect(t.lines).toContain('Machine app2 (app2): inbound TCP ports 135, 445, 19000, 19001, 19002, 19003, 19080 not open in Windows Firewall.');
    expect(t.lines.join('\n')).not.toMatch(/app1|app3/);
    l.up.delete('app3');
    expect(testConfiguration(configFor(['app1', 'app2', 'app3']), true, l.view).lines).toContain('Machine app3 (app3): does not answer; cannot reach its registry, RPC or file shares.');
  });

  it('a node that is no prepared app server (a web server, a name the lab does not know) fails the checks by name', () => {
    const l = lab({ app1: PREPARED, app2: PREPARED, web1: {} });
    const t = testConfiguration(configFor(['app1', 'app2', 'web1']), true, l.view);
    expect(t.checks.Passed).toBe(false);
    expect(t.lines).toContain('Machine web1 (web1): the Remote Registry service is not running.');
    const unknown = testConfiguration(configFor(['app1', 'app2', 'ghost']), true, l.view);
    expect(unknown.lines).toContain('Machine ghost (ghost): does not answer; cannot reach its registry, RPC or file shares.');
  });

  it('a node that already runs Service Fabric: NoConflictingInstallations False', () => {
    const l = lab({ app1: PREPARED, app2: { ...PREPARED, services: [...PREPARED.services, { name: 'FabricHostSvc', state: 'Running' }] }, app3: PREPARED });
    const t = testConfiguration(configFor(['app1', 'app2', 'app3']), true, l.view);
    expect(t.checks.NoConflictingInstallations).toBe(false);
    expect(t.lines).toContain('Machine app2 (app2): Service Fabric is already installed (FabricHostSvc).');
  });

  it('reads the configuration as Service Fabric does: nodes, endpoint ports, data and log roots', () => {
    const doc = parseClusterConfig(configFor(['app1', 'app2', 'app3']));
    expect(doc).toMatchObject({ name: 'CortexCluster', configVersion: '1.0.0', endpointPorts: [19000, 19001, 19002, 19003, 19080], dataRoot: 'C:\\ProgramData\\SF' });
    expect(typeof doc === 'string' ? [] : doc.nodes.map((n) => n.upgradeDomain)).toEqual(['UD0', 'UD1', 'UD2']);
  });
});

describe('the cluster: creation from the deploy node, nodes Up/Down, applications', () => {
  it('creates the cluster on every node; the Test then sees 3 nodes Up, health Ok; a second Set from a package without its versioned exe is refused', async () => {
    const l = three();
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    const before = read(l, 'app1', 'service_fabric_cluster', CLUSTER);
    expect(before).toMatchObject({ state: { fabricHostService: false, reachable: false, nodes: [] } });
    const r = await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    expect(r).toMatchObject({ ok: true, changed: true, data: { message: 'created the Service Fabric cluster: app1, app2, app3 Up', exitCode: 0 } });
    for (const h of ['app1', 'app2', 'app3']) {
      const m = l.states.get(h)!.machine;
      expect(m.services.find((s) => s.name === 'FabricHostSvc'), h).toMatchObject({ state: 'Running' });
      expect(m.serviceFabric?.nodeName).toBe(h);
      expect(m.listeningPorts).toContain(19000);
    }
    expect(read(l, 'app1', 'service_fabric_cluster', CLUSTER)).toMatchObject({ state: { fabricHostService: true, fabricVersion: '10.1.1541.9590', reachable: true, codeVersion: '10.1.1541.9590', configVersion: '1.0.0', health: 'Ok', nodes: [{ name: 'app1', status: 'Up', health: 'Ok' }, { name: 'app2', status: 'Up' }, { name: 'app3', status: 'Up' }] } });
    const again = await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    expect(again).toMatchObject({ ok: false, error: { message: `service_fabric_cluster: ${PKG}\\DeploymentComponentsAutoextractor.exe is missing: the package at ${PKG} has no runtime version to upgrade the cluster to` } });
  });

  it('nodes follow lab power: one down is Warning, two down lose the quorum and the cluster stops answering', async () => {
    const l = three();
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    const sf = l.states.get('app1')!.machine.serviceFabric!;
    l.up.delete('app2');
    expect(clusterNodes(sf, l.view).map((n) => n.status)).toEqual(['Up', 'Down', 'Up']);
    expect(clusterHealth(clusterNodes(sf, l.view))).toBe('Warning');
    l.up.delete('app3');
    expect(read(l, 'app1', 'service_fabric_cluster', CLUSTER)).toMatchObject({ state: { reachable: false, connectError: expect.stringMatching(/FABRIC_E_TIMEOUT .*app2, app3 down/) } });
  });

  it('TestConfiguration refusing: the Set fails as the script parses the table, the log written, nothing installed', async () => {
    const l = lab({ app1: PREPARED, app2: { services: [{ name: 'RemoteRegistry', state: 'Stopped', startType: 'Manual' }, { name: 'MpsSvc', state: 'Running' }], firewallRules: PREPARED.firewallRules }, app3: PREPARED });
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    const r = await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    expect(r).toMatchObject({ ok: false, error: { message: 'service_fabric_cluster: TestConfiguration.ps1 did not pass (Passed : False): RemoteRegistryAvailable False: Machine app2 (app2): the Remote Registry service is not running. (log: C:\\sf\\10.1\\cortex-TestConfiguration.log)' } });
    expect(Object.keys(l.states.get('app1')!.machine.files)).toContain('C:\\sf\\10.1\\cortex-TestConfiguration.log');
    for (const s of l.states.values()) expect(s.machine.serviceFabric).toBeUndefined();
  });

  it('a configuration the lab never received as text: not emulated by the lab', async () => {
    const l = three();
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    delete l.states.get('app1')!.machine.fileTexts;
    expect(await set(l, 'app1', 'service_fabric_cluster', CLUSTER)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not emulated by the lab/), category: 'NotImplemented' } });
  });

  it('applications: registered and created on every member; an unknown manifest is not emulated; another version is an upgrade', async () => {
    const l = three();
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    const APP = { name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', packagePath: APP_PKG, parameters: { ApiGateway_InstanceCount: '-1' } };
    const m = l.states.get('app1')!.machine;
    expect(read(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ state: { reachable: true, registeredVersions: [], application: null } });
    withFile(m, `${APP_PKG}\\ApplicationManifest.xml`, 'a'.repeat(64), 10);
    expect(await set(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no application manifest the lab knows.*not emulated by the lab/) } });
    const zip = artifactFile('cortex-sf-apps-1.1.0').artifact as { entries: Record<string, string> };
    const v11 = textFile(zip.entries['CortexApps\\ApplicationManifest.xml']!);
    withFile(m, `${APP_PKG}\\ApplicationManifest.xml`, v11.sha256, v11.length);
    expect(await set(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ ok: false, error: { message: `service_fabric_application: the package at ${APP_PKG} was registered but no type CortexType 1.0.0 is: its ApplicationManifest.xml declares another type or version` } });
    const v10 = textFile((artifactFile('cortex-sf-apps-1.0.0').artifact as { entries: Record<string, string> }).entries['CortexApps\\ApplicationManifest.xml']!);
    withFile(m, `${APP_PKG}\\ApplicationManifest.xml`, v10.sha256, v10.length);
    expect(await set(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ ok: true, data: { message: 'registered CortexType 1.0.0, created fabric:/Cortex' } });
    for (const h of ['app1', 'app2', 'app3']) expect(l.states.get(h)!.machine.serviceFabric!.cluster.applications.map((a) => a.name), h).toEqual(['fabric:/Cortex']);
    expect(read(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ state: { reachable: true, registeredVersions: ['1.1.0', '1.0.0'], application: { typeName: 'CortexType', typeVersion: '1.0.0', status: 'Ready', health: 'Ok', parameters: { ApiGateway_InstanceCount: '-1' } } } });
    expect(await set(l, 'app1', 'service_fabric_application', { ...APP, typeVersion: '1.1.0' })).toMatchObject({ ok: true, data: { message: 'upgraded fabric:/Cortex CortexType 1.0.0 -> 1.1.0, one upgrade domain at a time: UD0 (app1), UD1 (app2), UD2 (app3)' } });
    for (const h of ['app1', 'app2', 'app3']) expect(l.states.get(h)!.machine.serviceFabric!.cluster.applications[0], h).toMatchObject({ typeVersion: '1.1.0' });
    expect(await set(l, 'app1', 'service_fabric_application', { ...APP, typeName: 'OtherType' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/runs type CortexType, not OtherType; remove the application by hand/) } });
  });

  it('without a cluster the application Set says the cluster does not answer', async () => {
    const l = three();
    withFile(l.states.get('app1')!.machine, `${APP_PKG}\\ApplicationManifest.xml`, 'b'.repeat(64), 10);
    const r = await set(l, 'app1', 'service_fabric_application', { name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', packagePath: APP_PKG });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^service_fabric_application: the Service Fabric cluster does not answer at localhost:19000: .*FABRIC_E_CONNECTION_DENIED/) } });
  });
});

describe('received configuration text', () => {
  it('keeps small .json and .xml uploads (a BOM dropped), nothing else', () => {
    expect(configText('C:\\sf\\ClusterConfig.json.cortex-upload', Buffer.from('\uFEFF{"a":1}'))).toBe('{"a":1}');
    expect(configText('C:\\x\\ApplicationManifest.xml', Buffer.from('<a/>'))).toBe('<a/>');
    expect(configText('C:\\x\\setup.exe', Buffer.from('MZ'))).toBeNull();
    expect(configText('C:\\x\\big.json', Buffer.alloc(300 * 1024, 0x20))).toBeNull();
    expect(configText('C:\\x\\bad.json', Buffer.from([0xff, 0xfe, 0x00]))).toBeNull();
  });
});

describe('lab status: the Service Fabric clusters the hosts formed', () => {
  it('one cluster per name from the members\' records; tracked from when it is first seen, with its quorum', async () => {
    const { ClusterTracker } = await import('../../src/lab/clusters.js');
    const { labServiceFabricClusters } = await import('../../src/lab/components/service-fabric.js');
    const l = three();
    expect(labServiceFabricClusters([...l.states.values()])).toEqual([]);
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    const found = labServiceFabricClusters([...l.states.values()]);
    expect(found).toEqual([{ name: 'CortexCluster', members: ['app1', 'app2', 'app3'] }]);
    const tracker = new ClusterTracker([], ['app1', 'app2', 'app3']);
    tracker.setDown('app2', true);
    tracker.ensure({ name: 'CortexCluster', kind: 'service-fabric', members: found[0]!.members });
    tracker.ensure({ name: 'CortexCluster', kind: 'service-fabric', members: [] });
    tracker.setDown('app3', true);
    expect(tracker.status()).toEqual([expect.objectContaining({ name: 'CortexCluster', kind: 'service-fabric', members: ['app1', 'app2', 'app3'], downNow: ['app2', 'app3'], maxDownAtOnce: 2, faultTolerance: 1, quorumLost: true })]);
  });
});

describe('upgrades: Service Fabric walks the upgrade domains one at a time', () => {
  const PKG2 = 'C:\\sf\\10.1.2448.9590';
  /** The newer package extracted on the deploy node: its scripts, its versioned exe and its cab. */
  function stageNewer(s: LabHostState): void {
    const zip = artifactFile('service-fabric-standalone-10.1.2448.9590').artifact as { entries: Record<string, string> };
    for (const name of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1', 'DeploymentComponentsAutoextractor.exe', 'MicrosoftAzureServiceFabric.cab']) {
      const f = textFile(zip.entries[name]!);
      withFile(s.machine, `${PKG2}\\${name}`, f.sha256, f.length);
    }
  }
  /** A three-node cluster; the view records every node going down and up, and fails the hosts in `failing`. */
  async function upgradable(failing: string[] = []) {
    const l = three();
    const events: string[] = [];
    const down = new Set<string>();
    let maxDown = 0;
    l.view.upgradeFault = (h) => failing.includes(h);
    l.view.clusterMemberDown = (c, h, d) => {
      events.push(`${h} ${d ? 'down' : 'up'}`);
      if (d) down.add(h);
      else down.delete(h);
      maxDown = Math.max(maxDown, down.size);
      expect(c).toMatchObject({ kind: 'service-fabric', members: ['app1', 'app2', 'app3'] });
    };
    stage(l.states.get('app1')!, configFor(['app1', 'app2', 'app3']));
    await set(l, 'app1', 'service_fabric_cluster', CLUSTER);
    stageNewer(l.states.get('app1')!);
    return { l, events, maxDown: () => maxDown };
  }
  const NEWER = { ...CLUSTER, packagePath: PKG2 };

  it('the Test sees the package version; the Set upgrades node by node in domain order, one down at a time; then nothing to do', async () => {
    const { l, events, maxDown } = await upgradable();
    expect(read(l, 'app1', 'service_fabric_cluster', NEWER)).toMatchObject({ state: { codeVersion: '10.1.1541.9590', packageCodeVersion: '10.1.2448.9590' } });
    const r = await set(l, 'app1', 'service_fabric_cluster', NEWER);
    expect(r).toMatchObject({ ok: true, data: { message: 'upgraded the cluster code 10.1.1541.9590 -> 10.1.2448.9590, one upgrade domain at a time: UD0 (app1), UD1 (app2), UD2 (app3)' } });
    expect(events).toEqual(['app1 down', 'app1 up', 'app2 down', 'app2 up', 'app3 down', 'app3 up']);
    expect(maxDown()).toBe(1);
    for (const h of ['app1', 'app2', 'app3']) expect(l.states.get(h)!.machine.serviceFabric!.codeVersion, h).toBe('10.1.2448.9590');
    expect(read(l, 'app1', 'service_fabric_cluster', NEWER)).toMatchObject({ state: { codeVersion: '10.1.2448.9590', fabricVersion: '10.1.2448.9590', packageCodeVersion: '10.1.2448.9590', health: 'Ok' } });
    expect(await set(l, 'app1', 'service_fabric_cluster', NEWER)).toMatchObject({ ok: true, data: { message: 'the cluster already runs 10.1.2448.9590' } });
  });

  it('a node failing mid-upgrade (UD1): the step fails naming the domain and the node, every node back on the old code, the cluster healthy', async () => {
    const { l, events, maxDown } = await upgradable(['app2']);
    const r = await set(l, 'app1', 'service_fabric_cluster', NEWER);
    expect(r).toMatchObject({ ok: false, error: { message: 'service_fabric_cluster: the monitored upgrade to 10.1.2448.9590 failed in upgrade domain UD1 (app2): HealthCheck; Service Fabric rolled back to 10.1.1541.9590 (RollingBackCompleted; completed before the failure: UD0). Fix the node, then apply again' } });
    expect(maxDown()).toBe(1);
    expect(events.at(-1)).toBe('app1 up');
    for (const h of ['app1', 'app2', 'app3']) expect(l.states.get(h)!.machine.serviceFabric!.codeVersion, h).toBe('10.1.1541.9590');
    expect(read(l, 'app1', 'service_fabric_cluster', NEWER)).toMatchObject({ state: { codeVersion: '10.1.1541.9590', health: 'Ok' } });
  });

  it('a node down before the upgrade: not started', async () => {
    const { l, events } = await upgradable();
    l.up.delete('app3');
    expect(await set(l, 'app1', 'service_fabric_cluster', NEWER)).toMatchObject({ ok: false, error: { message: "service_fabric_cluster: the upgrade to 10.1.2448.9590 was not started: app3 not Up (Service Fabric's health policy would roll it back)" } });
    expect(events).toEqual([]);
  });

  it('an application upgrade failing in UD2: rolled back on every node, the error names the domain', async () => {
    const { l } = await upgradable(['app3']);
    const m = l.states.get('app1')!.machine;
    const APP = { name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', packagePath: APP_PKG, parameters: { ApiGateway_InstanceCount: '-1' } };
    const manifest = (v: string) => textFile((artifactFile(`cortex-sf-apps-${v}`).artifact as { entries: Record<string, string> }).entries['CortexApps\\ApplicationManifest.xml']!);
    withFile(m, `${APP_PKG}\\ApplicationManifest.xml`, manifest('1.0.0').sha256, manifest('1.0.0').length);
    await set(l, 'app1', 'service_fabric_application', APP);
    withFile(m, `${APP_PKG}\\ApplicationManifest.xml`, manifest('1.1.0').sha256, manifest('1.1.0').length);
    const r = await set(l, 'app1', 'service_fabric_application', { ...APP, typeVersion: '1.1.0' });
    expect(r).toMatchObject({ ok: false, error: { message: 'service_fabric_application: the monitored upgrade of fabric:/Cortex to 1.1.0 failed in upgrade domain UD2 (app3): HealthCheck; Service Fabric rolled back to 1.0.0 (RollingBackCompleted; completed before the failure: UD0, UD1). Fix the node, then apply again' } });
    for (const h of ['app1', 'app2', 'app3']) expect(l.states.get(h)!.machine.serviceFabric!.cluster.applications[0], h).toMatchObject({ typeVersion: '1.0.0' });
    expect(read(l, 'app1', 'service_fabric_application', APP)).toMatchObject({ state: { registeredVersions: ['1.0.0', '1.1.0'], application: { typeVersion: '1.0.0' } } });
  });
});

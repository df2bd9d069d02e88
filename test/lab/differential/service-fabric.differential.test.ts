/**
 * The lab models of service_fabric_cluster and service_fabric_application held to their scripts through
 * the Windows shim (resources-b-harness.ts): the Set's envelope and view, then the Test's state, equal.
 * Compared here, every branch of both Sets:
 * - before anything changes (the package, the configuration or the manifest missing, a node that already
 *   runs Service Fabric, a bad timeout, a cluster that does not answer, another type under the name);
 * - the Tests through the shim's read cmdlets of the ServiceFabric module (a healthy cluster with its
 *   application, a node down, the quorum lost, FabricHostSvc stopped);
 * - the creation: the package's TestConfiguration.ps1 and CreateServiceFabricCluster.ps1 run by one-shot
 *   tasks, and TestConfiguration's refusals (an even or too small node set, Remote Registry stopped,
 *   ports closed, a node down, Service Fabric already there);
 * - the cluster-changing cmdlets: the application package copied and its type registered (also a type
 *   version the package does not declare), the application created or upgraded, the code upgrade, each
 *   monitored upgrade walked or rolled back at a node with the lab's fail-upgrade fault.
 * One-shot tasks: the shim does not run the text of the package's scripts (the lab's zip holds stand-ins,
 * not Microsoft's scripts). Start-ScheduledTask reads the task's powershell.exe -EncodedCommand with
 * PowerShell's parser; when it calls a package script the lab knows by its SHA-256, the shim does what that
 * script does to the lab's machines as this node reaches them (the view's serviceFabric.labMachines) and
 * writes its log as Out-File would, for the Set script to read; any other command is not emulated. So the
 * Set script's own work (building the command, the task, parsing the log's table, the decisions) runs for
 * real; what TestConfiguration finds is the shim's emulation of Service Fabric, compared with the lab's.
 * Views are compared on the node the step runs on: the nodes, the code version, FabricHostSvc and its key,
 * the listeners, application types and applications; what the creation does to the other nodes shows in
 * their status as this node's cluster reports it.
 */
import { describe, expect, it } from 'vitest';
import { artifactFile, textFile } from '../../../src/lab/artifacts/catalog.js';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceFabricClusterConfig } from '../../../src/components/service-fabric.js';
import { answerRequest } from '../../../src/lab/handlers/resources.test-batch.js';
import { resourceSetHandler } from '../../../src/lab/handlers/resources/set-handler.js';
import type { LabView } from '../../../src/lab/handlers/types.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import { libraryText } from '../../../src/runner/scripts.js';
import { REPO_ROOT } from '../../helpers/pwsh.js';
import { diffValues } from './diff.js';
import { WindowsViewSchema, type WindowsView } from '../../../src/lab/shim/view-schema.js';
import { comparableView } from './resource-harness.js';

const pwsh = pwshForTests('test/lab/differential (Service Fabric)');
let host: ShimHost;

const PKG = 'C:\\ProgramData\\CortexInstall\\service-fabric\\10.1';
const CFG = 'C:\\ProgramData\\CortexInstall\\service-fabric\\ClusterConfig.json';
const APP_PKG = 'C:\\ProgramData\\CortexInstall\\cortex\\1.0.0\\CortexApps';
const CLUSTER = { packagePath: PKG, configPath: CFG, nodes: ['app1', 'app2', 'app3'], runAs: { user: 'LAB\\sf-install', password: 'not-a-real-secret' }, timeout: 60 };
const APPLICATION = { name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', packagePath: APP_PKG, parameters: { ApiGateway_InstanceCount: '-1' } };

/** The Set scripts this file holds to their handlers (test/lab/differential/probes.differential.test.ts counts on it). */
const COMPARED_HERE = { 'resources.service-fabric-cluster': 'service_fabric_cluster', 'resources.service-fabric-application': 'service_fabric_application', 'resources.service-fabric-restart': 'service_fabric_restart' } as const;

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

/** A node with the standalone package extracted (its scripts as the lab's zip holds them) and, optionally, the configuration. */
function deployNode(opts: { scripts?: string[]; config?: boolean; fabricHost?: boolean } = {}): LabHostState {
  const s = machineFrom({});
  const zip = artifactFile('service-fabric-standalone-10.1').artifact as { entries: Record<string, string> };
  for (const name of opts.scripts ?? ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1']) {
    const f = textFile(zip.entries[name]!);
    withFile(s.machine, `${PKG}\\${name}`, f.sha256, f.length);
  }
  if (opts.config ?? true) {
    const f = textFile('{"name":"CortexCluster"}');
    withFile(s.machine, CFG, f.sha256, f.length);
  }
  if (opts.fabricHost) s.machine.services.push({ name: 'FabricHostSvc', state: 'Running', startType: 'Automatic' });
  return s;
}

describe.skipIf(!pwsh)('Service Fabric: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('service_fabric_cluster', () => {
    const cases: Array<[string, LabHostState, Record<string, unknown>, RegExp]> = [
      ['CreateServiceFabricCluster.ps1 missing from the package', deployNode({ scripts: ['TestConfiguration.ps1'] }), CLUSTER, /CreateServiceFabricCluster\.ps1 is not in .*extract the Service Fabric standalone package/],
      ['no package at all', deployNode({ scripts: [] }), CLUSTER, /TestConfiguration\.ps1 is not in/],
      ['ClusterConfig.json missing', deployNode({ config: false }), CLUSTER, /the cluster configuration .*ClusterConfig\.json is missing/],
      ['Service Fabric already on the node: refused', deployNode({ fabricHost: true }), CLUSTER, /already installed on this node \(FabricHostSvc\).*RemoveServiceFabricCluster\.ps1/],
      ['a timeout under 10 s', deployNode(), { ...CLUSTER, timeout: 5 }, /parameter timeout must be at least 10 seconds, not 5/],
    ];
    for (const [label, state, params, message] of cases) {
      it(label, async () => {
        const c = await compareSet(host, state, 'service_fabric_cluster', params);
        expect(c.diffs, c.diffs.join('\n')).toEqual([]);
        expect(c.script.ok).toBe(false);
        expect(c.script.error?.message).toMatch(message);
        expect(c.viewChanged).toBe(false);
      }, 120_000);
    }
  });

  describe('service_fabric_application', () => {
    it('the manifest missing: named, nothing changed; the Test without Service Fabric: not reachable', async () => {
      const c = await compareSet(host, machineFrom({}), 'service_fabric_application', APPLICATION);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.error?.message).toBe(`service_fabric_application: ${APP_PKG}\\ApplicationManifest.xml is missing; extract the application package to ${APP_PKG} in an earlier step`);
      expect(c.viewChanged).toBe(false);
    }, 120_000);
  });
});

// ---- The Tests against the shim's ServiceFabric cmdlets (read side): the view's serviceFabric part
// (src/lab/shim/service-fabric-view.ts) and the models read the same cluster, with the same power.
const PREPARED = {
  services: [
    { name: 'RemoteRegistry', state: 'Running', startType: 'Automatic' },
    { name: 'MpsSvc', state: 'Running', startType: 'Automatic' },
  ],
  firewallRules: [{ name: 'sf', localPorts: [135, 445, 19000, 19001, 19002, 19003, 19080], profiles: ['Domain'] }],
};

type Lab = { states: Map<string, LabHostState>; up: Set<string>; faults: Set<string>; view: LabView };

/**
 * App servers prepared for Service Fabric (Remote Registry and the firewall running, the cluster's ports
 * open), up; app1 with the standalone package and a ClusterConfig.json of `nodes` (its text as the lab
 * received it). `up` says which hosts are up, `faults` which have the lab's fail-upgrade fault.
 */
function preparedLab(hosts = ['app1', 'app2', 'app3'], nodes = ['app1', 'app2', 'app3']): Lab {
  const states = new Map(hosts.map((name, i) => [name, { ...machineFrom(PREPARED, name), host: { name, address: `127.0.0.${20 + i}` } }]));
  const up = new Set(states.keys());
  // Hosts with the lab's fail-upgrade fault (src/lab/host-registry.ts: faults.failUpgrade).
  const faults = new Set<string>();
  const view: LabView = {
    hosts: () => [...states.values()].map((s) => s.host),
    findHost: (k) => [...states.values()].find((s) => s.host.name === k || s.host.address === k)?.host,
    getHostState: (n) => states.get(n),
    isUp: (n) => up.has(n),
    upgradeFault: (n) => faults.has(n),
    canConnect: () => false,
    changeHost: (n, change) => change(states.get(n)!),
  };
  // The inventory's own configuration (3 nodes; it refuses other counts), with its node list as asked.
  const doc = JSON.parse(serviceFabricClusterConfig(['app1', 'app2', 'app3'].map((n) => ({ name: n, address: n, roles: ['app' as const] })), { security: { kind: 'machineGroup', clusterIdentity: 'LAB\\SfNodes' }, clientIdentities: [{ identity: 'LAB\\Admins', isAdmin: true }] }).text) as { nodes: Array<Record<string, string>> };
  const template = doc.nodes[0]!;
  doc.nodes = nodes.map((n, i) => doc.nodes.find((x) => x.nodeName === n) ?? { ...template, nodeName: n, iPAddress: n, faultDomain: `fd:/fd${i}`, upgradeDomain: `UD${i}` });
  const config = JSON.stringify(doc, null, 2);
  const app1 = states.get('app1')!;
  const zip = artifactFile('service-fabric-standalone-10.1').artifact as { entries: Record<string, string> };
  for (const name of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1']) {
    const f = textFile(zip.entries[name]!);
    withFile(app1.machine, `${PKG}\\${name}`, f.sha256, f.length);
  }
  const f = textFile(config);
  withFile(app1.machine, CFG, f.sha256, f.length);
  (app1.machine.fileTexts ??= {})[f.sha256] = config;
  return { states, up, faults, view };
}

/** Three app servers with a cluster created from app1 by the lab's model (and the application, unless not asked for). */
async function clusterLab(opts: { application?: boolean } = {}): Promise<Lab> {
  const { states, up, faults, view } = preparedLab();
  const app1 = states.get('app1')!;
  const created = await resourceSetHandler('service_fabric_cluster').run({ host: app1.host, state: app1, params: CLUSTER, lab: view, now: () => new Date() });
  if (!('ok' in created) || !created.ok) throw new Error(`the cluster was not created: ${JSON.stringify(created)}`);
  withApplicationPackage(app1.machine, '1.0.0', APP_PKG);
  if (opts.application === false) return { states, up, faults, view };
  const app = await resourceSetHandler('service_fabric_application').run({ host: app1.host, state: app1, params: APPLICATION, lab: view, now: () => new Date() });
  if (!('ok' in app) || !app.ok) throw new Error(`the application was not created: ${JSON.stringify(app)}`);
  return { states, up, faults, view };
}

/** The ApplicationManifest.xml of the lab's Cortex application package `version`, extracted to `folder`. */
function withApplicationPackage(m: LabHostState['machine'], version: string, folder: string): void {
  const manifest = textFile((artifactFile(`cortex-sf-apps-${version}`).artifact as { entries: Record<string, string> }).entries['CortexApps\\ApplicationManifest.xml']!);
  withFile(m, `${folder}\\ApplicationManifest.xml`, manifest.sha256, manifest.length);
}

/** test-batch.ps1 against the shim vs the models, on app1 with the lab's power. */
async function compareTests(l: { states: Map<string, LabHostState>; view: LabView }, requests: Array<{ step: string; resource: string; params: Record<string, unknown> }>): Promise<{ diffs: string[]; script: unknown[] }> {
  const app1 = l.states.get('app1')!;
  const run = await host.run({ script: readFileSync(join(REPO_ROOT, 'ps1', 'resources', 'test-batch.ps1'), 'utf8'), lib: libraryText(), params: { requests }, view: projectWindowsView(app1.machine, { power: l.view }), timeoutMs: 60_000 });
  const envelope = JSON.parse(run.output.at(-1) ?? 'null') as { ok: boolean; data: { results: unknown[] } };
  const model = requests.map((r) => answerRequest(r, { machine: app1.machine, host: app1.host, lab: l.view, now: () => new Date() }));
  return { diffs: diffValues(model, envelope.data.results), script: envelope.data.results };
}

const REQUESTS = [
  { step: 'sf-cluster', resource: 'service_fabric_cluster', params: CLUSTER },
  { step: 'cortex-apps', resource: 'service_fabric_application', params: APPLICATION },
  { step: 'other-app', resource: 'service_fabric_application', params: { ...APPLICATION, name: 'fabric:/Other', typeName: 'OtherType' } },
];

describe.skipIf(!pwsh)('Service Fabric Tests: lab models vs test-batch.ps1 through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('a healthy cluster with the application: nodes, versions, health, types, parameters', async () => {
    const c = await compareTests(await clusterLab(), REQUESTS);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script[0]).toMatchObject({ state: { reachable: true, health: 'Ok', nodes: [{ name: 'app1', status: 'Up' }, { name: 'app2', status: 'Up' }, { name: 'app3', status: 'Up' }] } });
    expect(c.script[1]).toMatchObject({ state: { registeredVersions: ['1.0.0'], application: { typeVersion: '1.0.0', parameters: { ApiGateway_InstanceCount: '-1' } } } });
  }, 120_000);

  it('one node powered off: Down/Error, health Warning', async () => {
    const l = await clusterLab();
    l.up.delete('app3');
    const c = await compareTests(l, REQUESTS);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script[0]).toMatchObject({ state: { health: 'Warning', nodes: [{ status: 'Up' }, { status: 'Up' }, { name: 'app3', status: 'Down', health: 'Error' }] } });
  }, 120_000);

  it('two nodes down: the cluster does not answer (quorum lost)', async () => {
    const l = await clusterLab();
    l.up.delete('app2');
    l.up.delete('app3');
    const c = await compareTests(l, REQUESTS);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script[0]).toMatchObject({ state: { reachable: false, connectError: expect.stringMatching(/FABRIC_E_TIMEOUT/) } });
  }, 120_000);

  it('partial: FabricHostSvc stopped on the deploy node', async () => {
    const l = await clusterLab();
    l.states.get('app1')!.machine.services.find((s) => s.name === 'FabricHostSvc')!.state = 'Stopped';
    const c = await compareTests(l, REQUESTS);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script[0]).toMatchObject({ state: { fabricHostService: true, reachable: false, connectError: expect.stringMatching(/FABRIC_E_CONNECTION_DENIED/) } });
  }, 120_000);
});

// ---- The Sets' later branches in a lab with a cluster (the view's serviceFabric part from the lab's
// power, as the Tests above): what the Sets decide from the cluster they read before changing it. The
// branches that change it follow further below.

/** The Set script of `type` on `name`'s view in the cluster lab, and its Set handler on a copy in the same lab. */
async function compareSetInCluster(l: Lab, name: string, type: 'service_fabric_cluster' | 'service_fabric_application' | 'service_fabric_restart', params: Record<string, unknown>): Promise<{ diffs: string[]; script: { ok: boolean; data: unknown; error: { message: string } | null }; viewChanged: boolean; after: WindowsView }> {
  const self = l.states.get(name)!;
  const before = projectWindowsView(self.machine, { power: l.view });
  const run = await host.run({ script: readFileSync(join(REPO_ROOT, 'ps1', 'resources', `${type.replace(/_/g, '-')}.ps1`), 'utf8'), lib: libraryText(), params, view: before, exportView: true, timeoutMs: 60_000 });
  const script = JSON.parse(run.output.at(-1) ?? 'null') as { ok: boolean; data: unknown; error: { message: string; category: string } | null };
  if (script === null) throw new Error(`the script printed nothing: ${JSON.stringify(run.errors)}`);
  const after = WindowsViewSchema.parse(run.view);
  const mine = structuredClone(self);
  const lab: LabView = { ...l.view, getHostState: (n) => (n === name ? mine : l.view.getHostState(n)) };
  const result = await resourceSetHandler(type).run({ host: self.host, state: mine, params, lab, now: () => new Date() });
  if ('raw' in result) throw new Error('a Set handler answered raw');
  const handlerEnvelope = result.ok ? { ok: true, data: result.data ?? null, error: null } : { ok: false, data: null, error: result.error };
  const diffs = diffValues(plain(handlerEnvelope), plain(script)).map((d) => `envelope ${d}`);
  diffs.push(...diffValues(comparableView(projectWindowsView(mine.machine, { power: lab })), comparableView(after)).map((d) => `view ${d}`));
  return { diffs, script, viewChanged: diffValues(comparableView(before), comparableView(after)).length > 0, after };
}
/** JSON-plain (undefined dropped), as the script's envelope is. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe.skipIf(!pwsh)('Service Fabric Sets in a lab with a cluster: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  // A cluster that exists and answers makes the Set a code upgrade (docs/upgrades-service-fabric.md): from
  // app2, whose package folder lacks the runtime's extractor, both sides refuse before anything changes.
  it('service_fabric_cluster from another node of the running cluster, its package without a runtime: refused, the file named, nothing changed', async () => {
    const l = await clusterLab();
    // app2 with the package and the configuration, as if the step were run from it.
    const app1 = l.states.get('app1')!.machine;
    const app2 = l.states.get('app2')!.machine;
    for (const f of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1'].map((n) => `${PKG}\\${n}`).concat(CFG)) withFile(app2, f, app1.files[f]!, app1.fileSizes[f]!);
    expect(app2.services.map((s) => s.name)).toContain('FabricHostSvc');
    const c = await compareSetInCluster(l, 'app2', 'service_fabric_cluster', CLUSTER);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toMatch(/DeploymentComponentsAutoextractor\.exe is missing: the package at .* has no runtime version to upgrade the cluster to/);
    expect(c.viewChanged).toBe(false);
  }, 120_000);

  it('service_fabric_application already running its type and version: nothing to do, said so', async () => {
    const c = await compareSetInCluster(await clusterLab(), 'app1', 'service_fabric_application', APPLICATION);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script).toMatchObject({ ok: true, data: { message: 'fabric:/Cortex already runs CortexType 1.0.0' } });
    expect(c.viewChanged).toBe(false);
  }, 120_000);

  it('service_fabric_application when the cluster has lost its quorum: the cluster does not answer, named', async () => {
    const l = await clusterLab();
    l.up.delete('app2');
    l.up.delete('app3');
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_application', APPLICATION);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toMatch(/^service_fabric_application: the Service Fabric cluster does not answer at localhost:19000: .*FABRIC_E_TIMEOUT/);
  }, 120_000);

  it('service_fabric_application on a node without Service Fabric: the cluster does not answer', async () => {
    const s = machineFrom({});
    const manifest = textFile((artifactFile('cortex-sf-apps-1.0.0').artifact as { entries: Record<string, string> }).entries['CortexApps\\ApplicationManifest.xml']!);
    withFile(s.machine, `${APP_PKG}\\ApplicationManifest.xml`, manifest.sha256, manifest.length);
    const c = await compareSet(host, s, 'service_fabric_application', APPLICATION);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toMatch(/^service_fabric_application: the Service Fabric cluster does not answer at localhost:19000: /);
  }, 120_000);
});

// ---- The Sets' branches that change the cluster, through the shim's ServiceFabric cmdlets that change the
// view's serviceFabric part (src/lab/shim/windows-shim.psm1): the application package copied, its type
// registered, the application created or upgraded, the cluster's code upgraded; a monitored upgrade
// walks the upgrade domains and rolls back at a node with the lab's fail-upgrade fault. Compared: the
// envelope and this node's view after (its nodes, code version, Service Fabric key, application types,
// applications with their versions and parameters).

const APP_PKG_11 = 'C:\\ProgramData\\CortexInstall\\cortex\\1.1.0\\CortexApps';
const PKG_NEW = 'C:\\ProgramData\\CortexInstall\\service-fabric\\10.1.2448.9590';

/** The standalone package `version` extracted to `folder` on a machine (its runtime cab and its extractor with its FileVersion too). */
function withStandalonePackage(m: LabHostState['machine'], version: string, folder: string, names: string[]): void {
  const zip = artifactFile(`service-fabric-standalone-${version}`).artifact as { entries: Record<string, string> };
  for (const n of names) {
    const f = textFile(zip.entries[n]!);
    withFile(m, `${folder}\\${n}`, f.sha256, f.length);
  }
}

const sfPart = (v: WindowsView) => v.serviceFabric;
const fabricVersion = (v: WindowsView) => Object.entries(v.registry).find(([k]) => k.toLowerCase() === 'software\\microsoft\\service fabric')?.[1].FabricVersion;

describe.skipIf(!pwsh)('Service Fabric Sets that change the cluster: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('service_fabric_application on a cluster without it: the package registered, the application created', async () => {
    const c = await compareSetInCluster(await clusterLab({ application: false }), 'app1', 'service_fabric_application', APPLICATION);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script).toMatchObject({ ok: true, data: { message: 'registered CortexType 1.0.0, created fabric:/Cortex' } });
    expect(sfPart(c.after).applicationTypes).toEqual([{ ApplicationTypeName: 'CortexType', ApplicationTypeVersion: '1.0.0' }]);
    expect(sfPart(c.after).applications).toMatchObject([{ ApplicationName: 'fabric:/Cortex', ApplicationTypeVersion: '1.0.0', ApplicationParameters: [{ Name: 'ApiGateway_InstanceCount', Value: '-1' }] }]);
  }, 120_000);

  it('service_fabric_application with a type version its package does not declare: registered what it declares, refused, named', async () => {
    const c = await compareSetInCluster(await clusterLab({ application: false }), 'app1', 'service_fabric_application', { ...APPLICATION, typeVersion: '1.1.0' });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toBe(`service_fabric_application: the package at ${APP_PKG} was registered but no type CortexType 1.1.0 is: its ApplicationManifest.xml declares another type or version`);
    // Register-ServiceFabricApplicationType registered the manifest's own version; no application.
    expect(sfPart(c.after).applicationTypes).toEqual([{ ApplicationTypeName: 'CortexType', ApplicationTypeVersion: '1.0.0' }]);
    expect(sfPart(c.after).applications).toEqual([]);
  }, 120_000);

  it('service_fabric_application 1.0.0 -> 1.1.0: registered, upgraded one upgrade domain at a time', async () => {
    const l = await clusterLab();
    withApplicationPackage(l.states.get('app1')!.machine, '1.1.0', APP_PKG_11);
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_application', { ...APPLICATION, typeVersion: '1.1.0', packagePath: APP_PKG_11 });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.data).toMatchObject({ message: expect.stringMatching(/^registered CortexType 1\.1\.0, upgraded fabric:\/Cortex CortexType 1\.0\.0 -> 1\.1\.0, one upgrade domain at a time: \S+ \(app1\), \S+ \(app2\), \S+ \(app3\)$/) });
    expect(sfPart(c.after).applications).toMatchObject([{ ApplicationTypeVersion: '1.1.0' }]);
    expect(sfPart(c.after).applicationTypes.map((t) => t.ApplicationTypeVersion)).toEqual(['1.0.0', '1.1.0']);
  }, 120_000);

  it('service_fabric_application: other parameter values on the running version are an upgrade without a registration', async () => {
    const c = await compareSetInCluster(await clusterLab(), 'app1', 'service_fabric_application', { ...APPLICATION, parameters: { FlowExecution_InstanceCount: '2', ApiGateway_InstanceCount: '3' } });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.data).toMatchObject({ message: expect.stringMatching(/^upgraded fabric:\/Cortex CortexType 1\.0\.0 -> 1\.0\.0, one upgrade domain at a time: /) });
    expect(sfPart(c.after).applications[0]!.ApplicationParameters).toEqual([
      { Name: 'ApiGateway_InstanceCount', Value: '3' },
      { Name: 'FlowExecution_InstanceCount', Value: '2' },
    ]);
  }, 120_000);

  it('service_fabric_application upgrade with a node failing its health check: rolled back, the domain and node named, 1.0.0 still runs', async () => {
    const l = await clusterLab();
    l.faults.add('app2');
    withApplicationPackage(l.states.get('app1')!.machine, '1.1.0', APP_PKG_11);
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_application', { ...APPLICATION, typeVersion: '1.1.0', packagePath: APP_PKG_11 });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toMatch(/^service_fabric_application: the monitored upgrade of fabric:\/Cortex to 1\.1\.0 failed in upgrade domain \S+ \(app2\): HealthCheck; Service Fabric rolled back to 1\.0\.0 \(RollingBackCompleted; completed before the failure: \S+\)/);
    expect(sfPart(c.after).applications).toMatchObject([{ ApplicationTypeVersion: '1.0.0' }]);
    // The type stays registered: the registration is not part of the rollback.
    expect(sfPart(c.after).applicationTypes.map((t) => t.ApplicationTypeVersion)).toEqual(['1.0.0', '1.1.0']);
  }, 120_000);

  it('service_fabric_application of another type under the same name: refused before anything changes', async () => {
    const c = await compareSetInCluster(await clusterLab(), 'app1', 'service_fabric_application', { ...APPLICATION, typeName: 'OtherType' });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toMatch(/fabric:\/Cortex runs type CortexType, not OtherType/);
    expect(c.viewChanged).toBe(false);
  }, 120_000);

  describe('service_fabric_cluster on a running cluster: the code upgrade', () => {
    const UPGRADE = { ...CLUSTER, packagePath: PKG_NEW };
    /** The cluster lab with the newer standalone package (and the configuration) on app1. */
    async function upgradeLab(names = ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1', 'DeploymentComponentsAutoextractor.exe', 'MicrosoftAzureServiceFabric.cab']) {
      const l = await clusterLab();
      withStandalonePackage(l.states.get('app1')!.machine, '10.1.2448.9590', PKG_NEW, names);
      return l;
    }

    it('10.1.1541.9590 -> 10.1.2448.9590: every upgrade domain walked, the code version and this node\'s FabricVersion changed', async () => {
      const l = await upgradeLab();
      const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', UPGRADE);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.data).toMatchObject({ message: expect.stringMatching(/^upgraded the cluster code 10\.1\.1541\.9590 -> 10\.1\.2448\.9590, one upgrade domain at a time: \S+ \(app1\), \S+ \(app2\), \S+ \(app3\)$/) });
      expect(sfPart(c.after).upgrade?.TargetCodeVersion).toBe('10.1.2448.9590');
      expect(fabricVersion(c.after)).toEqual({ kind: 'String', data: '10.1.2448.9590' });
    }, 120_000);

    it('a node failing its health check: rolled back, the domain and node named, the old code still runs', async () => {
      const l = await upgradeLab();
      l.faults.add('app3');
      const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', UPGRADE);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.error?.message).toMatch(/^service_fabric_cluster: the monitored upgrade to 10\.1\.2448\.9590 failed in upgrade domain \S+ \(app3\): HealthCheck; Service Fabric rolled back to 10\.1\.1541\.9590 \(RollingBackCompleted; completed before the failure: \S+, \S+\)/);
      expect(c.viewChanged).toBe(false);
    }, 120_000);

    it('the package the cluster already runs: nothing to do, said so', async () => {
      const l = await clusterLab();
      withStandalonePackage(l.states.get('app1')!.machine, '10.1', PKG, ['DeploymentComponentsAutoextractor.exe', 'MicrosoftAzureServiceFabric.cab']);
      const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', CLUSTER);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script).toMatchObject({ ok: true, data: { message: 'the cluster already runs 10.1.1541.9590' } });
      expect(c.viewChanged).toBe(false);
    }, 120_000);

    it('the runtime cab missing from the package: refused, named', async () => {
      const l = await upgradeLab(['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1', 'DeploymentComponentsAutoextractor.exe']);
      const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', UPGRADE);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.error?.message).toMatch(/MicrosoftAzureServiceFabric\.cab is missing: the runtime package the upgrade registers/);
      expect(c.viewChanged).toBe(false);
    }, 120_000);

    it('a node down: the upgrade is not started', async () => {
      const l = await upgradeLab();
      l.up.delete('app3');
      const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', UPGRADE);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.error?.message).toMatch(/the upgrade to 10\.1\.2448\.9590 was not started: app3 not Up/);
    }, 120_000);
  });
});

describe.skipIf(!pwsh)('Service Fabric upgrades with two nodes in one upgrade domain', () => {
  withShimHost(pwsh!, (h) => (host = h));

  /** The cluster lab with app3 moved into app2's upgrade domain (on every node's record of the cluster). */
  async function sharedDomainLab() {
    const l = await clusterLab();
    const ud = l.states.get('app1')!.machine.serviceFabric!.cluster.nodes.find((n) => n.host === 'app2')!.upgradeDomain;
    for (const s of l.states.values()) s.machine.serviceFabric!.cluster.nodes.find((n) => n.host === 'app3')!.upgradeDomain = ud;
    return { l, ud };
  }

  it('the code upgrade failing at app3: the failed domain is named with both its nodes, as Service Fabric reports the domain', async () => {
    const { l, ud } = await sharedDomainLab();
    withStandalonePackage(l.states.get('app1')!.machine, '10.1.2448.9590', PKG_NEW, ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1', 'DeploymentComponentsAutoextractor.exe', 'MicrosoftAzureServiceFabric.cab']);
    l.faults.add('app3');
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', { ...CLUSTER, packagePath: PKG_NEW });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.error?.message).toContain(`failed in upgrade domain ${ud} (app2, app3): HealthCheck`);
    expect(c.viewChanged).toBe(false);
  }, 120_000);

  it('the application upgrade walking two domains', async () => {
    const { l } = await sharedDomainLab();
    withApplicationPackage(l.states.get('app1')!.machine, '1.1.0', APP_PKG_11);
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_application', { ...APPLICATION, typeVersion: '1.1.0', packagePath: APP_PKG_11 });
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script.data).toMatchObject({ message: expect.stringMatching(/one upgrade domain at a time: \S+ \(app1\), \S+ \(app2, app3\)$/) });
  }, 120_000);
});

// ---- The cluster's creation: the package's TestConfiguration.ps1 and CreateServiceFabricCluster.ps1 run
// by one-shot tasks. The shim does not run the scripts' text (the lab's package holds stand-ins): it
// reads the task's command with PowerShell's parser and, for a package script it knows, does what that
// script does on the lab's machines (src/lab/shim/windows-shim.psm1, docs/lab.md). Compared as above:
// the envelope, and this node's view after (FabricHostSvc, its Service Fabric key, the cluster's nodes
// and code version, the scripts' logs in the package folder).

describe.skipIf(!pwsh)('Service Fabric cluster creation through the one-shot tasks: lab model vs script through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('three prepared nodes: TestConfiguration passes, the cluster is created, every node Up', async () => {
    const l = preparedLab();
    const c = await compareSetInCluster(l, 'app1', 'service_fabric_cluster', CLUSTER);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script).toMatchObject({ ok: true, data: { message: 'created the Service Fabric cluster: app1, app2, app3 Up' } });
    expect(sfPart(c.after)).toMatchObject({ connectError: null, clusterHealth: 'Ok', upgrade: { TargetCodeVersion: '10.1.1541.9590' }, nodes: [{ NodeName: 'app1', NodeStatus: 'Up' }, { NodeName: 'app2', NodeStatus: 'Up' }, { NodeName: 'app3', NodeStatus: 'Up' }] });
    expect(c.after.services.find((s) => s.Name === 'FabricHostSvc')).toMatchObject({ Status: 'Running', StartType: 'Automatic' });
    expect(fabricVersion(c.after)).toEqual({ kind: 'String', data: '10.1.1541.9590' });
    expect(Object.keys(c.after.files).filter((f) => /cortex-.*\.log$/.test(f)).sort()).toEqual([`${PKG}\\cortex-CreateServiceFabricCluster.log`, `${PKG}\\cortex-TestConfiguration.log`]);
  }, 120_000);

  const refused: Array<[string, () => Lab, RegExp]> = [
    ['an even node set (4)', () => preparedLab(['app1', 'app2', 'app3', 'app4'], ['app1', 'app2', 'app3', 'app4']), /TestConfiguration\.ps1 did not pass \(Passed : False\): IsJsonValid False \(log: /],
    ['too few nodes (1)', () => preparedLab(['app1', 'app2', 'app3'], ['app1']), /IsJsonValid False \(log: .*cortex-TestConfiguration\.log\)$/],
    [
      'Remote Registry stopped on app2',
      () => {
        const l = preparedLab();
        l.states.get('app2')!.machine.services.find((s) => s.name === 'RemoteRegistry')!.state = 'Stopped';
        return l;
      },
      /RemoteRegistryAvailable False: Machine app2 \(app2\): the Remote Registry service is not running\./,
    ],
    [
      'the cluster ports closed on app3',
      () => {
        const l = preparedLab();
        l.states.get('app3')!.machine.firewallRules = [];
        return l;
      },
      /RequiredPortsOpen, RpcCheckPassed False: Machine app3 \(app3\): inbound TCP ports 135, 445, 19000, 19001, 19002, 19003, 19080 not open in Windows Firewall\. \| Machine app3 \(app3\): RPC \(TCP 135\) is blocked\./,
    ],
    [
      'app3 powered off',
      () => {
        const l = preparedLab();
        l.up.delete('app3');
        return l;
      },
      /RequiredPortsOpen, RemoteRegistryAvailable, RpcCheckPassed False: Machine app3 \(app3\): does not answer/,
    ],
    [
      'Service Fabric already on app2',
      () => {
        const l = preparedLab();
        l.states.get('app2')!.machine.services.push({ name: 'FabricHostSvc', state: 'Stopped', startType: 'Automatic' });
        return l;
      },
      /NoConflictingInstallations False: Machine app2 \(app2\): Service Fabric is already installed \(FabricHostSvc\)\./,
    ],
  ];
  for (const [label, lab, message] of refused) {
    it(`refused by TestConfiguration: ${label}; only its log written`, async () => {
      const c = await compareSetInCluster(lab(), 'app1', 'service_fabric_cluster', CLUSTER);
      expect(c.diffs, c.diffs.join('\n')).toEqual([]);
      expect(c.script.error?.message).toMatch(message);
      expect(c.after.services.some((s) => s.Name === 'FabricHostSvc')).toBe(false);
      expect(Object.keys(c.after.files).filter((f) => /cortex-.*\.log$/.test(f))).toEqual([`${PKG}\\cortex-TestConfiguration.log`]);
    }, 120_000);
  }
});

// service_fabric_restart (the licence's handler). The shim does not hold the deployed code
// packages (their restart is the model's: test/lab/nservicebus-upgrade-models.test.ts, Pester, the
// e2e); what the Set decides before touching one is compared here.
describe.skipIf(!pwsh)('service_fabric_restart in a lab with a cluster: lab model vs script through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));
  const RESTART = { application: 'fabric:/Cortex', reason: 'the NServiceBus licence changed' };

  it('a node powered off: refused before any restart, naming it; an application not deployed: nothing to restart', async () => {
    const l = await clusterLab();
    l.up.delete('app3');
    const down = await compareSetInCluster(l, 'app1', 'service_fabric_restart', RESTART);
    expect(down.diffs, down.diffs.join('\n')).toEqual([]);
    expect(down.script.error?.message).toBe('service_fabric_restart: node(s) app3 not Up; fabric:/Cortex was not restarted on app1 (restarted before: none). Bring the node(s) back, then apply again');
    expect(down.viewChanged).toBe(false);
    const other = await compareSetInCluster(await clusterLab(), 'app1', 'service_fabric_restart', { ...RESTART, application: 'fabric:/Other' });
    expect(other.diffs, other.diffs.join('\n')).toEqual([]);
    expect(other.script).toMatchObject({ ok: true, data: { message: 'nothing to restart: fabric:/Other is not deployed yet (the NServiceBus licence changed)' } });
  }, 120_000);

  it('the Test: reachable, with the application', async () => {
    const l = await clusterLab();
    const c = await compareTests(l, [{ step: 'restart', resource: 'service_fabric_restart', params: RESTART }]);
    expect(c.diffs, c.diffs.join('\n')).toEqual([]);
    expect(c.script[0]).toEqual({ step: 'restart', state: { reachable: true, applicationExists: true } });
  }, 120_000);
});

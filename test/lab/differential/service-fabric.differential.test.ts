/**
 * The lab models of service_fabric_cluster and service_fabric_application held to their scripts through
 * the Windows shim (resources-b-harness.ts): the Set's envelope and view, then the Test's state, equal.
 * Compared here: the Sets' branches that end before a one-shot task or a cmdlet that changes the
 * cluster (the package, the configuration or the manifest missing, a node that already runs Service
 * Fabric, a bad timeout), and the Tests through the shim's read cmdlets of the ServiceFabric module
 * (a healthy cluster with its application, a node down, the quorum lost, FabricHostSvc stopped). The
 * shim does not run the package's scripts or change a cluster: those branches are held to the scripts by
 * test/ps1/resources/service-fabric.Tests.ps1 and, end to end, by test/e2e/service-fabric.e2e.test.ts.
 * In a lab with a cluster (the view's serviceFabric part from the lab's power): the cluster step on
 * another node of an existing cluster, the application already there, an upgrade refused, a cluster that
 * does not answer (quorum lost, or no Service Fabric on the node).
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
import { WindowsViewSchema } from '../../../src/lab/shim/view-schema.js';
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

/** Three app servers with a cluster created from app1 by the lab's model; `up` says which hosts are up. */
async function clusterLab(): Promise<{ states: Map<string, LabHostState>; up: Set<string>; view: LabView }> {
  const states = new Map(['app1', 'app2', 'app3'].map((name, i) => [name, { ...machineFrom(PREPARED, name), host: { name, address: `127.0.0.${20 + i}` } }]));
  const up = new Set(states.keys());
  const view: LabView = {
    hosts: () => [...states.values()].map((s) => s.host),
    findHost: (k) => [...states.values()].find((s) => s.host.name === k || s.host.address === k)?.host,
    getHostState: (n) => states.get(n),
    isUp: (n) => up.has(n),
    canConnect: () => false,
    changeHost: (n, change) => change(states.get(n)!),
  };
  const config = serviceFabricClusterConfig(['app1', 'app2', 'app3'].map((n) => ({ name: n, address: n, roles: ['app' as const] })), { security: { kind: 'machineGroup', clusterIdentity: 'LAB\\SfNodes' }, clientIdentities: [{ identity: 'LAB\\Admins', isAdmin: true }] }).text;
  const app1 = states.get('app1')!;
  const zip = artifactFile('service-fabric-standalone-10.1').artifact as { entries: Record<string, string> };
  for (const name of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1']) {
    const f = textFile(zip.entries[name]!);
    withFile(app1.machine, `${PKG}\\${name}`, f.sha256, f.length);
  }
  const f = textFile(config);
  withFile(app1.machine, CFG, f.sha256, f.length);
  (app1.machine.fileTexts ??= {})[f.sha256] = config;
  const created = await resourceSetHandler('service_fabric_cluster').run({ host: app1.host, state: app1, params: CLUSTER, lab: view, now: () => new Date() });
  if (!('ok' in created) || !created.ok) throw new Error(`the cluster was not created: ${JSON.stringify(created)}`);
  const manifest = textFile((artifactFile('cortex-sf-apps-1.0.0').artifact as { entries: Record<string, string> }).entries['CortexApps\\ApplicationManifest.xml']!);
  withFile(app1.machine, `${APP_PKG}\\ApplicationManifest.xml`, manifest.sha256, manifest.length);
  const app = await resourceSetHandler('service_fabric_application').run({ host: app1.host, state: app1, params: APPLICATION, lab: view, now: () => new Date() });
  if (!('ok' in app) || !app.ok) throw new Error(`the application was not created: ${JSON.stringify(app)}`);
  return { states, up, view };
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
// power, as the Tests above): what the Sets decide from the cluster they read before changing it.
// The branches that change a cluster (the package's scripts through one-shot tasks, Copy-/Register-/
// New-ServiceFabricApplication*) are not emulated by the shim: Pester and the e2e hold those.

/** The Set script of `type` on `name`'s view in the cluster lab, and its Set handler on a copy in the same lab. */
async function compareSetInCluster(l: { states: Map<string, LabHostState>; up: Set<string>; view: LabView }, name: string, type: 'service_fabric_cluster' | 'service_fabric_application' | 'service_fabric_restart', params: Record<string, unknown>): Promise<{ diffs: string[]; script: { ok: boolean; data: unknown; error: { message: string } | null }; viewChanged: boolean }> {
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
  return { diffs, script, viewChanged: diffValues(comparableView(before), comparableView(after)).length > 0 };
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

  // Another version over a running application is a monitored application upgrade: Copy-, Register- and
  // Start-ServiceFabricApplicationUpgrade, which the shim does not emulate; Pester and the lab model's
  // tests hold that path (test/ps1/resources/service-fabric.Tests.ps1, test/lab/service-fabric.test.ts).

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

// h13-nsb: service_fabric_restart (the licence's handler). The shim does not hold the deployed code
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

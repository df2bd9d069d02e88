/**
 * Service Fabric end to end (issue 12; docs/service-fabric.md): the built CLI applies
 * test/fixtures/playbooks/components/service-fabric.yaml (node prep, the cluster created once from app1
 * as the install account, the Cortex application) to a lab's 3 application servers. Every claim is read
 * back from the lab itself: its hosts' saved machines (services, registry, the cluster record) and
 * `lab status --json` (clusters, counters).
 *
 * One lab for the file; the tests run in order and share it:
 * 1. a refusal end to end: node prep skipped on app2 (--limit), so TestConfiguration finds its Remote
 *    Registry stopped and its firewall closed, and the step fails naming the checks and app2;
 * 2. after `lab reset`, a fresh apply: a cluster of 3 nodes Up, the application created;
 * 3. a second apply: 0 changed, no Set call on any host.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceFabricClusterConfig } from '../../src/components/service-fabric.js';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { detachedLab, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'components');
const APP = ['app1', 'app2', 'app3'];
const PASSWORD = 'E2e-Lab!2026-sf';
const SF_PASSWORD = 'Sf-Install!2026-e2e';

const inv = relocatedCopy(join(FIXTURES, 'service-fabric-inventory.yaml'), ['127.0.60.'], net);
const { work, state, cli, status: labStatus } = detachedLab({
  name: 'sf',
  inventory: inv,
  env: { CORTEX_E2E_LAB_PASSWORD: PASSWORD, CORTEX_SF_INSTALL_PASSWORD: SF_PASSWORD },
});
// The playbook with its files/, as a user keeps them together.
cpSync(FIXTURES, join(work, 'pb'), { recursive: true });
const PB = join(work, 'pb', 'service-fabric.yaml');

const apply = (extra: string[] = []) => cli(['apply', '-i', inv, '-p', PB, '--skip-preflight', '--json', ...extra]);

/** A host's machine as the lab saved it; undefined while no script changed it (it is its profile). */
function savedMachine(host: string): LabHostState['machine'] | undefined {
  const file = join(state, 'hosts', `${host}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { state: LabHostState }).state.machine : undefined;
}

function machine(host: string): LabHostState['machine'] {
  const m = savedMachine(host);
  if (!m) throw new Error(`the lab saved no state for ${host}`);
  return m;
}

const setCalls = (s: LabStatus) => Object.fromEntries(s.hosts.map((h) => [h.name, h.counters.setCalls]));

describe('Service Fabric on the lab: 3 app servers (spawned CLI)', () => {
  it("the playbook's files are the lab's synthetic packages and the generated ClusterConfig.json, byte for byte", () => {
    expect(readFileSync(join(FIXTURES, 'files', 'Microsoft.Azure.ServiceFabric.WindowsServer.10.1.zip')).equals(artifactFile('service-fabric-standalone-10.1').bytes)).toBe(true);
    expect(readFileSync(join(FIXTURES, 'files', 'cortex-sf-apps-1.0.0.zip')).equals(artifactFile('cortex-sf-apps-1.0.0').bytes)).toBe(true);
    // Node addresses are the host names (the lab resolves them as DNS would).
    const config = serviceFabricClusterConfig(
      APP.map((n) => ({ name: n, address: n, roles: ['app' as const] })),
      { security: { kind: 'machineGroup', clusterIdentity: 'LAB\\CortexSfNodes' }, clientIdentities: [{ identity: 'LAB\\CortexAdmins', isAdmin: true }] },
    );
    expect(readFileSync(join(FIXTURES, 'files', 'ClusterConfig.json'), 'utf8')).toBe(config.text);
  });

  it('refusal: node prep skipped on app2 — TestConfiguration fails naming RemoteRegistryAvailable, the closed ports and app2; nothing is installed', async () => {
    const r = await apply(['--limit', 'app1,app3']);
    expect(r.exitCode, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    const step = doc.hosts.find((h) => h.name === 'app1')!.steps.find((s) => s.id === 'sf-cluster')!;
    expect(step.status, step.message).toBe('failed');
    expect(step.message).toContain('TestConfiguration.ps1 did not pass (Passed : False): RequiredPortsOpen, RemoteRegistryAvailable, RpcCheckPassed False');
    expect(step.message).toContain('Machine app2 (app2): the Remote Registry service is not running.');
    expect(step.message).toContain('Machine app2 (app2): inbound TCP ports 135, 445, 19000, 19001, 19002, 19003, 19080 not open in Windows Firewall.');
    expect(step.message).not.toContain(SF_PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(SF_PASSWORD);
    // The applications' phase never started; no node has Service Fabric.
    expect(doc.hosts.find((h) => h.name === 'app1')!.steps.map((s) => s.id)).not.toContain('cortex-apps');
    for (const h of APP) expect(savedMachine(h)?.serviceFabric, h).toBeUndefined();
    expect(savedMachine('app2'), 'app2 was not touched').toBeUndefined();
  }, 120_000);

  it('fresh install: a cluster of 3 nodes Up (FabricHostSvc and the Service Fabric key on each), the application created', async () => {
    const reset = await cli(['lab', 'reset', '-i', inv, '--state', state]);
    expect(reset.exitCode, reset.stderr).toBe(0);
    const r = await apply();
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ failed: 0, unreachable: 0 });
    const app1 = doc.hosts.find((h) => h.name === 'app1')!.steps;
    expect(app1.find((s) => s.id === 'sf-cluster')).toMatchObject({ status: 'changed' });
    expect(app1.find((s) => s.id === 'cortex-apps')).toMatchObject({ status: 'changed' });
    // run_once: the cluster and the applications run on app1 only.
    for (const h of ['app2', 'app3']) expect(doc.hosts.find((x) => x.name === h)!.steps.map((s) => s.id)).not.toContain('sf-cluster');

    for (const h of APP) {
      const m = machine(h);
      expect(m.services.find((s) => s.name === 'FabricHostSvc'), h).toMatchObject({ state: 'Running', startType: 'Automatic' });
      expect(m.services.find((s) => s.name === 'RemoteRegistry'), h).toMatchObject({ state: 'Running', startType: 'Automatic' });
      expect(m.registry['HKLM\\SOFTWARE\\Microsoft\\Service Fabric']?.FabricVersion, h).toEqual({ kind: 'String', data: '10.1.1541.9590' });
      expect(m.serviceFabric?.nodeName, h).toBe(h);
      expect(m.serviceFabric?.cluster.nodes.map((n) => `${n.nodeName}@${n.host}:${n.faultDomain}:${n.upgradeDomain}`), h).toEqual(['app1@app1:fd:/dc1/r0:UD0', 'app2@app2:fd:/dc1/r1:UD1', 'app3@app3:fd:/dc1/r2:UD2']);
      expect(m.serviceFabric?.cluster.applications, h).toEqual([{ name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', parameters: { ApiGateway_InstanceCount: '-1', FlowExecution_InstanceCount: '-1' } }]);
      expect(m.serviceFabric?.cluster.applicationTypes, h).toEqual([{ name: 'CortexType', version: '1.0.0' }]);
    }
    const status = await labStatus();
    const sf = status.clusters.find((c) => c.kind === 'service-fabric');
    expect(sf).toMatchObject({ name: 'CortexCluster', members: APP, downNow: [], quorumLost: false });
  }, 120_000);

  it('idempotence: plan says no changes; a second apply changes nothing and calls no Set on any host', async () => {
    const plan = await cli(['plan', '-i', inv, '-p', PB, '--detailed-exitcode', '--json']);
    expect(plan.exitCode, plan.stderr + plan.stdout).toBe(0);
    const before = setCalls(await labStatus());
    const r = await apply();
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ApplyDoc;
    expect(doc.summary.changed).toBe(0);
    for (const h of doc.hosts) for (const s of h.steps) expect(s.status, `${h.name} ${s.id}`).toBe('ok');
    expect(setCalls(await labStatus())).toEqual(before);
  }, 120_000);
});

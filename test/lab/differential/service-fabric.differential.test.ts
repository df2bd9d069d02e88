/**
 * The lab models of service_fabric_cluster and service_fabric_application held to their scripts through
 * the Windows shim (resources-b-harness.ts): the Set's envelope and view, then the Test's state, equal.
 * Compared here: every branch that ends before the ServiceFabric module or a one-shot task is called
 * (the package, the configuration or the manifest missing, a node that already runs Service Fabric, a
 * bad timeout) and the Tests on a node without Service Fabric. The shim does not emulate the
 * ServiceFabric cmdlets yet; what they answer is held to the scripts by
 * test/ps1/resources/service-fabric.Tests.ps1 and, end to end, by test/e2e/service-fabric.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { artifactFile, textFile } from '../../../src/lab/artifacts/catalog.js';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (Service Fabric)');
let host: ShimHost;

const PKG = 'C:\\ProgramData\\CortexInstall\\service-fabric\\10.1';
const CFG = 'C:\\ProgramData\\CortexInstall\\service-fabric\\ClusterConfig.json';
const APP_PKG = 'C:\\ProgramData\\CortexInstall\\cortex\\1.0.0\\CortexApps';
const CLUSTER = { packagePath: PKG, configPath: CFG, nodes: ['app1', 'app2', 'app3'], runAs: { user: 'LAB\\sf-install', password: 'not-a-real-secret' }, timeout: 60 };
const APPLICATION = { name: 'fabric:/Cortex', typeName: 'CortexType', typeVersion: '1.0.0', packagePath: APP_PKG, parameters: { ApiGateway_InstanceCount: '-1' } };

/** The Set scripts this file holds to their handlers (test/lab/differential/probes.differential.test.ts counts on it). */
const COMPARED_HERE = { 'resources.service-fabric-cluster': 'service_fabric_cluster', 'resources.service-fabric-application': 'service_fabric_application' } as const;

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
        // With FabricHostSvc the Test connects to the cluster, which the shim does not emulate (see above):
        // only the Set is compared then.
        const diffs = state.machine.services.some((x) => x.name === 'FabricHostSvc') ? c.diffs.filter((d) => !d.startsWith('test ')) : c.diffs;
        expect(diffs, diffs.join('\n')).toEqual([]);
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

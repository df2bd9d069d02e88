/**
 * The Service Fabric part of a host's Windows view (view-schema.ts's ServiceFabricViewSchema): what the
 * ServiceFabric cmdlets answer on this node, from the lab's model (src/lab/components/service-fabric.ts),
 * so the scripts' Tests run against the shim see what the lab's models read. Pure.
 */
import { clusterConnectError, clusterHealth, clusterNodes, type PowerView } from '../components/service-fabric.js';
import type { LabMachine } from '../state/types.js';
import type { ServiceFabricView } from './view-schema.js';

/** Without the lab: this node alone is known, and up. */
function selfOnly(m: LabMachine): PowerView {
  const self = m.serviceFabric?.cluster.nodes.find((n) => n.nodeName === m.serviceFabric?.nodeName)?.host;
  return { isUp: (h) => h === self, getHostState: (h) => (h === self ? { host: { name: h, address: '' }, profileHash: '', createdAt: '', updatedAt: '', machine: m } : undefined) };
}

export function serviceFabricView(m: LabMachine, lab: PowerView = selfOnly(m)): ServiceFabricView {
  const connectError = clusterConnectError(m, lab);
  const sf = m.serviceFabric;
  if (connectError !== null || !sf) return { connectError, nodes: [], upgrade: null, clusterHealth: null, applicationTypes: [], applications: [] };
  const nodes = clusterNodes(sf, lab);
  const health = clusterHealth(nodes);
  return {
    connectError: null,
    nodes: nodes.map((n) => ({ NodeName: n.name, NodeStatus: n.status, HealthState: n.health, UpgradeDomain: sf.cluster.nodes.find((x) => x.nodeName === n.name)?.upgradeDomain ?? '' })),
    upgrade: { TargetCodeVersion: sf.codeVersion, TargetConfigVersion: sf.cluster.configVersion },
    clusterHealth: health,
    applicationTypes: sf.cluster.applicationTypes.map((t) => ({ ApplicationTypeName: t.name, ApplicationTypeVersion: t.version })),
    applications: sf.cluster.applications.map((a) => ({
      ApplicationName: a.name,
      ApplicationTypeName: a.typeName,
      ApplicationTypeVersion: a.typeVersion,
      ApplicationStatus: 'Ready',
      HealthState: health,
      ApplicationParameters: Object.entries(a.parameters).map(([Name, Value]) => ({ Name, Value })),
    })),
  };
}

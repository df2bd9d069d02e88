/**
 * The Service Fabric part of a host's Windows view (view-schema.ts's ServiceFabricViewSchema): what the
 * ServiceFabric cmdlets answer on this node, from the lab's model (src/lab/components/service-fabric.ts),
 * so the scripts' Tests run against the shim see what the lab's models read. Pure.
 */
import { applicationManifestText, clusterConnectError, clusterHealth, clusterNodes, FABRIC_HOST_SERVICE, packageScript, runtimeCabVersion, service, type PowerView } from '../components/service-fabric.js';
import type { LabMachine } from '../state/types.js';
import type { ServiceFabricView } from './view-schema.js';

/** Without the lab: this node alone is known, and up. */
function selfOnly(m: LabMachine): PowerView {
  const self = m.serviceFabric?.cluster.nodes.find((n) => n.nodeName === m.serviceFabric?.nodeName)?.host;
  return { isUp: (h) => h === self, getHostState: (h) => (h === self ? { host: { name: h, address: '' }, profileHash: '', createdAt: '', updatedAt: '', machine: m } : undefined) };
}

/** What the lab knows of this machine's package files (the stand-in for their bytes): manifests' texts, cabs' runtime versions. */
function labPackageFiles(m: LabMachine): ServiceFabricView['labPackageFiles'] {
  const out: ServiceFabricView['labPackageFiles'] = { applicationManifests: {}, runtimeCabs: {}, packageScripts: {}, jsonTexts: {} };
  for (const [path, sha] of Object.entries(m.files)) {
    const sha256 = sha.toLowerCase();
    if (/\.ps1$/i.test(path)) {
      const script = packageScript(sha256);
      if (script !== null) out.packageScripts[sha256] = script;
    } else if (/\.json$/i.test(path)) {
      const text = m.fileTexts?.[sha256];
      if (text !== undefined) out.jsonTexts[sha256] = text;
    } else if (/(^|\\)ApplicationManifest\.xml$/i.test(path)) {
      const text = applicationManifestText(m, sha256);
      if (text !== null) out.applicationManifests[sha256] = text;
    } else if (/(^|\\)MicrosoftAzureServiceFabric\.cab$/i.test(path)) {
      const version = runtimeCabVersion(sha256);
      if (version !== null) out.runtimeCabs[sha256] = version;
    }
  }
  return out;
}

/** The lab's machines as the package's scripts reach them from this one (nothing without the lab's host list). */
function labMachines(m: LabMachine, lab: PowerView): ServiceFabricView['labMachines'] {
  if (!lab.hosts) return [];
  return lab.hosts().map((h) => {
    const x = lab.getHostState(h.name)?.machine;
    const up = !!x && lab.isUp(h.name);
    const ports = (x?.firewallRules ?? [])
      .filter((r) => r.enabled && r.direction === 'Inbound' && r.action === 'Allow' && (r.protocol === 'TCP' || r.protocol === 'Any'))
      .flatMap((r) => (r.localPorts.length === 0 ? ['Any'] : r.localPorts.map(String)));
    return {
      HostName: h.name,
      Address: h.address,
      Self: x === m,
      Up: up,
      RemoteRegistryRunning: !!x && service(x, 'RemoteRegistry')?.state === 'Running',
      FirewallServiceRunning: !!x && service(x, 'MpsSvc')?.state === 'Running',
      FirewallAllowedTcpPorts: ports,
      FabricInstalled: !!x && (!!x.serviceFabric || !!service(x, FABRIC_HOST_SERVICE)),
      DomainController: x?.os.productType === 2,
    };
  });
}

export function serviceFabricView(m: LabMachine, lab: PowerView = selfOnly(m)): ServiceFabricView {
  const connectError = clusterConnectError(m, lab);
  const sf = m.serviceFabric;
  const packageFiles = labPackageFiles(m);
  const machines = labMachines(m, lab);
  if (connectError !== null || !sf) return { connectError, nodes: [], upgrade: null, clusterHealth: null, applicationTypes: [], applications: [], labUpgradeFaults: [], labPackageFiles: packageFiles, labMachines: machines };
  const nodes = clusterNodes(sf, lab);
  const health = clusterHealth(nodes);
  return {
    connectError: null,
    nodes: nodes.map((n) => ({ NodeName: n.name, NodeStatus: n.status, HealthState: n.health, UpgradeDomain: n.upgradeDomain || n.name })),
    upgrade: { TargetCodeVersion: sf.codeVersion, TargetConfigVersion: sf.cluster.configVersion },
    clusterHealth: health,
    applicationTypes: sf.cluster.applicationTypes.map((t) => ({ ApplicationTypeName: t.name, ApplicationTypeVersion: t.version })),
    applications: sf.cluster.applications.map((a) => ({
      ApplicationName: a.name,
      ApplicationTypeName: a.typeName,
      ApplicationTypeVersion: a.typeVersion,
      ApplicationStatus: 'Ready',
      HealthState: health,
      // By name: the order Service Fabric lists them in is the manifest's, which the lab does not keep.
      ApplicationParameters: Object.entries(a.parameters)
        .map(([Name, Value]) => ({ Name, Value }))
        .sort((x, y) => (x.Name < y.Name ? -1 : x.Name > y.Name ? 1 : 0)),
    })),
    labUpgradeFaults: nodes.filter((n) => lab.upgradeFault?.(n.host) === true).map((n) => n.name),
    labPackageFiles: packageFiles,
    labMachines: machines,
  };
}

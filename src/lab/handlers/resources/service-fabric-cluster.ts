/**
 * service_fabric_cluster (ps1/resources/service-fabric-cluster.ps1; its Test in test-batch.ps1's
 * Get-CortexServiceFabricClusterState), on src/lab/components/service-fabric.ts. The Test reads this
 * node's FabricHostSvc and Service Fabric key, and the cluster (nodes Up/Down from lab power) through
 * its client endpoint. The Set does what the script does through its one-shot tasks: TestConfiguration
 * on every node of the ClusterConfig.json (its text as the lab received it), then the creation, which
 * installs every node (the other hosts through the lab), then the wait for the nodes Up. Each script's
 * log is written to the package folder, as the script's tasks write it.
 */
import { textFile } from '../../artifacts/catalog.js';
import { clusterHealth, clusterNodes, clusterRecord, connectError, FABRIC_HOST_SERVICE, fileText, installNode, PACKAGE_VERSION_FILE, packageCodeVersion, packageFileVersion, service, setNodeCodeVersion, SF_REGISTRY_KEY, testConfiguration, testConfigurationFailure, upgradeDomains, walkUpgradeDomains } from '../../components/service-fabric.js';
import { machineRegistry } from '../../shim/windows-view.js';
import type { LabMachine } from '../../state/types.js';
import { findFile, notEmulated, testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { registryValueData } from './registry.js';
import { defineResourceModel, LabResourceError, setResult, type ResourceModelContext } from './types.js';

const R = 'service_fabric_cluster';

/** A file the script's task writes (its log): recorded by hash and length, as the lab keeps files. */
function writeLog(m: LabMachine, path: string, lines: readonly string[]): void {
  // Out-File -Encoding utf8 in Windows PowerShell: a BOM, CRLF after every line.
  const f = textFile(`\uFEFF${lines.map((l) => `${l}\r\n`).join('')}`);
  const key = Object.keys(m.files).find((k) => k.toLowerCase() === path.toLowerCase()) ?? path;
  m.files[key] = f.sha256;
  m.fileSizes[key] = f.length;
}

const join = (folder: string, name: string) => `${folder.replace(/\\+$/, '')}\\${name}`;

/** The package's runtime version: its DeploymentComponentsAutoextractor.exe's FileVersion, when the lab knows the file. */
function packageVersion(m: LabMachine, packagePath: string): string | null {
  const f = findFile(m, join(packagePath, PACKAGE_VERSION_FILE));
  return f ? packageFileVersion(f.sha256) : null;
}

/**
 * The code upgrade of a running cluster (the script's branch when FabricHostSvc is there and the cluster
 * answers): Service Fabric's monitored upgrade, one upgrade domain at a time, rolled back when a domain fails.
 */
function upgradeCluster(ctx: ResourceModelContext, packagePath: string): ReturnType<typeof setResult> {
  const { machine: m, lab } = ctx;
  const target = packageVersion(m, packagePath);
  if (target === null) {
    if (!findFile(m, join(packagePath, PACKAGE_VERSION_FILE))) throw new LabResourceError(`${R}: ${join(packagePath, PACKAGE_VERSION_FILE)} is missing: the package at ${packagePath} has no runtime version to upgrade the cluster to`);
    throw notEmulated(`${R}: ${join(packagePath, PACKAGE_VERSION_FILE)} is no Service Fabric package the lab knows (src/lab/artifacts/components/service-fabric.ts)`);
  }
  const sf = m.serviceFabric!;
  const from = sf.codeVersion;
  if (from === target) return setResult(`the cluster already runs ${target}`);
  if (!testPath(m, join(packagePath, 'MicrosoftAzureServiceFabric.cab'), 'Leaf')) throw new LabResourceError(`${R}: ${join(packagePath, 'MicrosoftAzureServiceFabric.cab')} is missing: the runtime package the upgrade registers`);
  const notUp = clusterNodes(sf, lab).filter((n) => n.status !== 'Up');
  if (notUp.length) throw new LabResourceError(`${R}: the upgrade to ${target} was not started: ${notUp.map((n) => n.name).join(', ')} not Up (Service Fabric's health policy would roll it back)`);
  if (!lab.changeHost && sf.cluster.nodes.some((n) => n.host !== ctx.host.name)) throw notEmulated(`${R}: upgrading the other nodes from this one (the lab runs no other hosts here)`);
  const nodesOf = new Map(upgradeDomains(sf.cluster).map((d) => [d.name, d.nodes.map((n) => n.nodeName)]));
  const outcome = walkUpgradeDomains(ctx.host.name, m, lab, { restart: true, apply: (x) => setNodeCodeVersion(x, target), revert: (x) => setNodeCodeVersion(x, from) });
  const walked = (names: string[]) => names.map((d) => `${d} (${nodesOf.get(d)!.join(', ')})`).join(', ');
  if (outcome.failed) {
    // The whole domain is named, as the script can: Service Fabric reports the domain that failed, not its node.
    throw new LabResourceError(
      `${R}: the monitored upgrade to ${target} failed in upgrade domain ${outcome.failed.domain} (${nodesOf.get(outcome.failed.domain)!.join(', ')}): HealthCheck; Service Fabric rolled back to ${from} (RollingBackCompleted; completed before the failure: ${outcome.completed.join(', ') || 'none'}). Fix the node, then apply again`,
    );
  }
  return setResult(`upgraded the cluster code ${from} -> ${target}, one upgrade domain at a time: ${walked(outcome.completed)}`);
}

export const serviceFabricClusterModel = defineResourceModel({
  type: 'service_fabric_cluster',
  read: ({ machine: m, params, lab }) => {
    const endpoint = stringParam(params, R, 'connectionEndpoint', { default: 'localhost:19000' });
    const packagePath = stringParam(params, R, 'packagePath', { required: true });
    const version = registryValueData(machineRegistry(m), SF_REGISTRY_KEY, 'FabricVersion');
    const state = { fabricHostService: !!service(m, FABRIC_HOST_SERVICE), fabricVersion: version === null ? null : String(version), reachable: false, connectError: null as string | null, codeVersion: null as string | null, configVersion: null as string | null, nodes: [] as Array<{ name: string; status: string; health: string; upgradeDomain: string | null }>, health: null as string | null, packageCodeVersion: packageVersion(m, packagePath), packagePresent: testPath(m, packagePath, 'Container') };
    if (!state.fabricHostService) return state;
    const error = connectError(m, lab, endpoint);
    if (error !== null) {
      if (error.includes('not emulated by the lab')) throw new LabResourceError(error, 'NotImplemented');
      return { ...state, connectError: error };
    }
    const sf = m.serviceFabric!;
    const nodes = clusterNodes(sf, lab);
    return { ...state, reachable: true, codeVersion: sf.codeVersion, configVersion: sf.cluster.configVersion, nodes: nodes.map((n) => ({ name: n.name, status: n.status, health: n.health, upgradeDomain: n.upgradeDomain || null })), health: clusterHealth(nodes) };
  },
  set: (ctx) => {
    const { machine: m, params: p, lab } = ctx;
    const packagePath = stringParam(p, R, 'packagePath', { required: true });
    const configPath = stringParam(p, R, 'configPath', { required: true });
    const nodesRaw = resourceParam(p, R, 'nodes', { required: true });
    const nodes = (Array.isArray(nodesRaw) ? nodesRaw : [nodesRaw]).map(String);
    const endpoint = stringParam(p, R, 'connectionEndpoint', { default: 'localhost:19000' });
    const timeout = Math.trunc(Number(resourceParam(p, R, 'timeout', { default: 3600 })));
    const runAs = resourceParam(p, R, 'runAs', { required: true });
    stringParam(runAs, R, 'user', { required: true });
    stringParam(runAs, R, 'password', { required: true });
    if (timeout < 10) throw new LabResourceError(`${R}: parameter timeout must be at least 10 seconds, not ${timeout}`);
    for (const script of ['TestConfiguration.ps1', 'CreateServiceFabricCluster.ps1']) {
      if (!testPath(m, join(packagePath, script), 'Leaf')) throw new LabResourceError(`${R}: ${script} is not in ${packagePath}; extract the Service Fabric standalone package there in an earlier step`);
    }
    if (!testPath(m, configPath, 'Leaf')) throw new LabResourceError(`${R}: the cluster configuration ${configPath} is missing; write it in an earlier step`);
    if (service(m, FABRIC_HOST_SERVICE)) {
      if (m.serviceFabric && connectError(m, lab, endpoint) === null) return upgradeCluster(ctx, packagePath);
      throw new LabResourceError(`${R}: Service Fabric is already installed on this node (FabricHostSvc): a cluster exists or a creation failed halfway; remove it with RemoveServiceFabricCluster.ps1 -ClusterConfigFilePath ${configPath} -Force from ${packagePath} before creating it again`);
    }

    const codeVersion = packageCodeVersion(findFile(m, join(packagePath, 'CreateServiceFabricCluster.ps1'))!.sha256);
    if (codeVersion === null) throw notEmulated(`${R}: ${packagePath} holds no Service Fabric package the lab knows (src/lab/artifacts/components/service-fabric.ts)`);
    const configText = fileText(m, configPath);
    if (configText === null) throw notEmulated(`${R}: reading ${configPath} (the lab keeps the text of .json files it received; this one it did not)`);
    const testLog = join(packagePath, 'cortex-TestConfiguration.log');
    const outcome = testConfiguration(configText, true, lab);
    writeLog(m, testLog, outcome.lines);
    if (!outcome.checks.Passed) throw new LabResourceError(testConfigurationFailure(outcome, nodes, testLog));

    const config = outcome.config!;
    const self = config.nodes.find((n) => outcome.hosts.get(n.nodeName)?.name === ctx.host.name);
    if (config.nodes.some((n) => outcome.hosts.get(n.nodeName)?.name !== ctx.host.name) && !lab.changeHost) throw notEmulated(`${R}: installing the other nodes from this one (the lab runs no other hosts here)`);
    const cluster = clusterRecord(config, outcome.hosts);
    for (const n of config.nodes) {
      const host = outcome.hosts.get(n.nodeName)!;
      if (host.name === ctx.host.name) installNode(m, n.nodeName, codeVersion, config, cluster);
      else lab.changeHost!(host.name, (s) => installNode(s.machine, n.nodeName, codeVersion, config, cluster));
    }
    writeLog(m, join(packagePath, 'cortex-CreateServiceFabricCluster.log'), ['Creating Service Fabric Cluster...', 'Processing and validating cluster config.', 'Configuring nodes.', 'Starting nodes.', 'Your cluster is successfully created! You can connect and manage your cluster using Microsoft Azure Service Fabric Explorer or PowerShell.']);

    // B5: the nodes the step expects, Up.
    const error = self ? connectError(m, lab, endpoint) : `Failed to contact the cluster at ${endpoint}: FABRIC_E_CONNECTION_DENIED (this machine is not a node of the cluster)`;
    const up = error === null ? clusterNodes(m.serviceFabric!, lab).filter((n) => n.status === 'Up').map((n) => n.name.toLowerCase()) : [];
    const notUp = nodes.filter((n) => !up.includes(n.toLowerCase()));
    if (notUp.length) throw new LabResourceError(`${R}: the cluster was created but ${notUp.join(', ')} not Up within ${timeout} s${error === null ? '' : ` (last connection error: ${error})`}`);
    return setResult(`created the Service Fabric cluster: ${nodes.join(', ')} Up`, { exitCode: 0 });
  },
});

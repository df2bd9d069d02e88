/**
 * service_fabric_application (ps1/resources/service-fabric-application.ps1; its Test in test-batch.ps1's
 * Get-CortexServiceFabricApplicationState), on src/lab/components/service-fabric.ts: application types
 * and applications live in the cluster record every node keeps. The package's ApplicationManifest.xml
 * is known by its hash (the lab's Cortex zips, or a received text); registering it registers the type
 * and version it declares, as Register-ServiceFabricApplicationType does, whatever the step says.
 */
import { applicationManifestType, clusterHealth, clusterNodes, connectError, FABRIC_HOST_SERVICE, service, updateCluster, upgradeDomains, walkUpgradeDomains } from '../../components/service-fabric.js';
import type { LabMachine } from '../../state/types.js';
import type { ResourceModelContext } from './types.js';
import { findFile, notEmulated, testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'service_fabric_application';

/** The connection error, or null; a connection the lab does not model throws. */
function connect(ctx: ResourceModelContext): string | null {
  const endpoint = stringParam(ctx.params, R, 'connectionEndpoint', { default: 'localhost:19000' });
  const error = connectError(ctx.machine, ctx.lab, endpoint);
  if (error?.includes('not emulated by the lab')) throw new LabResourceError(error, 'NotImplemented');
  return error;
}

export const serviceFabricApplicationModel = defineResourceModel({
  type: 'service_fabric_application',
  read: (ctx) => {
    const { machine: m, params, lab } = ctx;
    const name = stringParam(params, R, 'name', { required: true });
    const typeName = stringParam(params, R, 'typeName', { required: true });
    const state = { reachable: false, registeredVersions: [] as string[], application: null as null | { typeName: string; typeVersion: string; status: string; health: string | null; parameters: Record<string, string> }, nodes: [] as Array<{ name: string; upgradeDomain: string | null }> };
    if (!service(m, FABRIC_HOST_SERVICE)) return state;
    if (connect(ctx) !== null) return state;
    const cluster = m.serviceFabric!.cluster;
    const registeredVersions = cluster.applicationTypes.filter((t) => t.name === typeName).map((t) => t.version);
    const app = cluster.applications.find((a) => a.name === name);
    if (!app) return { ...state, reachable: true, registeredVersions };
    const nodes = clusterNodes(m.serviceFabric!, lab);
    const health = clusterHealth(nodes);
    return { reachable: true, registeredVersions, application: { typeName: app.typeName, typeVersion: app.typeVersion, status: 'Ready', health, parameters: { ...app.parameters } }, nodes: nodes.map((n) => ({ name: n.name, upgradeDomain: n.upgradeDomain || null })) };
  },
  set: (ctx) => {
    const { machine: m, params: p, lab } = ctx;
    const name = stringParam(p, R, 'name', { required: true });
    const typeName = stringParam(p, R, 'typeName', { required: true });
    const typeVersion = stringParam(p, R, 'typeVersion', { required: true });
    const packagePath = stringParam(p, R, 'packagePath', { required: true });
    const raw = resourceParam(p, R, 'parameters', { default: {} });
    const parameters = Object.fromEntries(Object.entries(raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}).map(([k, v]) => [k, String(v)]));
    const manifest = `${packagePath.replace(/\\+$/, '')}\\ApplicationManifest.xml`;
    if (!testPath(m, manifest, 'Leaf')) throw new LabResourceError(`${R}: ${manifest} is missing; extract the application package to ${packagePath} in an earlier step`);
    const endpoint = stringParam(p, R, 'connectionEndpoint', { default: 'localhost:19000' });
    const error = connect(ctx);
    if (error !== null) throw new LabResourceError(`${R}: the Service Fabric cluster does not answer at ${endpoint}: ${error}`);
    const cluster = m.serviceFabric!.cluster;
    const app = cluster.applications.find((a) => a.name === name);
    if (app) {
      if (app.typeName !== typeName) throw new LabResourceError(`${R}: ${name} runs type ${app.typeName}, not ${typeName}; remove the application by hand (Remove-ServiceFabricApplication) if it is to be replaced`);
      const otherValues = Object.entries(parameters).some(([k, v]) => app.parameters[k] !== v);
      if (app.typeVersion === typeVersion && !otherValues) return setResult(`${name} already runs ${typeName} ${typeVersion}`);
    }
    const from = app ? { typeVersion: app.typeVersion, parameters: { ...app.parameters } } : null;
    if (!lab.changeHost && cluster.nodes.some((n) => n.host !== ctx.host.name)) throw notEmulated(`${R}: changing the cluster (the lab runs no other hosts here)`);
    const did: string[] = [];
    const registered = () => m.serviceFabric!.cluster.applicationTypes.some((t) => t.name === typeName && t.version === typeVersion);
    if (!registered()) {
      const declared = applicationManifestType(m, findFile(m, manifest)!.sha256);
      if (declared === null) throw notEmulated(`${R}: ${manifest} is no application manifest the lab knows (src/lab/artifacts/components/service-fabric.ts)`);
      updateCluster(ctx.host.name, m, lab, (c) => {
        if (!c.applicationTypes.some((t) => t.name === declared.typeName && t.version === declared.typeVersion)) c.applicationTypes.push({ name: declared.typeName, version: declared.typeVersion });
      });
      if (!registered()) throw new LabResourceError(`${R}: the package at ${packagePath} was registered but no type ${typeName} ${typeVersion} is: its ApplicationManifest.xml declares another type or version`);
      did.push(`registered ${typeName} ${typeVersion}`);
    }
    if (from) {
      did.push(upgradeApplication(ctx.host.name, m, lab, { name, typeName, typeVersion, parameters, from }));
      return setResult(did.join(', '));
    }
    updateCluster(ctx.host.name, m, lab, (c) => {
      c.applications.push({ name, typeName, typeVersion, parameters });
    });
    did.push(`created ${name}`);
    return setResult(did.join(', '));
  },
});

/**
 * Start-ServiceFabricApplicationUpgrade -Monitored -FailureAction Rollback: the application's version and
 * parameters change node by node, one upgrade domain at a time (every node keeps the cluster record); a
 * node with the fail-upgrade fault fails its domain's health check and the done domains roll back.
 */
function upgradeApplication(
  selfHost: string,
  m: LabMachine,
  lab: ResourceModelContext['lab'],
  u: { name: string; typeName: string; typeVersion: string; parameters: Record<string, string>; from: { typeVersion: string; parameters: Record<string, string> } },
): string {
  const setApp = (to: { typeVersion: string; parameters: Record<string, string> }) => (x: LabMachine) => {
    const a = x.serviceFabric?.cluster.applications.find((y) => y.name === u.name);
    if (a) Object.assign(a, { typeVersion: to.typeVersion, parameters: { ...to.parameters } });
  };
  const nodesOf = new Map(upgradeDomains(m.serviceFabric!.cluster).map((d) => [d.name, d.nodes.map((n) => n.nodeName).join(', ')]));
  const outcome = walkUpgradeDomains(selfHost, m, lab, { restart: false, apply: setApp({ typeVersion: u.typeVersion, parameters: u.parameters }), revert: setApp(u.from) });
  if (outcome.failed) {
    throw new LabResourceError(
      `${R}: the monitored upgrade of ${u.name} to ${u.typeVersion} failed in upgrade domain ${outcome.failed.domain} (${nodesOf.get(outcome.failed.domain)}): HealthCheck; Service Fabric rolled back to ${u.from.typeVersion} (RollingBackCompleted; completed before the failure: ${outcome.completed.join(', ') || 'none'}). Fix the node, then apply again`,
    );
  }
  return `upgraded ${u.name} ${u.typeName} ${u.from.typeVersion} -> ${u.typeVersion}, one upgrade domain at a time: ${outcome.completed.map((d) => `${d} (${nodesOf.get(d)})`).join(', ')}`;
}

/**
 * service_fabric_cluster: the Service Fabric standalone cluster, created once from the deploy node
 * (docs/service-fabric.md). The Test connects to the cluster from that node and reads the nodes
 * (status, health), the cluster health and the code/config versions; FabricHostSvc and the
 * HKLM\SOFTWARE\Microsoft\Service Fabric key say whether Service Fabric is on this node at all.
 * States (docs/service-fabric.md, "service_fabric_cluster"):
 * - absent (no FabricHostSvc, no connection): create;
 * - healthy and matching (every expected node Up, health Ok): nothing to do;
 * - partial (FabricHostSvc present, connection refused): a failed creation that needs
 *   RemoveServiceFabricCluster.ps1 by a person; the step does not tear a cluster down by itself;
 * - reachable with other nodes, or nodes down: nothing this step can change (adding or removing
 *   nodes is a configuration upgrade; a down node is brought up, not re-created);
 * - healthy, running another code version than the package at packagePath holds (the FileVersion of its
 *   DeploymentComponentsAutoextractor.exe): a code upgrade, Service Fabric's own monitored upgrade
 *   walking the upgrade domains one at a time (docs/upgrades-service-fabric.md).
 * The Set runs TestConfiguration.ps1 (must end "Passed : True", barrier B4) and then
 * CreateServiceFabricCluster.ps1 -AcceptEULA as the install account through a one-shot scheduled
 * task (no double hop), and waits for every node Up (B5). On an existing cluster it runs the code
 * upgrade instead (Copy/Register-ServiceFabricClusterPackage, Start-ServiceFabricClusterUpgrade -Monitored
 * -FailureAction Rollback), polls it domain by domain, and fails naming the domain when it rolls back.
 */
import { z } from 'zod';
import { SecretRef, WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError, type ComponentUpgrade, type UpgradeWithin } from './resource.js';

/** A node name as ClusterConfig.json writes it (the inventory host name). */
const NodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'a node name: letters, digits, _ . - (the inventory host name)' });

export const ServiceFabricClusterParams = z.strictObject({
  packagePath: WindowsPath.meta({ description: 'The extracted standalone package (holds TestConfiguration.ps1 and CreateServiceFabricCluster.ps1)' }),
  configPath: WindowsPath.meta({ description: 'ClusterConfig.json on the deploy node (written by an earlier file step)' }),
  nodes: z
    .array(NodeName)
    .min(1)
    .refine((n) => new Set(n.map((x) => x.toLowerCase())).size === n.length, { message: 'a node is listed twice' })
    .meta({ description: "The node names the cluster must have (ClusterConfig.json's nodeName values)" }),
  runAs: z.strictObject({ user: z.string().min(1), password: SecretRef }).meta({ description: 'The install account (admin on every node) the scripts run as' }),
  connectionEndpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'host:port of the client endpoint, e.g. localhost:19000' }).default('localhost:19000').meta({ description: "The deploy node's client connection endpoint" }),
  timeout: z.number().int().min(10).default(3600).meta({ description: 'Seconds each of TestConfiguration, the creation and the wait for the nodes may take' }),
  version: z
    .string()
    .regex(/^\d+(\.\d+)*$/, { message: 'a version of digits and dots, e.g. 10.1.2448.9590' })
    .optional()
    .meta({ description: "The runtime version the package holds (the inventory's versions.serviceFabric): plan names it as the upgrade's target while the package is not extracted yet" }),
});

export const ServiceFabricNodeState = z.object({
  name: z.string(),
  /** NodeStatus: Up, Down, Disabled, Enabling, Disabling, Invalid, Unknown, Removed. */
  status: z.string(),
  /** HealthState: Ok, Warning, Error, Unknown. */
  health: z.string(),
  /** UpgradeDomain (ClusterConfig.json's upgradeDomain), null when the node names none. */
  upgradeDomain: z.string().nullable().default(null),
});

/**
 * The order a monitored upgrade walks the upgrade domains (Service Fabric takes them in name order,
 * UD0 before UD1, numbers compared as numbers), each with its nodes: `UD0 (app1)`. A node without a
 * domain is its own.
 */
export function upgradeDomainOrder(nodes: ReadonlyArray<{ name: string; upgradeDomain?: string | null | undefined }>): UpgradeWithin {
  const byDomain = new Map<string, string[]>();
  for (const n of nodes) {
    const d = n.upgradeDomain || n.name;
    byDomain.set(d, [...(byDomain.get(d) ?? []), n.name]);
  }
  const order = [...byDomain.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([d, ns]) => `${d} (${ns.join(', ')})`);
  return { unit: 'upgrade domain', order };
}

/** The running version is the inventory's (the same, or a patch of a shorter version like 10.1). */
function runs(running: string, wanted: string): boolean {
  return running === wanted || running.startsWith(`${wanted}.`);
}

export const ServiceFabricClusterState = z.object({
  /** Service FabricHostSvc exists on the deploy node. */
  fabricHostService: z.boolean(),
  /** HKLM\SOFTWARE\Microsoft\Service Fabric FabricVersion on the deploy node, or null. */
  fabricVersion: z.string().nullable(),
  /** Connect-ServiceFabricCluster succeeded. */
  reachable: z.boolean(),
  /** Its error message when it did not (and Service Fabric is installed). */
  connectError: z.string().nullable(),
  /** Get-ServiceFabricClusterUpgrade: the running code and config versions. */
  codeVersion: z.string().nullable(),
  configVersion: z.string().nullable(),
  nodes: z.array(ServiceFabricNodeState),
  /** Get-ServiceFabricClusterHealth AggregatedHealthState. */
  health: z.string().nullable(),
  /** The runtime version of the package at packagePath (its DeploymentComponentsAutoextractor.exe's FileVersion), or null. */
  packageCodeVersion: z.string().nullable().default(null),
  /** The folder packagePath exists (an earlier step of the same apply extracts it: at plan time it may not yet). */
  packagePresent: z.boolean().default(true),
});

export type ServiceFabricClusterStateT = z.output<typeof ServiceFabricClusterState>;

const lower = (s: string) => s.toLowerCase();

export const serviceFabricClusterResource = defineResource({
  type: 'service_fabric_cluster',
  description: 'The Service Fabric standalone cluster, created once from the deploy node as the install account',
  params: ServiceFabricClusterParams,
  state: ServiceFabricClusterState,
  label: (p) => `service_fabric_cluster ${p.nodes.length} nodes`,
  diff(p, s) {
    if (!s.reachable) {
      if (!s.fabricHostService) return { action: 'create', from: null, to: { nodes: p.nodes } };
      throw new UnreachableStateError(
        `Service Fabric is installed on this node (FabricHostSvc${s.fabricVersion ? ` ${s.fabricVersion}` : ''}) but the cluster does not answer${s.connectError ? `: ${s.connectError}` : ''}. ` +
          `A creation that failed halfway leaves this: run RemoveServiceFabricCluster.ps1 -ClusterConfigFilePath <ClusterConfig.json> -Force from the package folder (or CleanFabric.ps1 on each node), then apply again`,
      );
    }
    const have = new Map(s.nodes.map((n) => [lower(n.name), n]));
    const missing = p.nodes.filter((n) => !have.has(lower(n)));
    const extra = s.nodes.filter((n) => !p.nodes.some((x) => lower(x) === lower(n.name))).map((n) => n.name);
    if (missing.length || extra.length) {
      throw new UnreachableStateError(
        `the cluster has nodes ${s.nodes.map((n) => n.name).join(', ') || '(none)'}, not ${p.nodes.join(', ')}` +
          `${missing.length ? ` (missing: ${missing.join(', ')})` : ''}${extra.length ? ` (not in the inventory: ${extra.join(', ')})` : ''}; ` +
          'adding or removing nodes is a configuration upgrade (AddNode.ps1 / Start-ServiceFabricClusterConfigurationUpgrade), not a creation',
      );
    }
    const notUp = p.nodes.map((n) => have.get(lower(n))!).filter((n) => n.status !== 'Up' || n.health !== 'Ok');
    if (notUp.length) {
      throw new UnreachableStateError(`the cluster exists but ${notUp.map((n) => `${n.name} is ${n.status}/${n.health}`).join(', ')}; bring the node${notUp.length > 1 ? 's' : ''} up (the cluster is not created again, nor upgraded)`);
    }
    // The new version's package is extracted by an earlier step of the same apply: until then the runtime it
    // holds is unknown, and the step is an upgrade to be confirmed by the Test that runs before its Set.
    if (!s.packagePresent && s.codeVersion !== null) {
      return { action: 'update', from: { codeVersion: s.codeVersion }, to: { package: p.packagePath, codeVersion: 'the runtime of the package, read once an earlier step extracts it', upgrade: 'monitored, one upgrade domain at a time' } };
    }
    if (s.packageCodeVersion !== null && s.codeVersion !== null && s.codeVersion !== s.packageCodeVersion) {
      return { action: 'update', from: { codeVersion: s.codeVersion }, to: { codeVersion: s.packageCodeVersion, upgrade: 'monitored, one upgrade domain at a time' } };
    }
    return NONE;
  },
  upgrades(p, s): Record<string, ComponentUpgrade> {
    if (!s.reachable || s.codeVersion === null) return {};
    // The package's runtime when it is extracted; before that, the version the inventory names for it.
    const to = s.packagePresent ? s.packageCodeVersion : (p.version ?? null);
    if (to === null || runs(s.codeVersion, to)) return {};
    return { serviceFabric: { from: s.codeVersion, to, within: upgradeDomainOrder(s.nodes) } };
  },
});

/**
 * service_fabric_application: a Cortex application on the Service Fabric cluster, from an application
 * package folder on the deploy node (an earlier archive step extracts it). The Test reads the registered
 * application types and the application (its type, version and health) through the cluster connection;
 * the Set copies the package to the image store, registers the type (when it is not registered yet) and
 * creates the application with its parameters. Another version of a running application, or other
 * parameter values, is an application upgrade: the new version registered, then Service Fabric's monitored
 * upgrade walking the upgrade domains one at a time, rolled back when a domain fails its health checks
 * (docs/upgrades-service-fabric.md). Another type is refused: that is a removal, left to a person.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE, UnreachableStateError, type ComponentUpgrade } from './resource.js';
import { upgradeDomainOrder } from './service-fabric-cluster.js';

const TypeVersion = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'a version like 1.0.0' });

export const ServiceFabricApplicationParams = z.strictObject({
  name: z.string().regex(/^fabric:\/[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'an application name like fabric:/Cortex' }),
  typeName: z.string().regex(/^[A-Za-z][A-Za-z0-9._]*$/, { message: "the ApplicationManifest's ApplicationTypeName, e.g. CortexType" }),
  typeVersion: TypeVersion.meta({ description: "The ApplicationManifest's ApplicationTypeVersion" }),
  packagePath: WindowsPath.meta({ description: 'The application package folder (holds ApplicationManifest.xml) on the deploy node' }),
  parameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, { message: 'a parameter name from the ApplicationManifest' }), z.string()).default({}),
  connectionEndpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'host:port of the client endpoint, e.g. localhost:19000' }).default('localhost:19000'),
  timeout: z.number().int().min(10).default(600).meta({ description: 'Seconds each Service Fabric call may take' }),
  component: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/).optional().meta({ description: 'The inventory versions key typeVersion is (cortex): plan lists a typeVersion change as its upgrade' }),
});

export const ServiceFabricApplicationState = z.object({
  /** Connect-ServiceFabricCluster succeeded (else the other fields are empty). */
  reachable: z.boolean(),
  /** Versions of typeName registered (Get-ServiceFabricApplicationType). */
  registeredVersions: z.array(z.string()),
  /** The application by name, or null. */
  application: z
    .object({
      typeName: z.string(),
      typeVersion: z.string(),
      /** ApplicationStatus: Ready, Upgrading, Creating, Deleting, Failed. */
      status: z.string(),
      /** Get-ServiceFabricApplicationHealth AggregatedHealthState. */
      health: z.string().nullable(),
      parameters: z.record(z.string(), z.string()),
    })
    .nullable(),
  /** The cluster's nodes and their upgrade domains (read when the application exists): the order its upgrade walks. */
  nodes: z.array(z.object({ name: z.string(), upgradeDomain: z.string().nullable() })).default([]),
});

export const serviceFabricApplicationResource = defineResource({
  type: 'service_fabric_application',
  description: 'A Service Fabric application from a package folder: type registered, application created',
  params: ServiceFabricApplicationParams,
  state: ServiceFabricApplicationState,
  label: (p) => `service_fabric_application ${p.name}`,
  diff(p, s) {
    if (!s.reachable) throw new UnreachableStateError('the Service Fabric cluster does not answer on this node; create it in an earlier step (service_fabric_cluster)');
    const a = s.application;
    if (a === null) return { action: 'create', from: null, to: { typeName: p.typeName, typeVersion: p.typeVersion, registered: s.registeredVersions.includes(p.typeVersion) } };
    if (a.typeName !== p.typeName) throw new UnreachableStateError(`${p.name} runs type ${a.typeName}, not ${p.typeName}; remove the application by hand (Remove-ServiceFabricApplication) if it is to be replaced`);
    const changed = Object.entries(p.parameters).filter(([k, v]) => a.parameters[k] !== v);
    if (a.typeVersion !== p.typeVersion || changed.length) {
      return {
        action: 'update',
        from: { typeVersion: a.typeVersion, ...(changed.length ? { parameters: Object.fromEntries(changed.map(([k]) => [k, a.parameters[k] ?? null])) } : {}) },
        to: { typeVersion: p.typeVersion, ...(changed.length ? { parameters: Object.fromEntries(changed) } : {}), registered: s.registeredVersions.includes(p.typeVersion), upgrade: 'monitored, one upgrade domain at a time' },
      };
    }
    return NONE;
  },
  upgrades(p, s): Record<string, ComponentUpgrade> {
    const a = s.application;
    if (p.component === undefined || !s.reachable || a === null || a.typeName !== p.typeName || a.typeVersion === p.typeVersion) return {};
    return { [p.component]: { from: a.typeVersion, to: p.typeVersion, ...(s.nodes.length ? { within: upgradeDomainOrder(s.nodes) } : {}) } };
  },
});

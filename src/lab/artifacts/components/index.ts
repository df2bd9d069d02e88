/**
 * The synthetic stand-ins for the Cortex install's real artifacts (Erlang, RabbitMQ, Service Fabric, NSSM,
 * gobetween, URL Rewrite, .NET, the Cortex packages), one module per component, each entry tagged with the
 * store name and version it stands for (`artifact`). Add a component's module here with one line.
 */
import type { ComponentArtifacts } from './types.js';
import { loadBalancerArtifacts } from './load-balancer.js';
import { cortexDatabaseArtifacts } from './cortex-database.js';
import { nservicebusArtifacts } from './nservicebus.js';
import { dotnetArtifacts } from './dotnet.js';
import { standInArtifacts } from './stand-ins.js';

type Installer = NonNullable<ComponentArtifacts['installers']>[number];
type Archive = NonNullable<ComponentArtifacts['archives']>[number];

const COMPONENTS: ComponentArtifacts[] = [
  loadBalancerArtifacts,
  cortexDatabaseArtifacts,
  nservicebusArtifacts,
  dotnetArtifacts,
];

const key = (a: Installer | Archive) => (a.artifact ? `${a.artifact.name.toLowerCase()} ${a.artifact.version.toLowerCase()}` : `id ${a.id}`);

/** The stand-ins for what none of `components` provides (same artifact name and version): stand-ins.ts. */
export function standInsNotProvided(components: readonly ComponentArtifacts[], standIns: ComponentArtifacts): ComponentArtifacts {
  const provided = new Set(components.flatMap((c) => [...(c.installers ?? []), ...(c.archives ?? [])]).map(key));
  return { installers: (standIns.installers ?? []).filter((a) => !provided.has(key(a))), archives: (standIns.archives ?? []).filter((a) => !provided.has(key(a))) };
}

const standIns = standInsNotProvided(COMPONENTS, standInArtifacts);

export const COMPONENT_INSTALLERS: Installer[] = [...COMPONENTS, standIns].flatMap((c) => c.installers ?? []);
export const COMPONENT_ARCHIVES: Archive[] = [...COMPONENTS, standIns].flatMap((c) => c.archives ?? []);

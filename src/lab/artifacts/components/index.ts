/**
 * The synthetic stand-ins for the Cortex install's real artifacts (Erlang, RabbitMQ, Service Fabric, NSSM,
 * gobetween, URL Rewrite, .NET, the Cortex packages), one module per component, each entry tagged with the
 * store name and version it stands for (`artifact`). Add a component's module here with one line.
 */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticCertificateSchema, SyntheticInstallerSchema } from '../schema.js';
import type { ComponentArtifacts } from './types.js';
import { loadBalancerArtifacts } from './load-balancer.js';
import { cortexDatabaseArtifacts } from './cortex-database.js';
import { nservicebusArtifacts } from './nservicebus.js';
import { SERVICE_FABRIC_ARTIFACTS } from './service-fabric.js';
import { iis } from './iis.js';
import * as rabbitmq from './rabbitmq.js';
import { dotnetArtifacts } from './dotnet.js';

type Installer = z.input<typeof SyntheticInstallerSchema>;
type Archive = z.input<typeof SyntheticArchiveSchema>;
type Certificate = z.input<typeof SyntheticCertificateSchema>;

export type { ComponentArtifacts };

const COMPONENTS: ComponentArtifacts[] = [
  loadBalancerArtifacts,
  cortexDatabaseArtifacts,
  nservicebusArtifacts,
  SERVICE_FABRIC_ARTIFACTS,
  iis,
  rabbitmq,
  dotnetArtifacts,
];

export const COMPONENT_INSTALLERS: Installer[] = COMPONENTS.flatMap((c) => c.installers ?? []);
export const COMPONENT_ARCHIVES: Archive[] = COMPONENTS.flatMap((c) => c.archives ?? []);
export const COMPONENT_CERTIFICATES: Certificate[] = COMPONENTS.flatMap((c) => c.certificates ?? []);

/**
 * The synthetic stand-ins for the Cortex install's real artifacts (Erlang, RabbitMQ, Service Fabric, NSSM,
 * gobetween, URL Rewrite, .NET, the Cortex packages), one module per component, each entry tagged with the
 * store name and version it stands for (`artifact`). Add a component's module here with one line.
 */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticInstallerSchema } from '../schema.js';
import * as rabbitmq from './rabbitmq.js';

type Installer = z.input<typeof SyntheticInstallerSchema>;
type Archive = z.input<typeof SyntheticArchiveSchema>;

interface ComponentArtifacts {
  installers?: Installer[];
  archives?: Archive[];
}

const COMPONENTS: ComponentArtifacts[] = [rabbitmq];

export const COMPONENT_INSTALLERS: Installer[] = COMPONENTS.flatMap((c) => c.installers ?? []);
export const COMPONENT_ARCHIVES: Archive[] = COMPONENTS.flatMap((c) => c.archives ?? []);

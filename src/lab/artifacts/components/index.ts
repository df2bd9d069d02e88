/**
 * The synthetic stand-ins for the Cortex install's real artifacts (Erlang, RabbitMQ, Service Fabric, NSSM,
 * gobetween, URL Rewrite, .NET, the Cortex packages), one module per component, each entry tagged with the
 * store name and version it stands for (`artifact`). Add a component's module here with one line.
 */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticCertificateSchema, SyntheticInstallerSchema } from '../schema.js';
import { iis } from './iis.js';

type Installer = z.input<typeof SyntheticInstallerSchema>;
type Archive = z.input<typeof SyntheticArchiveSchema>;
type Certificate = z.input<typeof SyntheticCertificateSchema>;

interface ComponentArtifacts {
  installers?: Installer[];
  archives?: Archive[];
  /** PFX files (h5-iis). */
  certificates?: Certificate[];
}

export type { ComponentArtifacts };

const COMPONENTS: ComponentArtifacts[] = [iis];

export const COMPONENT_INSTALLERS: Installer[] = COMPONENTS.flatMap((c) => c.installers ?? []);
export const COMPONENT_ARCHIVES: Archive[] = COMPONENTS.flatMap((c) => c.archives ?? []);
export const COMPONENT_CERTIFICATES: Certificate[] = COMPONENTS.flatMap((c) => c.certificates ?? []);

/** What a component's module under this folder exports: the lab's stand-ins for its real installers and zips. */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticCertificateSchema, SyntheticInstallerSchema } from '../schema.js';

export interface ComponentArtifacts {
  installers?: Array<z.input<typeof SyntheticInstallerSchema>>;
  archives?: Array<z.input<typeof SyntheticArchiveSchema>>;
  /** PFX files the lab knows by hash (their thumbprints and passwords' hashes). */
  certificates?: Array<z.input<typeof SyntheticCertificateSchema>>;
}

/** What a component's module under this folder exports: the lab's stand-ins for its real installers and zips. */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticInstallerSchema } from '../schema.js';

export interface ComponentArtifacts {
  installers?: Array<z.input<typeof SyntheticInstallerSchema>>;
  archives?: Array<z.input<typeof SyntheticArchiveSchema>>;
}

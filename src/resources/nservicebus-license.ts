/**
 * nservicebus_license: Particular's licence where every NServiceBus endpoint reads it, whatever its
 * service account: %ProgramData%\ParticularSoftware\license.xml (docs/nservicebus.md). The licence is a
 * secret-like file: `license` is a reference (file:PATH, from the inventory's components.nservicebus.license),
 * resolved on the workstation before the run; only the Set receives the text, on stdin. The Test reads the
 * file's SHA-256 and the diff compares it with the SHA-256 of the resolved licence, which cortex-deploy
 * puts into the params as `licenseSha256` (src/engine/agent/step-secrets.ts): plans, Tests and journals
 * never hold the licence.
 */
import { z } from 'zod';
import { SecretRef, Sha256, WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

/** The machine-wide path every NServiceBus endpoint reads, whatever its service account (docs/nservicebus.md). */
export const NSB_MACHINE_LICENSE_PATH = 'C:\\ProgramData\\ParticularSoftware\\license.xml';

export const NservicebusLicenseParams = z.strictObject({
  license: SecretRef.meta({ description: "The licence file: file:PATH (the inventory's components.nservicebus.license), env:NAME or prompt" }),
  path: WindowsPath.default(NSB_MACHINE_LICENSE_PATH).meta({ description: 'Where the licence goes (default: the machine-wide path every endpoint reads)' }),
  licenseSha256: Sha256.optional().meta({ description: 'Set by cortex-deploy from the resolved licence; not written in a playbook' }),
});

export const NservicebusLicenseState = z.object({
  exists: z.boolean(),
  /** Lower-case hex; null when there is no file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});

export const nservicebusLicenseResource = defineResource({
  type: 'nservicebus_license',
  description: "Particular's NServiceBus licence (a secret-like file) where the endpoints read it",
  params: NservicebusLicenseParams,
  state: NservicebusLicenseState,
  label: (p) => `nservicebus_license ${p.path}`,
  diff(p, s) {
    const want = p.licenseSha256;
    // Without the digest (a plan that could not read the licence) an existing file shows as unknown.
    const to = { sha256: want ?? 'licence (resolved at apply)' };
    if (!s.exists) return { action: 'create', from: null, to };
    return want !== undefined && s.sha256?.toLowerCase() === want.toLowerCase() ? NONE : { action: 'update', from: { sha256: s.sha256 }, to };
  },
});

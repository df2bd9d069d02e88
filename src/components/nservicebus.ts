/**
 * NServiceBus's settings in the inventory's components block (docs/nservicebus.md): the Particular
 * licence, as a file reference. Its text is a secret-like file: the inventory names it, the workstation
 * reads it at plan and apply time, and only its SHA-256 shows in plans and Tests.
 */
import { z } from 'zod';

export const NservicebusSettings = z.strictObject({
  license: z
    .string()
    .regex(/^file:.+$/, { message: "write the licence as file:PATH (a path relative to the inventory file); the licence's text is never written in the inventory" })
    .optional()
    .meta({ description: "Particular's license.xml: file:PATH, relative to the inventory file" }),
});
export type NservicebusSettingsInput = z.input<typeof NservicebusSettings>;

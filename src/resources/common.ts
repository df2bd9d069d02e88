/** Parameter building blocks shared by resource types. */
import { z } from 'zod';

export const Present = z.enum(['present', 'absent']).default('present').meta({ description: 'present (default) | absent' });

/** An absolute Windows path: C:\… or \\server\share\…; forward slashes are accepted and normalised by the scripts. */
export const WindowsPath = z
  .string()
  .min(1)
  .regex(/^([A-Za-z]:[\\/]|\\\\[^\\]+\\)/, { message: 'must be an absolute Windows path, e.g. C:\\Cortex\\bin or \\\\server\\share\\x' })
  .meta({ description: 'Absolute Windows path on the host, e.g. D:\\Cortex' });

export const Sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be a SHA-256 digest: 64 hexadecimal characters' })
  .transform((s) => s.toLowerCase())
  .meta({ description: 'SHA-256 digest, 64 hex characters' });

export const Guid = z
  .string()
  .regex(/^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/, { message: 'must be a GUID in braces, e.g. {12345678-1234-1234-1234-123456789ABC}' })
  .transform((s) => s.toUpperCase())
  .meta({ description: 'MSI ProductCode, a GUID in braces' });

/** Secrets in a playbook are references, as in the inventory (docs/inventory.md). */
export const SecretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt)$/, { message: 'secrets are never written literally in a playbook: write env:NAME, file:PATH or prompt' })
  .meta({ description: 'Secret reference: env:NAME | file:PATH | prompt' });

/** Current state of "a thing that exists or not", which many Test scripts start with. */
export const Exists = z.boolean();

/** file: a file with known content, identified by its SHA-256 (the content comes from an artifact). */
import { z } from 'zod';
import { Sha256, WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

export const FileParams = z.strictObject({
  path: WindowsPath,
  source: z.string().min(1).optional().meta({ description: 'Artifact name or local file to upload when the content differs' }),
  sha256: Sha256.optional(),
  state: z.enum(['present', 'absent']).default('present'),
}).refine((p) => p.state === 'absent' || p.sha256 !== undefined, { message: 'sha256 is required for a present file (it is how the file is compared)', path: ['sha256'] })
  .refine((p) => p.state === 'absent' || p.source !== undefined, { message: 'source is required for a present file', path: ['source'] });

export const FileState = z.object({
  exists: z.boolean(),
  /** Lower-case hex; null when the file does not exist. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});

export const fileResource = defineResource({
  type: 'file',
  description: 'A file with the given SHA-256',
  params: FileParams,
  state: FileState,
  label: (p) => `file ${p.path}`,
  diff(p, s) {
    if (p.state === 'absent') return s.exists ? { action: 'update', from: { exists: true }, to: { exists: false } } : NONE;
    if (!s.exists) return { action: 'create', from: null, to: { sha256: p.sha256 } };
    return s.sha256 === p.sha256 ? NONE : { action: 'update', from: { sha256: s.sha256 }, to: { sha256: p.sha256 } };
  },
});

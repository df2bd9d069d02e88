/**
 * file: a file with known content, identified by its SHA-256. The content comes from a `source` (an
 * artifact or local file, uploaded before the Set) or is given as `content:` text (generated configuration:
 * written exactly, UTF-8 without BOM, its SHA-256 computed here on the workstation). Never a secret:
 * content travels in the step's params, which plans and reports may show (docs/playbooks.md).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Sha256, WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

/** The SHA-256 of text as the file holds it: UTF-8, no BOM. */
export function contentSha256(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

export const FileParams = z
  .strictObject({
    path: WindowsPath,
    source: z.string().min(1).optional().meta({ description: 'Artifact name or local file to upload when the content differs' }),
    content: z.string().optional().meta({ description: 'The text of the file, written exactly (UTF-8, no BOM); instead of source. Never a secret.' }),
    sha256: Sha256.optional(),
    state: z.enum(['present', 'absent']).default('present'),
  })
  .refine((p) => !(p.source !== undefined && p.content !== undefined), { message: 'give source or content, not both', path: ['content'] })
  .refine((p) => p.state === 'absent' || p.content !== undefined || p.sha256 !== undefined, { message: 'sha256 is required for a present file (it is how the file is compared)', path: ['sha256'] })
  .refine((p) => p.state === 'absent' || p.source !== undefined || p.content !== undefined, { message: 'source (or content) is required for a present file', path: ['source'] })
  .refine((p) => p.content === undefined || p.sha256 === undefined || p.sha256 === contentSha256(p.content), { message: 'sha256 does not match content (it is computed from the content: leave it out)', path: ['sha256'] })
  // With content, the SHA-256 is the content's: what the Test compares and the Set checks.
  .transform((p) => (p.content === undefined ? p : { ...p, sha256: contentSha256(p.content) }));

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

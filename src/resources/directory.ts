/** directory: a folder that exists (or not). */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

export const DirectoryParams = z.strictObject({ path: WindowsPath, state: z.enum(['present', 'absent']).default('present') });

export const DirectoryState = z.object({
  exists: z.boolean(),
  /** false when the path exists but is a file: Set refuses to replace a file with a folder. */
  isDirectory: z.boolean(),
});

export const directoryResource = defineResource({
  type: 'directory',
  description: 'A directory',
  params: DirectoryParams,
  state: DirectoryState,
  label: (p) => `directory ${p.path}`,
  diff(p, s) {
    if (p.state === 'absent') return s.exists ? { action: 'update', from: { exists: true }, to: { exists: false } } : NONE;
    if (!s.exists) return { action: 'create', from: null, to: { exists: true } };
    return s.isDirectory ? NONE : { action: 'update', from: { isDirectory: false }, to: { isDirectory: true } };
  },
});

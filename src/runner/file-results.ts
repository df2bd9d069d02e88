/**
 * What the runner's file scripts print, as zod schemas: ps1/runner/file-hash.ps1 (before and after an
 * upload) and ps1/runner/receive-file.ps1 (the upload through stdin). Their contracts are in
 * src/scripts/catalog.ts: another shape is a ProtocolError naming the host, the script and the field.
 */
import { z } from 'zod';

export const FileHashData = z.object({
  path: z.string(),
  exists: z.boolean(),
  length: z.number().int().nonnegative(),
  /** Lower-case hex; null when the file does not exist. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256').nullable(),
});
export type FileHashData = z.infer<typeof FileHashData>;

export const ReceiveFileData = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type ReceiveFileData = z.infer<typeof ReceiveFileData>;

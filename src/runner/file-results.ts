/**
 * What the runner's file scripts print, as zod schemas: ps1/runner/file-hash.ps1 (before and after an
 * upload) and ps1/runner/receive-file.ps1 (the upload through stdin). A host that answers another shape
 * is a ProtocolError naming the host, the script and the field.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors.js';

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

/** `a.b[2]` from a zod issue path. */
function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';
}

function parseWith<T>(schema: z.ZodType<T>, host: string, script: string, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ProtocolError(`${script} returned an unexpected shape: ${issue?.message ?? 'invalid'}`, {
    host,
    script,
    field: issue ? fieldOf(issue.path) : '(root)',
    hint: `The host may run an older or modified script; compare with ps1/${script.replace('.', '/')}.ps1.`,
  });
}

export const parseFileHash = (host: string, data: unknown): FileHashData => parseWith(FileHashData, host, 'runner.file-hash', data);
export const parseReceiveFile = (host: string, data: unknown): ReceiveFileData => parseWith(ReceiveFileData, host, 'runner.receive-file', data);

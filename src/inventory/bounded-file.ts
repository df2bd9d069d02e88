/**
 * Reading a file the user named (an inventory, a secret, a CA bundle) without trusting what it is:
 * only a regular file, only up to a size. A FIFO would block the read forever and /dev/zero never
 * ends, so the type is checked before the file is opened, and again on the open descriptor.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export type BoundedReadProblem =
  | { kind: 'missing'; code: string }
  | { kind: 'not-regular'; type: string }
  | { kind: 'too-large'; size: number; maxBytes: number }
  | { kind: 'unreadable'; code: string };

export class BoundedReadError extends Error {
  constructor(
    readonly path: string,
    readonly problem: BoundedReadProblem,
  ) {
    super(describeProblem(path, problem));
  }
}

function typeOf(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a plain file';
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export function describeProblem(path: string, p: BoundedReadProblem): string {
  switch (p.kind) {
    case 'missing':
      return `${path} does not exist`;
    case 'not-regular':
      return `${path} is not a regular file (it is ${p.type})`;
    case 'too-large':
      return `${path} is larger than the ${formatBytes(p.maxBytes)} allowed (${p.size} bytes)`;
    case 'unreadable':
      return `cannot read ${path} (${p.code})`;
  }
}

/** The file's text (UTF-8). Rejects with BoundedReadError; never blocks on a pipe or reads past `maxBytes`. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BoundedReadError(path, code === 'ENOENT' ? { kind: 'missing', code } : { kind: 'unreadable', code });
  }
  if (!info.isFile()) throw new BoundedReadError(path, { kind: 'not-regular', type: typeOf(info) });
  if (info.size > maxBytes) throw new BoundedReadError(path, { kind: 'too-large', size: info.size, maxBytes });
  let fh;
  try {
    // O_NONBLOCK: should the path have become a FIFO since stat, open does not wait for a writer.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new BoundedReadError(path, { kind: 'unreadable', code: (err as NodeJS.ErrnoException).code ?? 'error' });
  }
  try {
    const again = await fh.stat();
    if (!again.isFile()) throw new BoundedReadError(path, { kind: 'not-regular', type: typeOf(again) });
    const buf = Buffer.alloc(maxBytes + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > maxBytes) throw new BoundedReadError(path, { kind: 'too-large', size: got, maxBytes });
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** What a failed read of a named document (an inventory, a playbook) says: the problem, the kind of document, the file. */
export function readFailureText(what: string, file: string, err: unknown): { detail: string; problem: BoundedReadProblem } {
  const problem = err instanceof BoundedReadError ? err.problem : { kind: 'unreadable' as const, code: String(err) };
  const detail =
    problem.kind === 'missing'
      ? `${what} file not found: ${file}.`
      : problem.kind === 'unreadable'
        ? `cannot read the ${what} ${file}: ${problem.code}.`
        : `the ${what} ${describeProblem(file, problem).slice(file.length + 1)}: ${file}.`;
  return { detail, problem };
}

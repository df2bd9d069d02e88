/**
 * One writer of a store's manifest at a time: `manifest.yaml.lock`, created exclusively (O_EXCL) and
 * holding the writer's pid and host. Others wait for it (polling) up to a timeout. A lock whose process
 * is gone on this machine is stale and taken over; one from another machine is waited for, then
 * refused with the path to remove.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { InputError } from '../errors.js';

export interface ManifestLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file that cannot be read and is older than this is a writer that died between create and write. */
const UNREADABLE_GRACE_MS = 10_000;

async function stale(path: string, host: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // gone already: the next attempt will tell
  }
  try {
    const info = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return info.host === host && typeof info.pid === 'number' && !alive(info.pid);
  } catch {
    try {
      return Date.now() - (await stat(path)).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
}

export async function acquireManifestLock(path: string, timeoutMs = 30_000): Promise<ManifestLock> {
  const host = hostname();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify({ pid: process.pid, host, since: new Date().toISOString() }));
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await stale(path, host)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new InputError(`another cortex-deploy is writing the artifact manifest (${path} exists).`, {
        field: '--store',
        hint: `Wait for it to finish; if no cortex-deploy is running on the machine named in that file, remove ${path}.`,
      });
    }
    await new Promise((r) => setTimeout(r, 15 + Math.floor(Math.random() * 20)));
  }
}

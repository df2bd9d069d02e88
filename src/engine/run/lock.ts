/**
 * One apply per inventory at a time (issue 11, "Lock"). The lock is a file created exclusively
 * (O_EXCL) under .cortex/locks/, holding who holds it: user, pid, host name, time, run id. A lock left
 * by a process that died on this machine is stale (its pid is gone) and is taken over, and said so;
 * a lock from another machine cannot be checked, so it is refused, named, with how to clear it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { InputError } from '../../errors.js';

export interface LockInfo {
  holder: string;
  pid: number;
  hostname: string;
  since: string;
  runId: string;
  inventory: string;
}

/** The inventory is locked by another apply. */
export class LockHeldError extends InputError {
  constructor(
    readonly lock: LockInfo,
    readonly path: string,
    sameHost: boolean,
  ) {
    super(`another apply holds the lock on ${lock.inventory}: ${lock.holder}, pid ${lock.pid} on ${lock.hostname}, since ${lock.since} (run ${lock.runId}).`, {
      hint: sameHost
        ? 'Wait for it to finish (cortex-deploy runs show ' + lock.runId + ').'
        : `Wait for it to finish. If that process is gone (the lock is from another machine, so its pid cannot be checked here), remove ${path}.`,
    });
  }
}

export function lockPath(root: string, inventoryFile: string): string {
  const id = createHash('sha256').update(inventoryFile).digest('hex').slice(0, 12);
  return join(root, '.cortex', 'locks', `${basename(inventoryFile).replace(/[^A-Za-z0-9_.-]/g, '_')}-${id}.lock`);
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  info: LockInfo;
  path: string;
  /** The stale lock this one replaced, if any (to tell the user). */
  replaced?: LockInfo | undefined;
  release(): void;
}

export interface AcquireOptions {
  root: string;
  inventoryFile: string;
  runId: string;
  now?: Date;
  /** For tests: the liveness check and this machine's name. */
  isAlive?: (pid: number) => boolean;
  host?: string;
}

/** A lock file that cannot be parsed and is older than this is a crash between create and write. */
const UNREADABLE_GRACE_MS = 10_000;

export function acquireLock(o: AcquireOptions): HeldLock {
  const path = lockPath(o.root, o.inventoryFile);
  mkdirSync(join(path, '..'), { recursive: true });
  const host = o.host ?? hostname();
  const isAlive = o.isAlive ?? pidAlive;
  const info: LockInfo = { holder: safeUser(), pid: process.pid, hostname: host, since: (o.now ?? new Date()).toISOString(), runId: o.runId, inventory: o.inventoryFile };
  let replaced: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${JSON.stringify(info)}\n`);
      fsyncSync(fd);
      closeSync(fd);
      return { info, path, replaced, release: () => releaseLock(path, info) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = readLock(path);
    if (existing === 'gone') continue;
    if (existing === 'unreadable') {
      const age = Date.now() - statSync(path).mtimeMs;
      if (age < UNREADABLE_GRACE_MS) throw new InputError(`another apply is taking the lock on ${o.inventoryFile} right now (${path}).`, { hint: 'Wait for it to finish.' });
      removeIfSame(path, null);
      continue;
    }
    if (existing.hostname === host && !isAlive(existing.pid)) {
      // Stale: its process is gone. Remove exactly that file (not one a racing apply just made).
      replaced = existing;
      removeIfSame(path, existing);
      continue;
    }
    throw new LockHeldError(existing, path, existing.hostname === host);
  }
  // Lost a race to another apply taking over the same stale lock.
  const now = readLock(path);
  if (now !== 'gone' && now !== 'unreadable') throw new LockHeldError(now, path, now.hostname === host);
  throw new InputError(`could not take the lock on ${o.inventoryFile} (${path}).`, { hint: 'Try again.' });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function readLock(path: string): LockInfo | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const v = JSON.parse(text) as LockInfo;
    return typeof v.pid === 'number' && typeof v.hostname === 'string' ? v : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function removeIfSame(path: string, expected: LockInfo | null): void {
  const cur = readLock(path);
  if (cur === 'gone') return;
  if (expected === null ? cur !== 'unreadable' : cur === 'unreadable' || cur.pid !== expected.pid || cur.since !== expected.since) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Remove the lock only if it is still ours. */
function releaseLock(path: string, info: LockInfo): void {
  removeIfSame(path, info);
}

/**
 * Loopback addresses for one test file: a /24 block (127.a.b.0) that no other test file holds and on
 * which nothing else listens — a lab the user has running, another checkout's tests, any service.
 *
 * Each file claims its block at load time (top-level await) and gives it back after its tests:
 *
 *   const net = await claimLoopbackBlock(import.meta.url);
 *   const host = { name: 'app1', address: net.addr(1) };
 *
 * The block is found by (1) a lock directory under the temp folder, created atomically, so two test
 * processes never pick the same block, and (2) probing binds on every address of the block for the
 * ports the file listens on, so a block something else listens on is skipped. The search starts at a
 * block derived from the file's path (stable across runs, spread across files) in 127.200.0.0 –
 * 127.254.255.0, away from the 127.0.x.x and 127.1.x.x addresses user labs use.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** WinRM HTTP, HTTPS and the lab's SSH port: what the lab and its tests listen on. */
export const LAB_PORTS: readonly number[] = [5985, 5986, 5922];

export interface LoopbackBlock {
  /** `127.a.b.` */
  readonly prefix: string;
  /** The block's `n`th address (1–254). */
  addr(n: number): string;
  /** The same address escaped for a regular expression. */
  pattern(n: number): string;
  /** Give the block back (done for you after the file's tests). */
  release(): void;
}

/**
 * A copy of a fixture (an inventory, say) with the addresses under each of `fromPrefixes`
 * (`127.0.50.`) moved into `block`, same host numbers; written to a temp folder under the same name.
 */
export function relocatedCopy(file: string, fromPrefixes: readonly string[], block: LoopbackBlock): string {
  let text = readFileSync(file, 'utf8');
  for (const from of fromPrefixes) text = text.replaceAll(from, block.prefix);
  const copy = join(mkdtempSync(join(tmpdir(), 'cortex-fixture-')), basename(file));
  writeFileSync(copy, text);
  // Files it names by a relative `file:` reference (the lab's NServiceBus licence) go along with it.
  for (const [, ref] of text.matchAll(/\bfile:([^\s'"},\]]+)/g)) {
    if (isAbsolute(ref!) || ref!.startsWith('~')) continue;
    const from = join(dirname(file), ref!);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(dirname(copy), ref!)), { recursive: true });
    copyFileSync(from, join(dirname(copy), ref!));
  }
  return copy;
}

const FIRST_HI = 200;
const LAST_HI = 254;
const BLOCKS = (LAST_HI - FIRST_HI + 1) * 256;
const LOCK_ROOT = join(tmpdir(), 'cortex-deploy-test-loopback');
const repoRoot = resolve(import.meta.dirname, '../..');

export interface ClaimOptions {
  /** Ports probed on every address of a candidate block (default LAB_PORTS). */
  ports?: readonly number[];
  /** Addresses probed: 1..hosts (default 254, the whole block). */
  hosts?: number;
}

/** Claim a free block for the test file `fileUrl` (pass `import.meta.url`). */
export async function claimLoopbackBlock(fileUrl: string, opts: ClaimOptions = {}): Promise<LoopbackBlock> {
  const key = relative(repoRoot, fileUrl.startsWith('file:') ? fileURLToPath(fileUrl) : fileUrl);
  const ports = opts.ports ?? LAB_PORTS;
  const hosts = opts.hosts ?? 254;
  const start = createHash('sha256').update(key).digest().readUInt32BE(0) % BLOCKS;
  mkdirSync(LOCK_ROOT, { recursive: true });
  const busy: string[] = [];
  for (let i = 0; i < 64; i++) {
    const index = (start + i * 7919) % BLOCKS; // a prime stride: neighbours' searches do not trail each other
    const prefix = `127.${FIRST_HI + Math.floor(index / 256)}.${index % 256}.`;
    const lock = join(LOCK_ROOT, prefix.slice(0, -1));
    if (!takeLock(lock, key)) continue;
    const holder = await firstHeld(prefix, hosts, ports);
    if (holder) {
      busy.push(holder);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    const block = makeBlock(prefix, lock);
    afterAll(() => block.release());
    return block;
  }
  throw new Error(
    `${key}: no free loopback block for its listeners after 64 tries in 127.${FIRST_HI}-${LAST_HI}.x.0/24` +
      (busy.length > 0 ? `; in use: ${busy.slice(0, 5).join(', ')}` : '') +
      `. Stale locks can be removed from ${LOCK_ROOT}.`,
  );
}

function makeBlock(prefix: string, lock: string): LoopbackBlock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(lock, { recursive: true, force: true });
  };
  process.once('exit', release);
  return {
    prefix,
    addr(n: number) {
      if (!Number.isInteger(n) || n < 1 || n > 254) throw new Error(`loopback host number ${n} is outside 1–254`);
      return `${prefix}${n}`;
    },
    pattern(n: number) {
      return this.addr(n).replaceAll('.', '\\.');
    },
    release,
  };
}

/** Create the lock directory; a lock whose process is gone is taken over. */
function takeLock(lock: string, key: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${process.pid} ${key}\n`);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!isStale(lock)) return false;
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return false;
}

function isStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'owner'), 'utf8').split(' ')[0]);
  } catch {
    return false; // being written by its owner right now
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** `address:port` of the first listener something else already has in the block, or null. */
async function firstHeld(prefix: string, hosts: number, ports: readonly number[]): Promise<string | null> {
  const probes: Array<Promise<string | null>> = [];
  for (let n = 1; n <= hosts; n++) for (const port of ports) probes.push(probe(`${prefix}${n}`, port));
  const held = await Promise.all(probes);
  return held.find((h) => h !== null) ?? null;
}

function probe(address: string, port: number): Promise<string | null> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolvePromise(e.code === 'EADDRINUSE' ? `${address}:${port}` : null));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolvePromise(null)));
  });
}

/**
 * The inventory lock on real files, with a real second process: refused while held (naming holder,
 * pid, host, time and run), taken over once its process is killed (stale), and locks from another
 * machine refused with how to clear them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, lockPath, LockHeldError, readLock } from '../../src/engine/run/lock.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cortex-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const inventory = '/site/inventory.yaml';

/** A second cortex-deploy-like process that takes the lock and holds it until killed. */
async function holder(root: string): Promise<ChildProcess> {
  const mod = resolve(import.meta.dirname, '../../dist/engine/run/lock.js');
  const script = `
    const { acquireLock } = await import(${JSON.stringify(mod)});
    acquireLock({ root: ${JSON.stringify(root)}, inventoryFile: ${JSON.stringify(inventory)}, runId: 'run-child' });
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && res());
    child.on('exit', (code) => rej(new Error(`lock holder exited early (${code})`)));
  });
  return child;
}

describe('inventory lock', () => {
  it('a second apply is refused while another process holds the lock, and the refusal names it', async () => {
    const root = tmp();
    const child = await holder(root);
    let err: unknown;
    try {
      acquireLock({ root, inventoryFile: inventory, runId: 'run-me' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockHeldError);
    const msg = (err as Error).message;
    expect(msg).toContain(`another apply holds the lock on ${inventory}:`);
    expect(msg).toContain(`pid ${child.pid} on ${hostname()}`);
    expect(msg).toContain('(run run-child)');
    expect((err as LockHeldError).lock.pid).toBe(child.pid);
    expect((err as LockHeldError).exitCode).toBe(3);
  });

  it('a lock whose process was killed (kill -9) is stale: taken over, and the old holder reported', async () => {
    const root = tmp();
    const child = await holder(root);
    const pid = child.pid;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const held = acquireLock({ root, inventoryFile: inventory, runId: 'run-me' });
    expect(held.replaced?.pid).toBe(pid);
    expect(readLock(held.path)).toMatchObject({ pid: process.pid, runId: 'run-me', hostname: hostname() });
    held.release();
    expect(existsSync(held.path)).toBe(false);
  });

  it('a lock from another machine cannot be checked: refused, with the file to remove if its holder is gone', () => {
    const root = tmp();
    const path = lockPath(root, inventory);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ holder: 'ops', pid: 4242, hostname: 'other-admin', since: '2026-12-01T00:00:00.000Z', runId: 'r0', inventory }));
    expect(() => acquireLock({ root, inventoryFile: inventory, runId: 'run-me', isAlive: () => false })).toThrow(
      new RegExp(`ops, pid 4242 on other-admin, since 2026-12-01T00:00:00.000Z \\(run r0\\)\\. .*remove ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it('one lock per inventory: another inventory is not blocked; release removes only our own lock', () => {
    const root = tmp();
    const a = acquireLock({ root, inventoryFile: inventory, runId: 'a' });
    const b = acquireLock({ root, inventoryFile: '/site/other.yaml', runId: 'b' });
    expect(a.path).not.toBe(b.path);
    // Someone cleared our lock by hand and another run took it: our release must not remove theirs.
    rmSync(a.path);
    const c = acquireLock({ root, inventoryFile: inventory, runId: 'c' });
    a.release();
    expect(readLock(c.path)).toMatchObject({ runId: 'c' });
    c.release();
    b.release();
    expect(existsSync(c.path) || existsSync(b.path)).toBe(false);
  });

  it('a half-written lock file is refused while fresh (another apply is taking it) and replaced when old', () => {
    const root = tmp();
    const path = lockPath(root, inventory);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '{"holder":');
    expect(() => acquireLock({ root, inventoryFile: inventory, runId: 'x' })).toThrow(/another apply is taking the lock/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const held = acquireLock({ root, inventoryFile: inventory, runId: 'x' });
    expect(readLock(held.path)).toMatchObject({ runId: 'x' });
    held.release();
  });
});

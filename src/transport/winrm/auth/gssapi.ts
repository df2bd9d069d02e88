/**
 * The machine's GSS-API (MIT Kerberos, through the optional `kerberos` npm module) and its ticket
 * caches. Two sources of tickets:
 * - a password in the inventory: `kinit` into this process's private cache collection
 *   (DIR: in a 0700 temp folder, removed at exit), one login per principal, the password on kinit's
 *   stdin, never on a command line;
 * - no password: the tickets the operator already has (kinit, a keytab), from KRB5CCNAME or the default.
 * GSS-API reads the cache name from the environment, so calls are gated: calls for the same cache
 * run together, and KRB5CCNAME changes only when none is in flight.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../errors.js';
export { loadGss, type GssClient } from '../../../protocol/kerberos/gss-module.js';
import { kerberosFailure, type KerberosErrorContext } from './kerberos-errors.js';

// ---------- the cache gate ----------

const AMBIENT = Symbol('ambient');
type CacheKey = string | typeof AMBIENT;
let current: CacheKey = AMBIENT;
/** The operator's KRB5CCNAME while a private cache is set (restored when the gate goes back). */
let saved: string | undefined;
let inflight = 0;
const waiting: Array<{ key: CacheKey; go: () => void }> = [];

function setCache(key: CacheKey): void {
  const now = process.env.KRB5CCNAME;
  // Whatever is there and is not ours is the operator's (an embedding program may have changed it).
  if (current === AMBIENT || now !== current) saved = now;
  current = key;
  if (key !== AMBIENT) process.env.KRB5CCNAME = key;
  else if (saved === undefined) delete process.env.KRB5CCNAME;
  else process.env.KRB5CCNAME = saved;
}

function pump(): void {
  while (waiting.length > 0) {
    const next = waiting[0]!;
    if (inflight > 0 && next.key !== current) return;
    waiting.shift();
    if (next.key !== current) setCache(next.key);
    inflight++;
    next.go();
  }
}

/** Run `fn` with KRB5CCNAME set to `ccache` (null: the operator's own). */
export async function withCcache<T>(ccache: string | null, fn: () => Promise<T>): Promise<T> {
  const key: CacheKey = ccache ?? AMBIENT;
  await new Promise<void>((go) => {
    waiting.push({ key, go });
    pump();
  });
  try {
    return await fn();
  } finally {
    inflight--;
    pump();
  }
}

/** Describe the operator's own cache for messages. */
export function ambientCacheName(): string {
  const v = current === AMBIENT || process.env.KRB5CCNAME !== current ? process.env.KRB5CCNAME : saved;
  return v ? `KRB5CCNAME ${v}` : 'the default ticket cache';
}

// ---------- password logins ----------

let privateDir: string | null = null;
const PREFIX = 'cortex-krb5cc-';

/**
 * Remove the private caches of runs that ended without cleaning up (killed, or a test worker torn
 * down): their tickets stay valid for hours, so they do not wait for the temp folder's cleanup.
 */
function removeStaleCollections(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // that run is still going
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') continue; // alive, under another user
    }
    try {
      if (statSync(join(dir, name)).uid === process.getuid?.()) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** This process's cache collection (DIR:…), created on first use and removed at exit. */
export function privateCollection(): string {
  if (!privateDir) {
    removeStaleCollections(tmpdir());
    privateDir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
    const dir = privateDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return `DIR:${privateDir}`;
}

const logins = new Map<string, Promise<void>>();

/**
 * Tickets for `principal` in the private collection: one kinit per principal, password and process
 * (1,000 hosts with one account log in once). `fresh` forgets an earlier login (its tickets expired).
 */
export function loginWithPassword(principal: string, password: string, c: KerberosErrorContext, timeoutMs: number, fresh = false): Promise<void> {
  // Keyed by the password too: a host written with another password for the same account logs in
  // again, so a wrong one is reported instead of riding on an earlier login.
  const key = `${principal}\0${createHash('sha256').update(password).digest('hex')}`;
  if (fresh) logins.delete(key);
  let p = logins.get(key);
  if (!p) {
    // A failure is remembered too: 1,000 hosts must not send a wrong password 1,000 times (the
    // domain would lock the account) or wait 1,000 times for a KDC that does not answer.
    p = kinit(principal, password, c, timeoutMs);
    logins.set(key, p);
  }
  return p;
}

function kinit(principal: string, password: string, c: KerberosErrorContext, timeoutMs: number): Promise<void> {
  const ccache = privateCollection();
  return new Promise<void>((resolve, reject) => {
    const child = spawn('kinit', [principal], {
      env: { ...process.env, KRB5CCNAME: ccache, LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(kerberosFailure(`Cannot contact any KDC: kinit got no answer within ${timeoutMs} ms`, c));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout.resume();
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new InputError('Kerberos with a password needs MIT kinit, which is not on PATH', { host: c.host, hint: 'Install it (Debian: apt-get install krb5-user; RHEL: krb5-workstation), or kinit yourself and leave winrm.password unset.' })
          : err,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      // kinit prompts again when the password must change: stdin is closed, so it stops there.
      const msg = stderr.replace(/^kinit: /gm, '').replace(/Password for \S+:\s*/g, '').trim() || `kinit exited with code ${code}`;
      reject(kerberosFailure(msg, c));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${password}\n`);
  });
}

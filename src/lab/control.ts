/**
 * Controlling a lab that runs in another process: a pid file and a log in the state folder, and a
 * small HTTP API on a unix socket (status with counters, faults, reboot, reset, reset-counters). `lab up --detach`
 * starts a detached child and waits for its socket; `lab down` stops exactly the pid in the pid file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request, createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, InternalError } from '../errors.js';
import type { LabFaults } from './faults/schema.js';
import type { LabStatus, RunningLab } from './lab.js';

export const DEFAULT_STATE_DIR = '.cortex/lab';

export interface ControlPaths {
  stateDir: string;
  pidFile: string;
  logFile: string;
  socket: string;
}

export function controlPaths(stateDir: string): ControlPaths {
  const dir = resolve(stateDir);
  const inState = join(dir, 'lab.sock');
  // Unix socket paths are limited to ~107 bytes: deep state folders get a socket in the temp folder.
  const socket = Buffer.byteLength(inState) < 100 ? inState : join(tmpdir(), `cortex-lab-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.sock`);
  return { stateDir: dir, pidFile: join(dir, 'lab.pid'), logFile: join(dir, 'lab.log'), socket };
}

/** The pid in the pid file, or null when there is none. */
export async function readPid(paths: ControlPaths): Promise<number | null> {
  try {
    const n = Number.parseInt((await readFile(paths.pidFile, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process is a cortex-deploy lab (not a recycled pid of something else). */
function looksLikeLab(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.includes('lab') && cmd.includes('up');
  } catch {
    return true; // no /proc: trust the pid file
  }
}

// ---------------------------------------------------------------- the lab's side

export interface ControlServer {
  close(): Promise<void>;
}

/** Write the pid file and serve the control API; call once the listeners are up. */
export async function serveControl(lab: RunningLab, paths: ControlPaths, onStop: () => void): Promise<ControlServer> {
  await mkdir(paths.stateDir, { recursive: true });
  await rm(paths.socket, { force: true });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
          let out: unknown = { ok: true };
          if (req.method === 'GET' && req.url === '/status') out = lab.status();
          else if (req.method === 'POST' && req.url === '/faults') await lab.setFaults(String(body.host), body.faults as Partial<LabFaults>, { replace: body.replace === true });
          else if (req.method === 'POST' && req.url === '/reboot') void lab.reboot(String(body.host), Number(body.downSec ?? 5));
          else if (req.method === 'POST' && req.url === '/reset') await lab.reset();
          else if (req.method === 'POST' && req.url === '/reset-counters') lab.resetCounters();
          else if (req.method === 'POST' && req.url === '/stop') setImmediate(onStop);
          else {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
        } catch (e) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: (e as Error).message }));
        }
      })();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(paths.socket, () => ok());
  });
  await writeFile(paths.pidFile, `${process.pid}\n`);
  return {
    async close() {
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await rm(paths.socket, { force: true });
      // Only our own pid file: a newer lab may have written its own.
      if ((await readPid(paths)) === process.pid) await rm(paths.pidFile, { force: true });
    },
  };
}

// ---------------------------------------------------------------- the CLI's side

function call<T>(paths: ControlPaths, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 5000): Promise<T> {
  return new Promise((ok, fail) => {
    const req = request({ socketPath: paths.socket, method, path, timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return fail(new InputError(`the lab refused ${path}: ${text || res.statusCode}`));
        try {
          ok(JSON.parse(text) as T);
        } catch (e) {
          fail(e as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The running lab's status, or null when no lab answers on this state folder. */
export async function queryStatus(paths: ControlPaths): Promise<LabStatus | null> {
  try {
    return await call<LabStatus>(paths, 'GET', '/status');
  } catch {
    return null;
  }
}

export async function sendFaults(paths: ControlPaths, host: string, faults: Partial<LabFaults>, replace = false): Promise<void> {
  await call(paths, 'POST', '/faults', { host, faults, replace });
}

export async function sendReset(paths: ControlPaths): Promise<void> {
  await call(paths, 'POST', '/reset', {});
}

export async function sendResetCounters(paths: ControlPaths): Promise<void> {
  await call(paths, 'POST', '/reset-counters', {});
}

/** Refuse to start a second lab on the same state folder. */
export async function assertNotRunning(paths: ControlPaths): Promise<void> {
  const pid = await readPid(paths);
  if (pid !== null && isAlive(pid) && looksLikeLab(pid)) {
    throw new InputError(`a lab is already running from ${paths.stateDir} (pid ${pid})`, { hint: 'Stop it with `cortex-deploy lab down`, or use another --state folder.' });
  }
}

/**
 * `lab up --detach`: start `argv` as a detached child with its output in the log file, then wait until
 * its control socket answers (listeners up) or it exits (its log tail becomes the error).
 */
export async function spawnDetached(argv: string[], paths: ControlPaths, timeoutMs = 60_000): Promise<{ pid: number; status: LabStatus }> {
  await mkdir(paths.stateDir, { recursive: true });
  const log = openSync(paths.logFile, 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...argv], { detached: true, stdio: ['ignore', log, log], env: process.env });
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) {
      const tail = (await readFile(paths.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
      throw new InputError(`the lab did not start (exit code ${exited}); ${paths.logFile}:\n${tail}`);
    }
    const status = await queryStatus(paths);
    if (status && status.pid === child.pid) return { pid: child.pid, status };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new InternalError(`the lab did not become ready within ${timeoutMs / 1000} s; see ${paths.logFile}`);
}

export type StopResult = { stopped: number } | { notRunning: true; stalePid: number | null };

/** `lab down`: SIGTERM to exactly the pid in the pid file, then wait for it to end (SIGKILL after the wait). */
export async function stopRunningLab(paths: ControlPaths, timeoutMs = 15_000): Promise<StopResult> {
  const pid = await readPid(paths);
  if (pid === null) return { notRunning: true, stalePid: null };
  if (!isAlive(pid) || !looksLikeLab(pid)) {
    await rm(paths.pidFile, { force: true });
    return { notRunning: true, stalePid: pid };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  await rm(paths.pidFile, { force: true });
  await rm(paths.socket, { force: true });
  return { stopped: pid };
}

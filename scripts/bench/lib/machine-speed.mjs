/**
 * How fast this machine is right now, so benchmark results from different hours can be compared. The
 * machines here are 2-vCPU virtual machines whose speed drifts: the 1,000-host apply has taken 9 and
 * 19 s of CPU on one day with little change in its code, and one build has needed 20 to 60 % more CPU in
 * the afternoon than in the morning (docs/benchmarks.md). Neither wall time nor CPU time tells a slower
 * build from a slower machine; these numbers help to.
 *
 * - `machineSpeed()` times one fixed workload in this process, independent of the project's code (so it
 *   does not move when the code does): plain JavaScript (JSON and a byte loop), HMAC-MD5 in OpenSSL,
 *   and small request/response round trips over a loopback TCP connection (the kernel's share of every
 *   lab request). Median of three rounds after a warm-up round; lower is faster.
 * - `cpuTimes()` and `stealShare()` read /proc/stat: the share of the measured interval the hypervisor
 *   gave the virtual CPUs to someone else (steal), and how busy the machine was.
 */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';

const JS_ROUNDS = 2000;
const HMAC_ROUNDS = 3000;
const LOOPBACK_ROUND_TRIPS = 4000;
const MESSAGE_BYTES = 1024;

function jsWork() {
  const doc = { hosts: Array.from({ length: 20 }, (_, i) => ({ name: `web${i}`, address: `127.0.0.${i + 1}`, roles: ['web'], vars: { n: i } })) };
  const bytes = new Uint8Array(16384);
  let x = 0;
  for (let r = 0; r < JS_ROUNDS; r++) {
    x ^= JSON.parse(JSON.stringify(doc)).hosts.length;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] * 31 + i + r) & 0xff;
  }
  return x + bytes[0];
}

function hmacWork() {
  const key = Buffer.alloc(16, 7);
  const data = Buffer.alloc(4096, 3);
  let x = 0;
  for (let r = 0; r < HMAC_ROUNDS; r++) x ^= createHmac('md5', key).update(data).digest()[0];
  return x;
}

/** A loopback round trip takes microseconds: this long means something is wrong, not slow. */
const LOOPBACK_DEADLINE_MS = 30_000;

/** `promise`, or a rejection naming `what` after LOOPBACK_DEADLINE_MS. */
function withDeadline(promise, what) {
  let timer;
  const deadline = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`machine-speed: ${what} took over ${LOOPBACK_DEADLINE_MS / 1000} s on 127.0.0.1`)), LOOPBACK_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Round trips of MESSAGE_BYTES over a loopback connection to a server in this process. */
async function loopbackWork() {
  const server = createServer((s) => s.on('error', () => s.destroy()).on('data', (d) => s.write(d)));
  let sock = null;
  try {
    await withDeadline(new Promise((ok, fail) => server.once('error', fail).listen({ host: '127.0.0.1', port: 0 }, ok)), 'listening');
    sock = connect({ host: '127.0.0.1', port: server.address().port });
    sock.setNoDelay(true);
    const conn = sock;
    await withDeadline(new Promise((ok, fail) => conn.once('error', fail).once('connect', ok)), 'connecting');
    const message = Buffer.alloc(MESSAGE_BYTES, 1);
    const t0 = performance.now();
    await withDeadline(
      new Promise((ok, fail) => {
        let got = 0;
        let left = LOOPBACK_ROUND_TRIPS;
        conn.once('error', fail);
        conn.on('data', (d) => {
          got += d.length;
          if (got < MESSAGE_BYTES) return;
          got -= MESSAGE_BYTES;
          if (--left === 0) return ok();
          conn.write(message);
        });
        conn.write(message);
      }),
      `${LOOPBACK_ROUND_TRIPS} round trips`,
    );
    return performance.now() - t0;
  } finally {
    sock?.destroy();
    server.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x) => Math.round(x * 10) / 10;

/** The fixed workload's times in ms (median of 3 after a warm-up round); lower is faster. */
export async function machineSpeed() {
  const rounds = { jsMs: [], hmacMs: [], loopbackMs: [] };
  for (let r = 0; r < 4; r++) {
    let t = performance.now();
    jsWork();
    const js = performance.now() - t;
    t = performance.now();
    hmacWork();
    const hmac = performance.now() - t;
    const loop = await loopbackWork();
    if (r === 0) continue; // warm-up: the JIT's first compile of each part
    rounds.jsMs.push(js);
    rounds.hmacMs.push(hmac);
    rounds.loopbackMs.push(loop);
  }
  const out = {
    method: `median of 3 rounds after a warm-up: ${JS_ROUNDS} JSON round trips and 16 KB byte loops; ${HMAC_ROUNDS} HMAC-MD5 of 4 KB; ${LOOPBACK_ROUND_TRIPS} loopback TCP round trips of ${MESSAGE_BYTES} B (lower is faster)`,
    jsMs: round1(median(rounds.jsMs)),
    hmacMs: round1(median(rounds.hmacMs)),
    loopbackMs: round1(median(rounds.loopbackMs)),
  };
  return { ...out, totalMs: round1(out.jsMs + out.hmacMs + out.loopbackMs) };
}

/** The machine-wide CPU counters of /proc/stat (clock ticks), or null where there is none. */
export function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal: steal ?? 0 };
  } catch {
    return null;
  }
}

/** Between two cpuTimes(): the percentage of CPU time stolen by the hypervisor and the percentage busy. */
export function stealShare(a, b) {
  if (!a || !b) return null;
  const busy = b.busy - a.busy;
  const idle = b.idle - a.idle;
  const steal = b.steal - a.steal;
  const total = busy + idle + steal;
  if (total <= 0) return null;
  return { stealPercent: round1((100 * steal) / total), busyPercent: round1((100 * busy) / total) };
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(await machineSpeed(), null, 2)}\n`);

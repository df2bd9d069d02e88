#!/usr/bin/env node
/**
 * WinRM transport benchmark against the lab's WinRM server on loopback (run `npm run build` first).
 * Prints one JSON object:
 *   requestsPerRoundTrip   HTTP requests per write+read round trip on a warm resident process
 *   requestsPerCommand     HTTP requests per one-shot command (Command, Send End, Receive, Signal) on a warm session
 *   medianRoundTripMs      median latency of one resident round trip (write a line, read the answer)
 *   medianCommandMs        median latency of one one-shot command
 *   uploadMBps             stdin throughput of a 50 MB stream to a discarding process: sealed HTTP (NTLM) and HTTPS
 *   downloadMBps           stdout throughput of 50 MB
 *   …PerCpuSecond          the same divided by the client process's CPU time (both ends with --in-process): a
 *                          figure that stays meaningful when other work competes for the cores
 * The lab runs in a child process by default (as with `lab up --detach`), so the figures are the
 * client's; `--in-process` runs both ends on one thread instead.
 * Usage: node scripts/bench/winrm.mjs [--address 127.0.17.1] [--mb 50] [--rounds 200] [--in-process]
 */

import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { makeSelfSignedCert, startWinrmLab } from '../../dist/lab/winrm/index.js';
import { runToCompletion } from '../../dist/transport/session.js';
import { openWinrmSession } from '../../dist/transport/winrm/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const address = arg('address', '127.0.17.1');
const mb = Number(arg('mb', '50'));
const rounds = Number(arg('rounds', '200'));

/** Bench dispatcher: `lines` answers each line, `discard` swallows stdin, `bigout N` prints N bytes, `hostname`. */
const dispatcher = {
  start(host, command, args, out) {
    const nothing = { stdin() {}, terminate() {} };
    switch (command) {
      case 'hostname':
        out.stdout(Buffer.from(`${host.name}\r\n`));
        out.exit(0);
        return nothing;
      case 'lines': {
        let pending = '';
        return {
          stdin(chunk, end) {
            pending += chunk.toString('utf8');
            let nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
              out.stdout(Buffer.from(`ok ${pending.slice(0, nl)}\n`));
              pending = pending.slice(nl + 1);
            }
            if (end) out.exit(0);
          },
          terminate() {},
        };
      }
      case 'discard': {
        let n = 0;
        return {
          stdin(chunk, end) {
            n += chunk.length;
            if (end) {
              out.stdout(Buffer.from(String(n)));
              out.exit(0);
            }
          },
          terminate() {},
        };
      }
      case 'bigout': {
        const n = Number(args[0]);
        const block = Buffer.alloc(1 << 20, 0x41);
        for (let i = 0; i < n; i += block.length) out.stdout(block.subarray(0, Math.min(block.length, n - i)));
        out.exit(0);
        return nothing;
      }
      default:
        out.exit(1);
        return nothing;
    }
  },
};

const user = { user: 'bench', domain: 'LAB', password: 'bench-Pa55' };
const host = { name: 'bench1', address };

async function serve() {
  const tls = makeSelfSignedCert([address, host.name]);
  const lab = await startWinrmLab({ hosts: [{ ref: host, users: [user], http: true, https: true }], dispatcher, tls });
  return { cert: tls.cert, close: () => lab.close() };
}


async function startLab() {
  if (process.argv.includes('--in-process')) return serve();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', '--address', address], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`bench lab exited with ${code}`)));
  });
  return {
    cert: first.cert,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

const settings = (cert, scheme, auth) => ({
  scheme,
  port: scheme === 'https' ? 5986 : 5985,
  auth,
  user: `${user.domain}\\${user.user}`,
  password: user.password,
  allowUnencrypted: false,
  tls: { ca: cert, serverName: null, insecure: false },
  operationTimeoutSec: 20,
  connectTimeoutMs: 5000,
  requestTimeoutMs: 60_000,
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round2 = (x) => Math.round(x * 100) / 100;

async function resident(session) {
  const proc = await session.spawn({ command: 'lines', args: [] });
  let buf = '';
  let wake = null;
  proc.on('stdout', (c) => {
    buf += c.toString();
    wake?.();
  });
  const readLine = async () => {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      await new Promise((r) => (wake = r));
    }
  };
  await proc.write(Buffer.from('warm\n'));
  await readLine();
  const times = [];
  const before = session.channel.requests;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await proc.write(Buffer.from(`script ${i}\n`));
    await readLine();
    times.push(performance.now() - t0);
  }
  const requests = (session.channel.requests - before) / rounds;
  await proc.closeStdin();
  await proc.exit;
  return { requests, median: median(times) };
}

async function oneShot(session) {
  await runToCompletion(session, { command: 'hostname', args: [] }, { timeoutMs: 10_000 });
  const n = Math.max(20, Math.floor(rounds / 4));
  const times = [];
  const before = session.channel.requests;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await runToCompletion(session, { command: 'hostname', args: [] }, { timeoutMs: 10_000 });
    times.push(performance.now() - t0);
  }
  return { requests: (session.channel.requests - before) / n, median: median(times) };
}

const cpuSeconds = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

async function upload(session) {
  const total = mb * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  const proc = await session.spawn({ command: 'discard', args: [] });
  let out = '';
  proc.on('stdout', (c) => (out += c.toString()));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let sent = 0; sent < total; sent += chunk.length) await proc.write(chunk);
  await proc.closeStdin();
  await proc.exit;
  const secs = (performance.now() - t0) / 1000;
  if (Number(out) !== total) throw new Error(`discard counted ${out}, sent ${total}`);
  return { wall: round2(total / 1024 / 1024 / secs), cpu: round2(total / 1024 / 1024 / cpuSeconds(c0)) };
}

async function download(session) {
  const total = mb * 1024 * 1024;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const proc = await session.spawn({ command: 'bigout', args: [String(total)] });
  let n = 0;
  proc.on('stdout', (c) => (n += c.length));
  await proc.closeStdin();
  await proc.exit;
  const secs = (performance.now() - t0) / 1000;
  if (n !== total) throw new Error(`received ${n}, expected ${total}`);
  return { wall: round2(total / 1024 / 1024 / secs), cpu: round2(total / 1024 / 1024 / cpuSeconds(c0)) };
}

async function main() {
const lab = await startLab();
const result = { address, mb, rounds, labInProcess: process.argv.includes('--in-process') };
try {
  const sealed = await openWinrmSession(host, settings(lab.cert, 'http', 'ntlm'));
  const https = await openWinrmSession(host, settings(lab.cert, 'https', 'ntlm'));
  const r = await resident(sealed);
  const o = await oneShot(sealed);
  const rh = await resident(https);
  result.requestsPerRoundTrip = r.requests;
  result.requestsPerCommand = o.requests;
  result.medianRoundTripMs = { sealedHttp: round2(r.median), https: round2(rh.median) };
  result.medianCommandMs = { sealedHttp: round2(o.median) };
  const up = { sealedHttp: await upload(sealed), https: await upload(https) };
  const down = { sealedHttp: await download(sealed), https: await download(https) };
  result.uploadMBps = { sealedHttp: up.sealedHttp.wall, https: up.https.wall };
  result.uploadMBpsPerCpuSecond = { sealedHttp: up.sealedHttp.cpu, https: up.https.cpu };
  result.downloadMBps = { sealedHttp: down.sealedHttp.wall, https: down.https.wall };
  result.downloadMBpsPerCpuSecond = { sealedHttp: down.sealedHttp.cpu, https: down.https.cpu };
  result.loadAverage = os.loadavg()[0];
  await sealed.close();
  await https.close();
} finally {
  await lab.close();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv.includes('--serve')) {
  // Child mode: start the lab, hand the certificate to the parent, stop when the parent closes stdin.
  const lab = await serve();
  process.stdout.write(`${JSON.stringify({ cert: lab.cert })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void lab.close().then(() => process.exit(0)));
} else {
  await main();
}

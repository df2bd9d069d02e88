#!/usr/bin/env node
/**
 * Lab scale benchmark (run `npm run build` first): one `cortex-deploy lab up` process serving N
 * simulated hosts (default 1,000) on 127.1.200.1 …, from a synthetic inventory written to a temp file.
 * Prints one JSON object: wall time from process start to "ready" (every listener bound), the lab's
 * own startup figure, RSS after start and after a probe of a sample of hosts (VmRSS and VmHWM from
 * /proc), listeners, and the counters the lab reports for the sampled hosts.
 * Targets (issue 4): ≤ 10 s to start 1,000 hosts, ≤ 1 GB RSS, one process for every address.
 *
 * Usage: node scripts/bench/lab-scale.mjs [--hosts 1000] [--sample 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('hosts', 1000);
const SAMPLE = Math.min(arg('sample', 20), N);
const PASSWORD = 'CortexLab!2026';

const addressOf = (i) => `127.1.${200 + Math.floor(i / 250)}.${(i % 250) + 1}`;
const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-scale-'));
const inv = join(dir, 'inventory.yaml');
const lines = ['all:', '  vars:', '    transport: winrm', "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }", '  children:', '    app:', '      hosts:'];
for (let i = 0; i < N; i++) lines.push(`        s${i}: { address: ${addressOf(i)}${i < SAMPLE ? ', lab: { powershellStartMs: 0 }' : ''} }`);
writeFileSync(inv, `${lines.join('\n')}\n`);

function memory(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakRssMB: Math.round(kb('VmHWM') / 1024) };
}

const t0 = performance.now();
const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'lab', 'up', '-i', inv, '--state', join(dir, 'state')], {
  env: { ...process.env, CORTEX_LAB_PASSWORD: PASSWORD, NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
let errText = '';
child.stderr.on('data', (c) => (errText += c));
const readyMs = await new Promise((ok, fail) => {
  child.stdout.on('data', (c) => {
    out += c;
    const m = /ready in (\d+) ms/.exec(out);
    if (m) ok({ wall: Math.round(performance.now() - t0), lab: Number(m[1]) });
  });
  child.once('exit', (code) => fail(new Error(`lab exited with ${code}: ${errText}`)));
  setTimeout(() => fail(new Error('lab not ready within 120 s')), 120_000).unref();
});
const afterStart = memory(child.pid);
// Listening sockets on our addresses (/proc/net/tcp writes 127.1.200.1:5985 as 01C8017F:1761).
const ours = new Set(Array.from({ length: N }, (_, i) => addressOf(i).split('.').map(Number).reverse().map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')));
const listeners = readFileSync('/proc/net/tcp', 'utf8')
  .split('\n')
  .map((l) => l.trim().split(/\s+/))
  .filter((f) => f[3] === '0A' && /^[0-9A-F]{8}:(1761|1762)$/.test(f[1] ?? '') && ours.has(f[1].slice(0, 8))).length;

// Probe a sample through the real client: WinRM session (NTLM, sealed) + resident runner + ping.
const { openWinrmSession } = await import(join(root, 'dist/transport/winrm/index.js'));
const { ScriptRunner, loadScript } = await import(join(root, 'dist/runner/index.js'));
const settings = { scheme: 'http', port: 5985, auth: 'ntlm', user: 'LAB\\cortex', password: PASSWORD, allowUnencrypted: false, tls: { ca: null, serverName: null, insecure: false }, operationTimeoutSec: 20, connectTimeoutMs: 5000, requestTimeoutMs: 20000 };
const tp = performance.now();
await Promise.all(
  Array.from({ length: SAMPLE }, async (_, i) => {
    const s = await openWinrmSession({ name: `s${i}`, address: addressOf(i) }, settings);
    const r = new ScriptRunner(s);
    try {
      await r.runData(loadScript('probes.ping'));
    } finally {
      await r.close();
      await s.close();
    }
  }),
);
const probeMs = Math.round(performance.now() - tp);
const afterProbe = memory(child.pid);

const statusOut = await new Promise((ok) => {
  const p = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'lab', 'status', '--json', '--state', join(dir, 'state')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let t = '';
  p.stdout.on('data', (c) => (t += c));
  p.on('exit', () => ok(t));
});
const status = JSON.parse(statusOut);
const sampled = status.hosts.slice(0, SAMPLE);
const sum = (k) => sampled.reduce((a, h) => a + h.counters[k], 0);

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      bench: 'lab-scale',
      hosts: N,
      processes: 1,
      listeningSockets: listeners,
      startWallMs: readyMs.wall,
      startLabMs: readyMs.lab,
      memoryAfterStart: afterStart,
      sample: { hosts: SAMPLE, probeWallMs: probeMs, requests: sum('requests'), shells: sum('shells'), powershellStarts: sum('powershellStarts'), scripts: sum('scripts') },
      memoryAfterProbe: afterProbe,
      hostsUp: status.hosts.filter((h) => h.up).length,
      targets: { startWallMs: 10_000, rssMB: 1024 },
      pass: readyMs.wall <= 10_000 && afterProbe.peakRssMB <= 1024,
    },
    null,
    2,
  ),
);

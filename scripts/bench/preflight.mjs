#!/usr/bin/env node
/**
 * Preflight benchmark against the lab (run `npm run build` first). Prints one JSON object with, per
 * case (hosts × added latency): wall time of the preflight run (lab start excluded), HTTP requests per
 * host (the lab's counters), and the orchestrator's peak RSS. The lab runs in a child process so the
 * RSS is the orchestrator's alone. CPU milliseconds per host (orchestrator and lab) are reported too:
 * unlike wall time they do not depend on what else the machine is running.
 *
 * Cases: 7 hosts (the recommended topology) at 127.1.1.x; 100 hosts at 127.1.x.y; 1,000 hosts at
 * 127.2.x.y; each with 0 and 50 ms added per HTTP request (lab fault latencyMs). Topology of the large
 * cases: 9 app, 1 db, 1 lb, the rest web (every web server reaches the lb and the db).
 * Targets (issue 5): 7-host lab < 1 s; 1,000 hosts @ 50 ms < 5 s; RSS < 400 MB.
 *
 * Usage: node scripts/bench/preflight.mjs [--cases 7x0,100x0,100x50,1000x0,1000x50]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';

const PASSWORD = 'CortexLab!2026';
const self = fileURLToPath(import.meta.url);

function addressOf(n, i) {
  if (n <= 7) return `127.1.1.${i + 1}`;
  const base = n <= 100 ? 1 : 2;
  const k = i + 1 + (n <= 100 ? 512 : 0); // 100 hosts: 127.1.2.1 …; 1,000 hosts: 127.2.0.1 …
  return `127.${base}.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

function inventoryYaml(n, latencyMs) {
  const roles = (i) => (n <= 7 ? ['web', 'web', 'app', 'app', 'app', 'db', 'lb'][i] : i < 9 ? 'app' : i === 9 ? 'db' : i === 10 ? 'lb' : 'web');
  const groups = { web: [], app: [], db: [], lb: [] };
  for (let i = 0; i < n; i++) groups[roles(i)].push(`        h${i}: { address: ${addressOf(n, i)} }`);
  return [
    'all:',
    '  vars:',
    '    transport: winrm',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }",
    `    lab: { faults: { latencyMs: ${latencyMs} } }`,
    '  children:',
    ...Object.entries(groups).flatMap(([g, hosts]) => (hosts.length ? [`    ${g}:`, '      hosts:', ...hosts] : [])),
    '',
  ].join('\n');
}

// ---- child: the lab ----
async function serveLab(file, stateDir) {
  const { loadInventory } = await import('../../dist/inventory/index.js');
  const { startLab } = await import('../../dist/lab/lab.js');
  const { labHostsFromInventory } = await import('../../dist/lab/profile/from-inventory.js');
  const inv = await loadInventory(file);
  const { hosts } = await labHostsFromInventory(inv);
  const lab = await startLab({ stateDir, hosts: hosts.map((h) => ({ ...h, https: false })) });
  process.on('message', async (m) => {
    if (m === 'status') {
      const hosts = lab.status().hosts;
      const cpu = process.cpuUsage(cpuAtReady);
      process.send({ requests: hosts.map((h) => h.counters.requests), powershellStarts: hosts.map((h) => h.counters.powershellStarts), cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (m === 'stop') {
      await lab.stop();
      process.exit(0);
    }
  });
  const cpuAtReady = process.cpuUsage();
  process.send('ready');
}

if (process.argv[2] === '--serve-lab') {
  await serveLab(process.argv[3], process.argv[4]);
} else {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const cases = arg('cases', '7x0,7x50,100x0,100x50,1000x0,1000x50').split(',').map((c) => c.split('x').map(Number));
  process.env.CORTEX_LAB_PASSWORD = PASSWORD;
  const { runPreflightCommand } = await import('../../dist/cli/commands/preflight.js');
  const results = [];
  for (const [hosts, latencyMs] of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-bench-preflight-'));
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, inventoryYaml(hosts, latencyMs));
    const child = fork(self, ['--serve-lab', file, join(dir, 'state')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ask = (m) => new Promise((res) => { child.once('message', res); child.send(m); });
    await new Promise((res, rej) => { child.once('message', res); child.once('exit', (c) => rej(new Error(`lab exited ${c}`))); });
    let peakRss = process.memoryUsage.rss();
    let peakHeap = 0;
    let peakExternal = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakExternal = Math.max(peakExternal, m.external);
    }, 20);
    const sink = { write: () => true, isTTY: false, columns: 100 };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const code = await runPreflightCommand({ inventory: file, forks: 1000, json: true, timeout: 60 }, { stdout: sink, stderr: sink, color: false, runDir: null });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const status = await ask('status');
    const total = status.requests.reduce((a, b) => a + b, 0);
    results.push({
      hosts,
      latencyMs,
      exitCode: code,
      wallMs: Math.round(wallMs),
      requestsPerHost: +(total / hosts).toFixed(2),
      maxRequestsPerHost: Math.max(...status.requests),
      powershellStartsPerHost: +(status.powershellStarts.reduce((a, b) => a + b, 0) / hosts).toFixed(2),
      orchestratorPeakRssMB: Math.round(peakRss / 1048576),
      orchestratorPeakHeapMB: Math.round(peakHeap / 1048576),
      orchestratorPeakExternalMB: Math.round(peakExternal / 1048576),
      // CPU time is what a loaded machine cannot hide: per host, on each side.
      orchestratorCpuMsPerHost: +((cpu.user + cpu.system) / 1000 / hosts).toFixed(1),
      labCpuMsPerHost: +(status.cpuMs / hosts).toFixed(1),
      loadAverage1m: +os.loadavg()[0].toFixed(1),
    });
    child.send('stop');
    await new Promise((res) => child.once('exit', res));
    rmSync(dir, { recursive: true, force: true });
  }
  const find = (h, l) => results.find((r) => r.hosts === h && r.latencyMs === l);
  const targets = {
    '7 hosts < 1000 ms': find(7, 0) ? find(7, 0).wallMs < 1000 : null,
    '1000 hosts @ 50 ms < 5000 ms': find(1000, 50) ? find(1000, 50).wallMs < 5000 : null,
    'RSS < 400 MB': Math.max(...results.map((r) => r.orchestratorPeakRssMB)) < 400,
  };
  process.stdout.write(`${JSON.stringify({ bench: 'preflight', node: process.version, at: new Date().toISOString(), results, targets }, null, 2)}\n`);
}

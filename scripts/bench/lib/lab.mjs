/**
 * Shared parts of the playbook benchmarks (scripts/bench/{orchestration,plan,apply-scale,exec}.mjs): free
 * loopback blocks, synthetic inventories and playbooks, a detached `cortex-deploy lab up`, and timed runs
 * of the built CLI. Not a benchmark itself (scripts/bench.sh runs only scripts/bench/*.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// CORTEX_BENCH_CLI: another build's entry for every benchmark (runCli's `cli` option picks one per run).
export const cli = process.env.CORTEX_BENCH_CLI ? resolve(process.env.CORTEX_BENCH_CLI) : join(root, 'dist/cli/main.js');
export const PASSWORD = 'CortexLab!2026';
const LOCK_ROOT = join(tmpdir(), 'cortex-deploy-test-loopback'); // the same locks as test/helpers/loopback.ts
// Benchmarks take /24 blocks in 127.150–199.x: apart from the tests' 127.200–254.x and the older benches'
// fixed 127.0.x, 127.1.x and 127.2.x addresses.
const FIRST_HI = 150;
const LAST_HI = 199;

function probe(address, port) {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', (e) => ok(e.code === 'EADDRINUSE' ? `${address}:${port}` : null));
    s.listen({ host: address, port, exclusive: true }, () => s.close(() => ok(null)));
  });
}

function takeLock(dir) {
  try {
    mkdirSync(dir);
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dir, 'owner'), 'utf8').split(' ')[0]);
    } catch {
      return false;
    }
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return takeLock(dir);
    }
  }
  writeFileSync(join(dir, 'owner'), `${process.pid} scripts/bench\n`);
  return true;
}

/**
 * Claim ceil(hosts / 250) consecutive free /24 blocks on loopback (every address free on 5985 and 5986),
 * locked for this process. Returns the host addresses and a release function.
 */
export async function claimAddresses(hosts) {
  const blocks = Math.ceil(hosts / 250);
  mkdirSync(LOCK_ROOT, { recursive: true });
  const start = FIRST_HI * 256 + Math.floor(Math.random() * 256);
  for (let i = 0; i < 200; i++) {
    const first = FIRST_HI * 256 + ((start - FIRST_HI * 256 + i * 37) % ((LAST_HI - FIRST_HI + 1) * 256 - blocks));
    const prefixes = Array.from({ length: blocks }, (_, b) => `127.${Math.floor((first + b) / 256)}.${(first + b) % 256}`);
    const locks = [];
    for (const p of prefixes) {
      if (!takeLock(join(LOCK_ROOT, p))) break;
      locks.push(join(LOCK_ROOT, p));
    }
    const release = () => locks.forEach((l) => rmSync(l, { recursive: true, force: true }));
    if (locks.length < blocks) {
      release();
      continue;
    }
    const addresses = Array.from({ length: hosts }, (_, k) => `${prefixes[Math.floor(k / 250)]}.${(k % 250) + 1}`);
    const held = (await Promise.all(addresses.flatMap((a) => [probe(a, 5985), probe(a, 5986)]))).find((x) => x);
    if (held) {
      release();
      continue;
    }
    process.once('exit', release);
    return { addresses, release };
  }
  throw new Error(`no ${blocks} free consecutive loopback /24 blocks in 127.${FIRST_HI}-${LAST_HI}.x (stale locks: ${LOCK_ROOT})`);
}

/** An inventory of `addresses.length` hosts: 7 follow the recommended topology; larger ones are 9 app, 1 db, 1 lb, the rest web. */
export function inventoryYaml(addresses, { powershellStartMs } = {}) {
  const n = addresses.length;
  const role = (i) => (n <= 7 ? ['web', 'web', 'app', 'app', 'app', 'db', 'lb'][i] : i < 9 ? 'app' : i === 9 ? 'db' : i === 10 ? 'lb' : 'web');
  const groups = { web: [], app: [], db: [], lb: [] };
  addresses.forEach((a, i) => groups[role(i)].push(`        h${i}: { address: ${a}${role(i) === 'web' ? `, webApps: [${i % 2 ? 'liveportal' : 'gateway'}]` : ''} }`));
  return [
    'all:',
    '  vars:',
    '    transport: winrm',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }",
    "    installPath: 'C:\\Program Files\\Cortex'",
    ...(powershellStartMs === undefined ? [] : [`    lab: { powershellStartMs: ${powershellStartMs} }`]),
    '  children:',
    ...Object.entries(groups).flatMap(([g, hosts]) => (hosts.length ? [`    ${g}:`, '      hosts:', ...hosts] : [])),
    '',
  ].join('\n');
}

/**
 * A playbook of `steps` steps on every host, cycling through resource types the lab models (directory,
 * env_var, registry_value, service, reboot), in `phases` phases. A service step wants what the lab's
 * default host already has (W3SVC running), and reboot has nothing pending: after one apply, nothing changes.
 */
export function playbookYaml(steps, phases = 1) {
  const step = (i) => {
    switch (i % 6) {
      case 0:
      case 3:
        return `directory: { path: '{{ host.installPath }}\\d${i}' }`;
      case 1:
        return `env_var: { name: CORTEX_BENCH_${i}, value: 'v${i}' }`;
      case 2:
        return `registry_value: { key: 'HKLM:\\SOFTWARE\\CortexBench', name: V${i}, type: DWord, data: ${i} }`;
      case 4:
        return i % 12 === 4 ? 'service: { name: W3SVC, state: running }' : `registry_value: { key: 'HKLM:\\SOFTWARE\\CortexBench', name: S${i}, type: String, data: 's${i}' }`;
      default:
        return i % 30 === 29 ? "reboot: { reason: 'bench: nothing pending' }" : `env_var: { name: CORTEX_BENCH_${i}, value: 'w${i}' }`;
    }
  };
  const lines = [`name: bench-${steps}-steps`, 'phases:'];
  const per = Math.ceil(steps / phases);
  for (let p = 0; p < phases; p++) {
    lines.push(`  - name: phase${p}`, '    targets: { roles: [web, app, db, lb] }', '    steps:');
    for (let i = p * per; i < Math.min(steps, (p + 1) * per); i++) lines.push(`      - id: s${i}`, `        ${step(i)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `cortex-bench-${name}-`));
}

/**
 * Run the built CLI once: wall time from spawn to exit, exit code, stdout, and the peak RSS and CPU time
 * (user + system) of the process (`/usr/bin/time -f '%M %U %S'`; null where /usr/bin/time is absent).
 * `cli`: another build's entry (scripts/cli-ab.mjs compares two).
 */
export async function runCli(args, { cwd, env = {}, cli: entry = cli } = {}) {
  const timed = existsSync('/usr/bin/time');
  const marker = '@@cortex-bench-maxrss ';
  const [cmd, argv] = timed ? ['/usr/bin/time', ['-f', `${marker}%M %U %S`, process.execPath, entry, ...args]] : [process.execPath, [entry, ...args]];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, CORTEX_LAB_PASSWORD: PASSWORD, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((ok) => child.once('close', ok));
  const wallMs = Math.round(performance.now() - t0);
  const m = new RegExp(`${marker}(\\d+) ([\\d.]+) ([\\d.]+)`).exec(err);
  return {
    code,
    wallMs,
    stdout: out,
    stderr: (m ? err.replace(m[0], '') : err).replace(/^Command exited with non-zero status \d+\n/m, ''),
    peakRssMB: m ? Math.round(Number(m[1]) / 1024) : null,
    cpuMs: m ? Math.round((Number(m[2]) + Number(m[3])) * 1000) : null,
  };
}

/** `lab up -i INV --detach --state DIR`; throws with the lab's output when it does not come up. */
export async function labUp(inventory, stateDir, env = {}, cliPath = cli) {
  const r = await runCli(['lab', 'up', '-i', inventory, '--detach', '--state', stateDir], { env, cli: cliPath });
  if (r.code !== 0) throw new Error(`lab up exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}

export async function labDown(stateDir, cliPath = cli) {
  await runCli(['lab', 'down', '--state', stateDir], { cli: cliPath });
}

export async function labStatus(stateDir, cliPath = cli) {
  const r = await runCli(['lab', 'status', '--json', '--state', stateDir], { cli: cliPath });
  return JSON.parse(r.stdout);
}

/** The run with the median wall time of `n` runs of `once()`, with every run's wall time. */
export async function medianOf(n, once) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await once());
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return { ...sorted[Math.floor(n / 2)], allWallMs: runs.map((r) => r.wallMs) };
}

export const loadAverage1m = () => +os.loadavg()[0].toFixed(2);

/**
 * User + system CPU of a process so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms): the lab
 * process's share of a run. The lab and the measured CLI share the machine's cores, so no run's wall
 * time can be below (CLI CPU + lab CPU) / cores.
 */
export function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The environment that gives the measured CLI a code cache (src/cli/compile-cache.ts) in a folder of
 * this run's own, whatever other runs left in the user's cache. Fill it with one run of the measured
 * command first: what a user's machine has after its first run.
 */
export const ownCompileCache = (dir) => ({ CORTEX_COMPILE_CACHE: join(dir, 'compile-cache') });

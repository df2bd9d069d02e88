#!/usr/bin/env node
/**
 * Soak (issue 14): many consecutive rounds against one 7-host lab, each round an `apply` and a
 * `preflight` of the built CLI (spawned, as a user runs them), with a seeded random fault on a random
 * host for the round. Afterwards:
 *   - every host's `counters.openShells` in `lab status --json` must be 0;
 *   - the orchestrator's memory must be flat: each run is its own process, so what is measured is the
 *     peak RSS of each run's process (/usr/bin/time), and the least-squares slope of it over the rounds
 *     (MB per round), for apply and preflight apart, on the rounds without a fault (a fault changes
 *     what a run does, not whether it leaks); the lab process's RSS before and after is given too;
 *   - every run's exit code must be the one its fault implies (docs/exit-codes.md).
 * The apply changes one step on every host each round (an env var holding the round number), so each
 * apply does real Sets. Usage (after `npm run build`):
 *   SOAK_ROUNDS=200 SOAK_SEED=42 node scripts/bench/soak.mjs      # scripts/bench.sh soak
 * SOAK_ROUNDS defaults to 200; SOAK_SEED to a random seed, printed on stderr and in the result.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import * as lab from './lib/lab.mjs';
// mulberry32 (the built src/lib/seeded-random.ts): a seed replays the same faults.
import { mulberry32 as prng } from '../../dist/lib/seeded-random.js';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? '200');
const SEED = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`SOAK_ROUNDS must be a whole number ≥ 1, not '${process.env.SOAK_ROUNDS}'`);
if (!Number.isInteger(SEED)) throw new Error(`SOAK_SEED must be a whole number, not '${process.env.SOAK_SEED}'`);
process.stderr.write(`soak: seed ${SEED}, ${ROUNDS} rounds (SOAK_SEED=${SEED} repeats this sequence)\n`);

/**
 * The faults a round may get, with the exit codes they imply for apply and preflight. Weights: half
 * the rounds have no fault. `at-step` faults strike during the apply's step `env` (the round's change).
 * An expected code is a number, or the list of codes the fault may give.
 */
const FAULTS = [
  { kind: 'none', weight: 10, flags: [], apply: 0, preflight: 0 },
  { kind: 'latency', weight: 2, flags: ['latency:40'], apply: 0, preflight: 0 },
  { kind: 'slow', weight: 2, flags: ['slow:3'], apply: 0, preflight: 0 },
  { kind: 'fail-script', weight: 2, flags: ['fail-script:resources.env-var:always'], apply: 1, preflight: 0 },
  { kind: 'down', weight: 1, flags: ['down'], apply: 2, preflight: 2 },
  { kind: 'refuse-auth', weight: 1, flags: ['refuse-auth'], apply: 2, preflight: 2 },
  { kind: 'http500', weight: 1, flags: ['http500'], apply: 2, preflight: 2 },
  // The cut lands during a Receive (the host is unreachable: 2) or between two requests (the reconnect
  // finds the shell gone: the step fails, 1); either way the run names the host and the step.
  { kind: 'drop-mid-command', weight: 1, flags: ['at-step:env', 'drop-mid-command:once'], apply: [1, 2], preflight: 0 },
];
const totalWeight = FAULTS.reduce((a, f) => a + f.weight, 0);
const random = prng(SEED);
function pickFault() {
  let x = random() * totalWeight;
  for (const f of FAULTS) if ((x -= f.weight) < 0) return f;
  return FAULTS[0];
}

const { addresses, release } = await lab.claimAddresses(7);
const dir = lab.tempDir('soak');
const state = join(dir, 'state');
// A short reboot and no cold-start cost: what is measured is the orchestrator, not the simulated host.
writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses, { powershellStartMs: 0 }).replace("    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }", "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD, connectTimeoutMs: 3000, requestTimeoutMs: 15000 }"));
const hostNames = addresses.map((_, i) => `h${i}`);
const playbook = (round) =>
  [
    'name: soak',
    'phases:',
    '  - name: soak',
    '    targets: { roles: [web, app, db, lb] }',
    '    steps:',
    "      - id: dir",
    "        directory: { path: '{{ host.installPath }}\\soak' }",
    '      - id: env',
    `        env_var: { name: CORTEX_SOAK_ROUND, value: 'r${round}' }`,
    '      - id: reg',
    "        registry_value: { key: 'HKLM:\\SOFTWARE\\CortexSoak', name: Seen, type: DWord, data: 1 }",
    '      - id: reboot',
    "        reboot: { reason: 'soak: nothing pending' }",
    '',
  ].join('\n');

const labRss = (pid) => {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
  } catch {
    return null;
  }
};

/** Least-squares slope of ys over xs. */
function slope(points) {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const ctl = (args) => lab.runCli([...args, '--state', state], { cwd: dir });
await lab.labUp(join(dir, 'inv.yaml'), state);
const labPid = (await lab.labStatus(state)).pid;
const labRssBeforeMB = labRss(labPid);
const runs = [];
const mismatches = [];
/** [round, lab RSS MB] after each round: whether the lab's memory grows with the runs or levels off. */
const labRssByRound = [];
// SOAK_LAB_SNAPSHOT_ROUNDS=1,30,60 with NODE_OPTIONS='--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR':
// the lab writes a heap snapshot after those rounds (to compare what it holds).
const snapshotRounds = new Set((process.env.SOAK_LAB_SNAPSHOT_ROUNDS ?? '').split(',').filter(Boolean).map(Number));
const t0 = Date.now();
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const fault = pickFault();
    const host = hostNames[Math.floor(random() * hostNames.length)];
    if (fault.flags.length > 0) {
      const f = await ctl(['lab', 'fault', ...fault.flags.map((x) => `${host}:${x}`)]);
      if (f.code !== 0) throw new Error(`round ${round}: lab fault exited ${f.code}: ${f.stderr}`);
    }
    writeFileSync(join(dir, 'pb.yaml'), playbook(round));
    const apply = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--json'], { cwd: dir });
    const preflight = await lab.runCli(['preflight', '-i', 'inv.yaml', '--json'], { cwd: dir });
    if (fault.flags.length > 0) {
      const c = await ctl(['lab', 'fault', `${host}:clear`]);
      if (c.code !== 0) throw new Error(`round ${round}: lab fault clear exited ${c.code}: ${c.stderr}`);
    }
    for (const [command, r, want] of [['apply', apply, fault.apply], ['preflight', preflight, fault.preflight]]) {
      runs.push({ round, command, fault: fault.kind, host, exitCode: r.code, expected: want, wallMs: r.wallMs, peakRssMB: r.peakRssMB });
      if (![want].flat().includes(r.code)) {
        mismatches.push({ round, command, fault: fault.kind, host, exitCode: r.code, expected: want, stderrTail: r.stderr.slice(-600) });
        process.stderr.write(`soak: round ${round} ${command} with ${fault.kind} on ${host}: exit ${r.code}, expected ${want}\n${r.stderr.slice(-400)}\n`);
      }
    }
    labRssByRound.push([round, labRss(labPid)]);
    if (snapshotRounds.has(round)) {
      process.kill(labPid, 'SIGUSR2');
      await sleep(3000);
    }
    if (round % 10 === 0 || round === ROUNDS) process.stderr.write(`soak: round ${round}/${ROUNDS}, ${mismatches.length} exit-code mismatches, ${Math.round((Date.now() - t0) / 1000)} s\n`);
  }
  // Let shells a failed run closed on its way out settle before counting.
  await sleep(500);
  const status = await lab.labStatus(state);
  const openShells = Object.fromEntries(status.hosts.map((h) => [h.name, h.counters.openShells]));
  const labRssAfterMB = labRss(labPid);
  const rssSeries = (command) => runs.filter((r) => r.command === command && r.fault === 'none' && r.peakRssMB !== null).map((r) => [r.round, r.peakRssMB]);
  const memory = (command) => {
    const pts = rssSeries(command);
    const all = pts.map((p) => p[1]);
    const s = slope(pts);
    return {
      runs: pts.length,
      peakRssMB: { min: Math.min(...all), median: [...all].sort((a, b) => a - b)[Math.floor(all.length / 2)], max: Math.max(...all) },
      firstTenMedianMB: [...all.slice(0, 10)].sort((a, b) => a - b)[Math.floor(Math.min(10, all.length) / 2)],
      lastTenMedianMB: [...all.slice(-10)].sort((a, b) => a - b)[Math.floor(Math.min(10, all.length) / 2)],
      slopeMBPerRound: s === null ? null : +s.toFixed(4),
    };
  };
  const faultCounts = {};
  for (const r of runs.filter((x) => x.command === 'apply')) faultCounts[r.fault] = (faultCounts[r.fault] ?? 0) + 1;
  const result = {
    seed: SEED,
    rounds: ROUNDS,
    runs: runs.length,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
    faults: faultCounts,
    exitCodes: { matched: runs.length - mismatches.length, mismatched: mismatches.length, mismatches: mismatches.slice(0, 10) },
    openShellsAfter: openShells,
    allShellsClosed: Object.values(openShells).every((n) => n === 0),
    memory: { measured: 'peak RSS of each run process (/usr/bin/time), rounds without a fault', apply: memory('apply'), preflight: memory('preflight') },
    labProcessRssMB: {
      before: labRssBeforeMB,
      after: labRssAfterMB,
      // Every tenth round, and the slope over the second half (after V8's heap has grown to its working size).
      byRound: labRssByRound.filter(([r]) => r % 10 === 0 || r === 1),
      secondHalfSlopeMBPerRound: (() => {
        const s = slope(labRssByRound.filter(([r, mb]) => r > ROUNDS / 2 && mb !== null));
        return s === null ? null : +s.toFixed(4);
      })(),
    },
    medianWallMs: {
      apply: [...runs.filter((r) => r.command === 'apply').map((r) => r.wallMs)].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)],
      preflight: [...runs.filter((r) => r.command === 'preflight').map((r) => r.wallMs)].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)],
    },
    loadAverage1m: lab.loadAverage1m(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.allShellsClosed || mismatches.length > 0) process.exitCode = 1;
} finally {
  await lab.labDown(state);
  rmSync(dir, { recursive: true, force: true });
  release();
}

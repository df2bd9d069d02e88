#!/usr/bin/env node
/**
 * Apply of a 10-step playbook on 1,000 lab hosts (issue 11: at most 15 s) and the orchestrator's peak
 * RSS there. Run `npm run build` first. One detached lab (`lab up --detach`) serves the 1,000 hosts on
 * four free /24 loopback blocks (9 app, 1 db, 1 lb, the rest web). Each case starts from fresh hosts
 * (`lab reset`), so every step changes something on every host: 10 Sets per host, each verified. The
 * built CLI is spawned for `apply --json` (preflight gate included, as a user runs it) under
 * /usr/bin/time: wall from spawn to exit, peak RSS and CPU of the apply process, and the lab process's CPU
 * over the same apply (the hosts' side shares the cores). Cases: --forks 50 (the
 * default) and a larger value; the same at --forks 50 with --skip-preflight shows what the gate costs.
 * Usage: node scripts/bench/apply-scale.mjs [--hosts 1000] [--forks 50,200] [--no-skip]
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as lab from './lib/lab.mjs';
import { cpuTimes, machineSpeed, stealShare } from './lib/machine-speed.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const HOSTS = Number(arg('hosts', '1000'));
const FORKS = arg('forks', '50,200').split(',').map(Number);
const STEPS = 10;
const CORES = availableParallelism();
const { addresses, release } = await lab.claimAddresses(HOSTS);
const dir = lab.tempDir('apply-scale');
const state = join(dir, 'state');
// powershellStartMs 0: 1,000 simulated 400 ms cold starts would be charged inside one lab process on a
// shared machine; the orchestrator's cost is what is measured (the cold start is in the exec bench).
writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses, { powershellStartMs: 0 }));
writeFileSync(join(dir, 'pb.yaml'), lab.playbookYaml(STEPS, 1));
const up = await lab.labUp(join(dir, 'inv.yaml'), state);
const labPid = (await lab.labStatus(state)).pid;
const cases = [...FORKS.map((forks) => ({ forks, skipPreflight: false })), ...(process.argv.includes('--no-skip') ? [] : [{ forks: FORKS[0], skipPreflight: true }])];
const results = [];
// The machine's speed before and after the cases: its drift is larger than most changes (lib/machine-speed.mjs).
const speedBefore = await machineSpeed();
let speedAfter = null;
try {
  for (const c of cases) {
    const reset = await lab.runCli(['lab', 'reset', '-i', 'inv.yaml', '--state', state], { cwd: dir });
    if (reset.code !== 0) throw new Error(`lab reset exited ${reset.code}: ${reset.stderr}`);
    await lab.runCli(['lab', 'reset-counters', '--state', state]);
    const load = lab.loadAverage1m();
    const labCpu0 = lab.processCpuMs(labPid);
    const machine0 = cpuTimes();
    const r = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json', '--forks', String(c.forks), ...(c.skipPreflight ? ['--skip-preflight'] : [])], { cwd: dir });
    const labCpuMs = lab.processCpuMs(labPid) - labCpu0;
    const machine = stealShare(machine0, cpuTimes());
    let summary = null;
    try {
      summary = JSON.parse(r.stdout).summary;
    } catch {
      // reported below with the exit code and stderr
    }
    const hosts = (await lab.labStatus(state)).hosts;
    results.push({
      forks: c.forks,
      preflightGate: !c.skipPreflight,
      exitCode: r.code,
      wallMs: r.wallMs,
      peakRssMB: r.peakRssMB,
      cpuMs: r.cpuMs,
      // The simulated hosts' work, on the same cores: no wall time can be below (cpuMs + labCpuMs) / cores.
      labCpuMs,
      cpuFloorMs: Math.round((r.cpuMs + labCpuMs) / CORES),
      summary,
      setCalls: hosts.reduce((a, h) => a + (h.counters.setCalls ?? 0), 0),
      requestsPerHost: +(hosts.reduce((a, h) => a + h.counters.requests, 0) / hosts.length).toFixed(2),
      loadAverage1mBefore: load,
      // The whole machine over the apply: busy, and taken by the hypervisor (steal).
      machine,
      ...(r.code !== 0 ? { stderrTail: r.stderr.slice(-1500) } : {}),
    });
  }
  speedAfter = await machineSpeed();
} finally {
  await lab.labDown(state);
  release();
}
const gated = results.filter((r) => r.preflightGate);
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'apply-scale',
      method: 'built CLI spawned under /usr/bin/time for apply --json of a 10-step playbook on fresh lab hosts (every step changes), wall from spawn to exit; peak RSS of the apply process',
      loadAverage1m: lab.loadAverage1m(),
      hosts: HOSTS,
      steps: STEPS,
      cores: CORES,
      labUpWallMs: up.wallMs,
      machineSpeed: { before: speedBefore, after: speedAfter },
      results,
      targets: { wallMs: 15_000, note: 'peak RSS has no number in issue 11; reported' },
      pass: gated.every((r) => r.exitCode === 0) && Math.min(...gated.map((r) => r.wallMs)) <= 15_000 && gated.find((r) => r.forks === 50)?.wallMs <= 15_000,
    },
    null,
    2,
  )}\n`,
);

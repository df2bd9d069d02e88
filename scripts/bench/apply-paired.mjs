#!/usr/bin/env node
/**
 * Paired before/after runs of apply-scale's case (a 10-step playbook on fresh lab hosts, every step
 * changes, `apply --json --forks 50` with the preflight gate), for judging a change on a loaded machine,
 * where wall time means little: the CPU time of the apply process (/usr/bin/time) and of the lab process
 * (/proc/<pid>/stat before and after), and the lab's WinRM requests per host.
 * Two detached labs on their own addresses: one served by the "before" build (--base: a folder holding
 * another build's dist/, ps1/ and node_modules), one by this checkout's dist/. Each round runs before,
 * then after, on a `lab reset` host set. Run `npm run build` first.
 * Usage: node scripts/bench/apply-paired.mjs --base DIR [--hosts 200] [--rounds 2] [--forks 50]
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as lab from './lib/lab.mjs';
import { machineSpeed } from './lib/machine-speed.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const base = arg('base', null);
if (!base) throw new Error('--base DIR (a folder with the "before" build: dist/, ps1/, node_modules) is required');
const HOSTS = Number(arg('hosts', '200'));
const ROUNDS = Number(arg('rounds', '2'));
const FORKS = Number(arg('forks', '50'));
const STEPS = 10;
const variants = [
  { name: 'before', cliPath: join(resolve(base), 'dist/cli/main.js') },
  { name: 'after', cliPath: lab.cli },
];

const { addresses, release } = await lab.claimAddresses(HOSTS * 2);
const labs = [];
try {
  for (const [k, v] of variants.entries()) {
    const dir = lab.tempDir(`apply-paired-${v.name}`);
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses.slice(k * HOSTS, (k + 1) * HOSTS), { powershellStartMs: 0 }));
    writeFileSync(join(dir, 'pb.yaml'), lab.playbookYaml(STEPS, 1));
    await lab.labUp(join(dir, 'inv.yaml'), state, {}, v.cliPath);
    const pid = (await lab.labStatus(state, v.cliPath)).pid;
    labs.push({ ...v, dir, state, pid });
  }
  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const l of labs) {
      const reset = await lab.runCli(['lab', 'reset', '-i', 'inv.yaml', '--state', l.state], { cwd: l.dir, cli: l.cliPath });
      if (reset.code !== 0) throw new Error(`lab reset exited ${reset.code}: ${reset.stderr}`);
      await lab.runCli(['lab', 'reset-counters', '--state', l.state], { cli: l.cliPath });
      const load = lab.loadAverage1m();
      // The machine's speed just before (lib/machine-speed.mjs): a pair is fair only if it held still.
      const speed = await machineSpeed();
      const labCpu0 = lab.processCpuMs(l.pid);
      const r = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json', '--forks', String(FORKS)], { cwd: l.dir, cli: l.cliPath });
      const labCpuMs = lab.processCpuMs(l.pid) - labCpu0;
      let summary = null;
      try {
        summary = JSON.parse(r.stdout).summary;
      } catch {
        // reported with the exit code and stderr
      }
      const hosts = (await lab.labStatus(l.state, l.cliPath)).hosts;
      const row = {
        round,
        cli: l.name,
        loadAverage1mBefore: load,
        machineSpeedTotalMs: speed.totalMs,
        exitCode: r.code,
        wallMs: r.wallMs,
        applyCpuMs: r.cpuMs,
        labCpuMs,
        peakRssMB: r.peakRssMB,
        changed: summary?.changed ?? null,
        setCalls: hosts.reduce((a, h) => a + (h.counters.setCalls ?? 0), 0),
        requestsPerHost: +(hosts.reduce((a, h) => a + h.counters.requests, 0) / hosts.length).toFixed(2),
        ...(r.code !== 0 ? { stderrTail: r.stderr.slice(-1500) } : {}),
      };
      results.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ bench: 'apply-paired', hosts: HOSTS, steps: STEPS, forks: FORKS, base: resolve(base), results }, null, 2)}\n`);
} finally {
  for (const l of labs) await lab.labDown(l.state, l.cliPath);
  release();
}

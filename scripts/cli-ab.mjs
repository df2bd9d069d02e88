#!/usr/bin/env node
/**
 * Two builds of the CLI compared on the same labs, run alternately (A, B, A, B, ...), for changes whose
 * effect is smaller than the swings of a shared machine: the CPU time of a process (`/usr/bin/time`,
 * user + system) is steadier under load than its wall time, and alternating spreads the load over both.
 * What runs: `--version`; `plan --help` and `exec --help` (a command's start, no host); `plan --json
 * --detailed-exitcode` of the plan benchmark (30 steps, 7 hosts, converged first with build B); `exec --json
 * -- hostname` on the exec benchmark's 50 hosts (lab PowerShell start 400 ms). Prints one JSON object: per
 * build and command, the median wall and CPU time and every run's, and the load average before and after.
 * Usage: node scripts/cli-ab.mjs --a OLD/dist/cli/main.js --b dist/cli/main.js [--runs 5] [--only version,help,plan,exec]
 * A's build: inside the checkout (for node_modules), with what the CLI reads beside it, e.g. before a change:
 *   mkdir .old && cp -a dist package.json .old/ && ln -s ../ps1 ../src ../examples .old/
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import * as lab from './bench/lib/lab.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const builds = { a: resolve(arg('a', '')), b: resolve(arg('b', join(lab.root, 'dist/cli/main.js'))) };
if (!arg('a')) throw new Error('--a OLD/dist/cli/main.js is required');
const RUNS = Number(arg('runs', '5'));
const only = arg('only', 'version,help,plan,exec').split(',');
const load = () => os.loadavg().map((l) => +l.toFixed(2));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** Runs `once(cli)` RUNS times per build, alternately; medians of wall and CPU per build. */
async function alternate(name, once) {
  const runs = { a: [], b: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const k of i % 2 ? ['b', 'a'] : ['a', 'b']) {
      const r = await once(builds[k]);
      if (r.code !== 0) throw new Error(`${name} with ${k} exited ${r.code}: ${r.stderr.slice(-1500)}`);
      runs[k].push({ wallMs: r.wallMs, cpuMs: r.cpuMs });
    }
  }
  const sum = (k) => ({
    wallMs: median(runs[k].map((r) => r.wallMs)),
    cpuMs: median(runs[k].map((r) => r.cpuMs)),
    allWallMs: runs[k].map((r) => r.wallMs),
    allCpuMs: runs[k].map((r) => r.cpuMs),
  });
  return { a: sum('a'), b: sum('b') };
}

const result = { method: `alternately A, B (then B, A), ${RUNS} runs each, medians; CPU = user + system (/usr/bin/time)`, builds, loadBefore: load(), cores: os.cpus().length };
if (only.includes('version')) result.version = await alternate('--version', (cli) => lab.runCli(['--version'], { cli }));
// A command's start without a host: its modules loaded, yargs run, its help printed.
if (only.includes('help')) {
  result.planHelp = await alternate('plan --help', (cli) => lab.runCli(['plan', '--help'], { cli }));
  result.execHelp = await alternate('exec --help', (cli) => lab.runCli(['exec', '--help'], { cli }));
}

if (only.includes('plan')) {
  const { addresses, release } = await lab.claimAddresses(7);
  const dir = lab.tempDir('ab-plan');
  const state = join(dir, 'state');
  writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses));
  writeFileSync(join(dir, 'pb.yaml'), lab.playbookYaml(30, 3));
  await lab.labUp(join(dir, 'inv.yaml'), state);
  try {
    const converge = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json'], { cwd: dir, cli: builds.b });
    if (converge.code !== 0) throw new Error(`apply exited ${converge.code}: ${converge.stderr.slice(-2000)}`);
    result.plan = await alternate('plan', (cli) => lab.runCli(['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json', '--detailed-exitcode'], { cwd: dir, cli }));
  } finally {
    await lab.labDown(state);
    release();
  }
}

if (only.includes('exec')) {
  const { addresses, release } = await lab.claimAddresses(50);
  const dir = lab.tempDir('ab-exec');
  const state = join(dir, 'state');
  writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses, { powershellStartMs: 400 }));
  // As scripts/bench/exec.mjs: the lab answers `hostname` itself (no pwsh pool in the measure).
  await lab.labUp(join(dir, 'inv.yaml'), state, { CORTEX_PWSH: '' });
  try {
    result.exec = await alternate('exec', (cli) => lab.runCli(['exec', '-i', 'inv.yaml', '--forks', '50', '--json', '--', 'hostname'], { cwd: dir, cli }));
  } finally {
    await lab.labDown(state);
    release();
  }
}
result.loadAfter = load();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

#!/usr/bin/env node
/**
 * Plan of a ~30-step playbook on the 7-host topology with nothing to change (issue 11: at most 1 s wall,
 * CLI start included). Run `npm run build` first. A detached lab on free loopback addresses; one apply
 * converges it, then the built CLI (dist/cli/main.js) is spawned for `plan --json --detailed-exitcode` and timed
 * from spawn to exit (median of 3). Also reported: the CLI's own start (`--version`), the plan's exit code (0:
 * no changes), the HTTP requests and PowerShell starts per host the plan cost (lab counters), and the plan
 * process's peak RSS and CPU.
 * Usage: node scripts/bench/plan.mjs [--steps 30]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lab from './lib/lab.mjs';

const i = process.argv.indexOf('--steps');
const STEPS = i > 0 ? Number(process.argv[i + 1]) : 30;
const { addresses, release } = await lab.claimAddresses(7);
const dir = lab.tempDir('plan');
const state = join(dir, 'state');
writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses));
writeFileSync(join(dir, 'pb.yaml'), lab.playbookYaml(STEPS, 3));
await lab.labUp(join(dir, 'inv.yaml'), state);
let result;
try {
  const converge = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json'], { cwd: dir });
  if (converge.code !== 0) throw new Error(`apply exited ${converge.code}: ${converge.stderr.slice(-2000)}`);
  // A code cache of this run's own, filled by one plan first (lab.ownCompileCache).
  const env = lab.ownCompileCache(dir);
  const planOnce = async () => {
    const r = await lab.runCli(['plan', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json', '--detailed-exitcode'], { cwd: dir, env });
    if (r.code !== 0) throw new Error(`plan exited ${r.code} (0: no changes): ${r.stderr.slice(-2000)}`);
    return r;
  };
  await planOnce();
  await lab.runCli(['lab', 'reset-counters', '--state', state]);
  // Three of each, the median kept: single runs on a shared 2-core machine swing by ±50 %.
  const start = await lab.medianOf(3, () => lab.runCli(['--version'], { env }));
  // --version loads no command module (src/cli/commands/catalog.ts); `plan --help` loads plan's, for comparison.
  const planStart = await lab.medianOf(3, () => lab.runCli(['plan', '--help'], { env }));
  const plan = await lab.medianOf(3, planOnce);
  const doc = JSON.parse(plan.stdout);
  const hosts = (await lab.labStatus(state)).hosts;
  const per = (k) => +(hosts.reduce((a, h) => a + h.counters[k], 0) / hosts.length).toFixed(2);
  result = {
    bench: 'plan',
    method: 'built CLI spawned for plan --json --detailed-exitcode of a converged lab, wall from spawn to exit, median of 3, code cache filled by one plan before',
    loadAverage1m: lab.loadAverage1m(),
    hosts: 7,
    steps: STEPS,
    phases: 3,
    stepHostPairs: doc.changes.length,
    changes: doc.changes.filter((c) => c.action !== 'none').length,
    exitCode: plan.code,
    wallMs: plan.wallMs,
    allWallMs: plan.allWallMs,
    cliStartMs: start.wallMs,
    allCliStartMs: start.allWallMs,
    planHelpStartMs: planStart.wallMs,
    convergeApplyWallMs: converge.wallMs,
    requestsPerHostPerPlan: +(per('requests') / 3).toFixed(2),
    powershellStartsPerHostPerPlan: +(per('powershellStarts') / 3).toFixed(2),
    peakRssMB: plan.peakRssMB,
    cpuMs: plan.cpuMs,
    targets: { wallMs: 1000 },
    pass: plan.wallMs <= 1000,
  };
} finally {
  await lab.labDown(state);
  release();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

#!/usr/bin/env node
/**
 * Getting an artifact to the hosts (issue 12, docs/artifacts.md): push (uploaded over each host's WinRM
 * session) against pull (each host downloads it from apply's HTTPS pull server), of an N MB store artifact
 * to 7 and to 50 lab hosts. One `file` step on every host, from fresh hosts (`lab reset`), so every host
 * receives the file once and re-hashes it. The built CLI is spawned for `apply --json --skip-preflight`
 * under /usr/bin/time: wall from spawn to exit, CPU and peak RSS of the apply process; and the lab
 * process's CPU over the same apply (/proc/<pid>/stat), since the lab plays the hosts' side of each copy
 * (receiving the upload, or making the download). Loopback only: the network is not what is measured,
 * the cost of each path on the workstation is.
 * Usage: node scripts/bench/artifacts.mjs [--mb 8] [--hosts 7,50]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lab from './lib/lab.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const MB = Number(arg('mb', '8'));
const HOST_COUNTS = arg('hosts', '7,50').split(',').map(Number);
const TICK_MS = 10; // USER_HZ 100

function labCpuMs(state) {
  try {
    const pid = Number(readFileSync(join(state, 'lab.pid'), 'utf8').trim().split(/\s+/)[0]);
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return null;
  }
}

const results = [];
for (const hosts of HOST_COUNTS) {
  const { addresses, release } = await lab.claimAddresses(hosts);
  const dir = lab.tempDir(`artifacts-${hosts}`);
  const state = join(dir, 'state');
  writeFileSync(join(dir, 'inv.yaml'), lab.inventoryYaml(addresses, { powershellStartMs: 0 }));
  const blob = randomBytes(MB * 1024 * 1024);
  const sha = createHash('sha256').update(blob).digest('hex');
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', 'blob.bin'), blob);
  const add = await lab.runCli(['artifacts', 'add', join(dir, 'in', 'blob.bin'), '--name', 'benchBlob', '--version', '1.0.0', '--store', join(dir, 'artifacts')], { cwd: dir });
  if (add.code !== 0) throw new Error(`artifacts add exited ${add.code}: ${add.stderr}`);
  writeFileSync(
    join(dir, 'pb.yaml'),
    [
      'name: bench-artifacts',
      'phases:',
      '  - name: stage',
      '    targets: { roles: [web, app, db, lb] }',
      '    steps:',
      '      - id: stage-blob',
      `        file: { path: 'C:\\ProgramData\\CortexInstall\\artifacts\\benchBlob\\1.0.0\\blob.bin', source: artifacts/benchBlob/1.0.0/blob.bin, sha256: ${sha} }`,
      '',
    ].join('\n'),
  );
  await lab.labUp(join(dir, 'inv.yaml'), state);
  try {
    for (const mode of ['push', 'pull']) {
      const reset = await lab.runCli(['lab', 'reset', '-i', 'inv.yaml', '--state', state], { cwd: dir });
      if (reset.code !== 0) throw new Error(`lab reset exited ${reset.code}: ${reset.stderr}`);
      const load = lab.loadAverage1m();
      const labBefore = labCpuMs(state);
      const r = await lab.runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--json', '--skip-preflight', '--forks', '50', ...(mode === 'pull' ? ['--artifacts', 'pull'] : [])], { cwd: dir });
      const labAfter = labCpuMs(state);
      let summary = null;
      try {
        summary = JSON.parse(r.stdout).summary;
      } catch {
        // reported with the exit code and stderr
      }
      results.push({
        mode,
        hosts,
        mb: MB,
        exitCode: r.code,
        wallMs: r.wallMs,
        applyCpuMs: r.cpuMs,
        applyPeakRssMB: r.peakRssMB,
        labCpuMs: labBefore === null || labAfter === null ? null : labAfter - labBefore,
        changed: summary?.changed ?? null,
        mbPerSecond: +((MB * hosts) / (r.wallMs / 1000)).toFixed(1),
        loadAverage1mBefore: load,
        ...(r.code !== 0 ? { stderrTail: r.stderr.slice(-1500) } : {}),
      });
    }
  } finally {
    await lab.labDown(state);
    release();
  }
}

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'artifacts',
      method: 'built CLI spawned under /usr/bin/time for apply --json --skip-preflight of one file step (an N MB store artifact) on fresh lab hosts, --forks 50: push (upload over WinRM) vs --artifacts pull (each host downloads from the pull server over loopback HTTPS); wall from spawn to exit, CPU of the apply process and of the lab process',
      loadAverage1m: lab.loadAverage1m(),
      results,
      pass: results.every((r) => r.exitCode === 0 && r.changed === r.hosts),
    },
    null,
    2,
  )}\n`,
);

#!/usr/bin/env node
// Benchmark of the script runner over WinRM (NTLM sealed over HTTP) against one lab host on
// 127.0.40.41: 100 probes.ping runs, resident vs one-shot. Needs `npm run build` first.
// Usage: node scripts/bench/runner.mjs [powershellStartMs, default 400: the lab's simulated cold start]   → one JSON line on stdout.
// Run by scripts/bench.sh; the line's fields are stable.
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { createMinimalExecutor, createPowerShellDispatcher } from '../../dist/lab/powershell/index.js';
import { makeSelfSignedCert, startWinrmLab } from '../../dist/lab/winrm/index.js';
import { ScriptRunner, loadScript } from '../../dist/runner/index.js';
import { openWinrmSession, winrmDefaults } from '../../dist/transport/winrm/index.js';

const startMs = Number(process.argv[2] ?? 400);
const host = { name: 'bench', address: '127.0.40.41' };
const account = { user: 'cortex', domain: 'LAB', password: 'Lab-Pa55word!' };
const lab = await startWinrmLab({
  hosts: [{ ref: host, users: [account], http: true, https: false }],
  dispatcher: createPowerShellDispatcher(createMinimalExecutor(), { powershellStartMs: () => startMs }),
  tls: makeSelfSignedCert([host.address]),
});
const session = await openWinrmSession(host, {
  scheme: 'http', port: winrmDefaults.httpPort, auth: 'ntlm', user: 'LAB\\cortex', password: account.password,
  allowUnencrypted: false, tls: { ca: null, serverName: null, insecure: false },
  operationTimeoutSec: 20, connectTimeoutMs: 5000, requestTimeoutMs: 20000,
});
const ping = loadScript('probes.ping');
const result = { bench: 'runner-resident-vs-oneshot', transport: 'winrm-ntlm-http', scripts: 100, powershellStartMs: startMs };
for (const mode of ['resident', 'oneshot']) {
  const runner = new ScriptRunner(session, { mode });
  await runner.run(ping); // warm: the resident process is started here
  const requestsBefore = lab.counters(host.name).requests;
  const latencies = [];
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    const a = performance.now();
    const r = await runner.run(ping);
    if (!r.ok) throw new Error(`ping failed: ${JSON.stringify(r.error)}`);
    latencies.push(performance.now() - a);
  }
  const totalMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  result[mode] = {
    totalMs: Math.round(totalMs),
    medianMs: Number(latencies[50].toFixed(2)),
    p95Ms: Number(latencies[95].toFixed(2)),
    httpRequestsPerScript: (lab.counters(host.name).requests - requestsBefore) / 100,
  };
  await runner.close();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
await session.close();
await lab.close();

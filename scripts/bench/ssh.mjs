#!/usr/bin/env node
/**
 * SSH transport benchmark against the lab's real OpenSSH sshd (run `npm run build` first; needs
 * /usr/sbin/sshd). The lab runs in this process, on 127.0.79.10 (SSH) and 127.0.79.11 (WinRM, for
 * comparison). Prints one JSON object:
 *   openSessionMs        median time to open an SSH session (TCP, key exchange, host key check,
 *                        public-key auth) and close it again
 *   firstScriptMs        the first script on a fresh session: exec channel, sshd's ForceCommand,
 *                        the resident powershell.exe start (the lab profile's simulated 400 ms), the script
 *   warmScriptMs         median cost of one script (probes.ping) through the runner's resident
 *                        PowerShell on a warm SSH session
 *   oneShotScriptMs      median cost of one script in one-shot mode (a channel and a process per script)
 *   winrmWarmScriptMs    the warm-session figure over WinRM (NTLM, sealed HTTP) on the same lab
 *   cpuMsPerWarmScript   CPU time of this process (client and lab) per warm SSH script
 * Usage: node scripts/bench/ssh.mjs [--scripts 100] [--opens 20] [--oneshot 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : dflt);
};
const scripts = arg('scripts', 100);
const opens = arg('opens', 20);
const oneShots = arg('oneshot', 10);

const { loadInventory } = await import('../../dist/inventory/index.js');
const { startLab } = await import('../../dist/lab/lab.js');
const { labHostsFromInventory } = await import('../../dist/lab/profile/from-inventory.js');
const { openSession } = await import('../../dist/transport/connect.js');
const { connectionSettingsOf, sshSettingsOf, hostRefOf } = await import('../../dist/connection/settings.js');
const { openSshSession } = await import('../../dist/transport/ssh/index.js');
const { ScriptRunner, loadScript } = await import('../../dist/runner/index.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 100) / 100;
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const dir = mkdtempSync(join(tmpdir(), 'cortex-bench-ssh-'));
process.env.CORTEX_LAB_PASSWORD = 'CortexLab!2026';
const file = join(dir, 'inventory.yaml');
writeFileSync(
  file,
  [
    'all:',
    '  vars:',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }",
    `    ssh: { port: 5922, user: ${userInfo().username}, key: file:lab-state/ssh/client_ed25519, knownHosts: lab-state/ssh/known_hosts }`,
    '  hosts:',
    '    sshbench: { address: 127.0.79.10, transport: ssh }',
    '    winrmbench: { address: 127.0.79.11, transport: winrm }',
    '',
  ].join('\n'),
);
const inv = await loadInventory(file);
const { hosts } = await labHostsFromInventory(inv);
const lab = await startLab({ stateDir: join(dir, 'lab-state'), hosts: hosts.map((h) => ({ ...h, https: false })) });
const sshHost = inv.hosts.find((h) => h.name === 'sshbench');
const winrmHost = inv.hosts.find((h) => h.name === 'winrmbench');
const ping = loadScript('probes.ping');

try {
  // Opening a session.
  const settings = await sshSettingsOf(sshHost, inv);
  const openTimes = [];
  for (let i = 0; i < opens; i++) {
    const t0 = performance.now();
    const s = await openSshSession(hostRefOf(sshHost), settings);
    openTimes.push(performance.now() - t0);
    await s.close();
  }

  // Resident runner on a warm session.
  const sshConnection = await connectionSettingsOf(sshHost, inv);
  const session = await openSession(sshConnection);
  const runner = new ScriptRunner(session);
  let t0 = performance.now();
  await runner.runData(ping);
  const firstScriptMs = Math.round(performance.now() - t0);
  const warm = [];
  const cpu0 = cpuMs();
  for (let i = 0; i < scripts; i++) {
    t0 = performance.now();
    await runner.runData(ping);
    warm.push(performance.now() - t0);
  }
  const cpuPerScript = (cpuMs() - cpu0) / scripts;
  await runner.close();
  await session.close();

  // One-shot mode: a channel and a powershell.exe per script.
  const s2 = await openSession(sshConnection);
  const oneShot = new ScriptRunner(s2, { mode: 'oneshot' });
  const oneShotTimes = [];
  for (let i = 0; i < oneShots; i++) {
    t0 = performance.now();
    await oneShot.runData(ping);
    oneShotTimes.push(performance.now() - t0);
  }
  await oneShot.close();
  await s2.close();

  // The same warm figure over WinRM, for comparison.
  const w = await openSession(await connectionSettingsOf(winrmHost, inv));
  const wr = new ScriptRunner(w);
  await wr.runData(ping);
  const winrmWarm = [];
  for (let i = 0; i < scripts; i++) {
    t0 = performance.now();
    await wr.runData(ping);
    winrmWarm.push(performance.now() - t0);
  }
  await wr.close();
  await w.close();

  const sshdLog = readFileSync(join(dir, 'lab-state', 'ssh', 'sshd.log'), 'utf8');
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'ssh',
        at: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
        opens,
        scripts,
        openSessionMs: median(openTimes),
        firstScriptMs,
        warmScriptMs: median(warm),
        oneShotScriptMs: median(oneShotTimes),
        winrmWarmScriptMs: median(winrmWarm),
        cpuMsPerWarmScript: Math.round(cpuPerScript * 100) / 100,
        sshLogins: (sshdLog.match(/Accepted publickey/g) ?? []).length,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await lab.stop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * apply's preflight gate, against lab hosts on this file's loopback block: a failing check or an
 * unreachable host stops the run before anything is changed; warnings stop it unless
 * --accept-warnings. The gate probes on the sessions the steps then use (one session and one
 * powershell.exe per host), and the facts it read are the ones the steps' `when:` sees. Every claim
 * about the hosts is read back from the lab (its counters and host state), not from what apply says.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runApplyCommand, type ApplyArgs } from '../../src/cli/commands/apply.js';
import { loadInventory } from '../../src/inventory/index.js';
import type { RunningLab } from '../../src/lab/lab.js';
import { RunInterrupt } from '../../src/lifecycle/interrupt.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { sink } from '../helpers/sink.js';
import { startTestLab } from '../preflight/lab-env.js';
import { acquireLock } from '../../src/engine/run/lock.js';

const net = await claimLoopbackBlock(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'cx-gate-'));
// app1 healthy; app2 has 1 core (cpu.cores fails); app3 2 cores (warns); app4 is down (refuses connections).
writeFileSync(
  join(dir, 'inv.yaml'),
  [
    'all:',
    '  vars:',
    '    transport: winrm',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }",
    "    installPath: 'C:\\Cortex'",
    '  children:',
    '    app:',
    '      hosts:',
    `        app1: { address: ${net.addr(1)} }`,
    `        app2: { address: ${net.addr(2)}, lab: { cpuCores: 1, logicalProcessors: 1 } }`,
    `        app3: { address: ${net.addr(3)}, lab: { cpuCores: 2, logicalProcessors: 4 } }`,
    `        app4: { address: ${net.addr(4)}, lab: { faults: { down: true } } }`,
    '',
  ].join('\n'),
);
// `gate` changes the host; `gated-by-facts` runs only where the facts say 4 cores or more.
writeFileSync(
  join(dir, 'pb.yaml'),
  [
    'name: gate',
    'phases:',
    '  - name: base',
    '    targets: { roles: [app] }',
    '    steps:',
    '      - id: gate',
    "        directory: { path: 'C:\\Cortex\\gate' }",
    '      - id: gated-by-facts',
    "        when: facts.cpu.cores >= 4",
    "        directory: { path: 'C:\\Cortex\\four-cores' }",
    '',
  ].join('\n'),
);

let lab: RunningLab;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ lab, stop } = await startTestLab(await loadInventory(join(dir, 'inv.yaml'))));
}, 60_000);
afterAll(async () => stop?.(), 60_000);
beforeEach(async () => {
  await lab.reset();
  lab.resetCounters();
});

async function apply(host: string, extra: Partial<ApplyArgs> = {}, root = mkdtempSync(join(tmpdir(), 'cx-gate-run-'))) {
  const stdout = sink();
  const stderr = sink();
  const code = await runApplyCommand(
    { inventory: join(dir, 'inv.yaml'), playbook: join(dir, 'pb.yaml'), limit: host, forks: 5, timeout: 60, json: false, ...extra },
    { stdout, stderr, color: false, runDir: null, root, interrupt: new RunInterrupt() },
  );
  const rt = lab.host(host)!;
  return { code, stdout: stdout.text(), stderr: stderr.text(), counters: rt.counters, directories: rt.state.machine.directories };
}

describe('apply: the preflight gate (lab)', () => {
  it('a failing check stops the run (exit 1): no Set ran, nothing changed', async () => {
    const r = await apply('app2');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Preflight failed; nothing was changed:\n {2}app2: cpu\.cores fail: 1 cores, below the minimum of 2\./);
    expect(r.counters.setCalls).toBe(0);
    expect(r.directories).not.toContain('C:\\Cortex\\gate');
  }, 60_000);

  it('an unreachable host stops the run with exit 2', async () => {
    const r = await apply('app4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app4: host\.reachable error/);
    expect(r.counters.setCalls).toBe(0);
  }, 60_000);

  it('warnings stop the run unless --accept-warnings; accepted, the apply goes ahead', async () => {
    const stopped = await apply('app3');
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/Preflight has warnings; nothing was changed:\n {2}app3: cpu\.cores warn: 2 cores, below the recommended 4\./);
    expect(stopped.stderr).toContain('--accept-warnings');
    expect(stopped.counters.setCalls).toBe(0);

    const accepted = await apply('app3', { acceptWarnings: true, json: true });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('Preflight warnings accepted (--accept-warnings)');
    expect(accepted.directories).toContain('C:\\Cortex\\gate');
    // The gate's facts (2 cores) decide the `when:`: the step is skipped, the folder not made.
    expect(accepted.directories).not.toContain('C:\\Cortex\\four-cores');
    expect(JSON.parse(accepted.stdout)).toMatchObject({ hosts: [{ name: 'app3', steps: [{ id: 'gate', status: 'changed' }, { id: 'gated-by-facts', status: 'skipped' }] }] });
  }, 120_000);

  it('a clean preflight goes ahead on the same session: one shell, one powershell.exe, the facts probe once', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cx-gate-reports-'));
    const r = await apply('app1', { reportJson: join(out, 'r.json'), reportJunit: join(out, 'r.xml'), reportHtml: join(out, 'r.html') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Preflight passed on 1 host.');
    expect(r.directories).toEqual(expect.arrayContaining(['C:\\Cortex\\gate', 'C:\\Cortex\\four-cores']));
    // The gate and the steps shared the host's session; the steps' `when:` used the gate's facts.
    expect(r.counters.shells).toBe(1);
    expect(r.counters.powershellStarts).toBe(1);
    expect(r.counters.setCalls).toBe(2);
    // Six scripts: the facts probe once (the gate's; the steps' `when:` reused its facts), three Test
    // batches (the phase's, then each Set's check) and the two Sets.
    const testBatches = Math.max(...Object.values(r.counters.steps).map((s) => s.testCalls));
    expect(testBatches).toBe(3);
    expect(r.counters.scripts).toBe(1 + testBatches + 2);

    const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as { outcome: string; exitCode: number; meta: { playbook: string } };
    expect(json).toMatchObject({ outcome: 'ok', exitCode: 0, hosts: [{ name: 'app1', steps: [{ id: 'gate', status: 'changed' }, { id: 'gated-by-facts', status: 'changed' }] }] });
    expect(json.meta.playbook).toMatch(/pb\.yaml$/);
    expect(r.stderr).toContain(`JSON report: ${join(out, 'r.json')}`);
    expect(readFileSync(join(out, 'r.xml'), 'utf8')).toMatch(/<testsuite name="app1"[\s\S]*<testcase classname="apply.app1" name="base\/gate"/);
    expect(readFileSync(join(out, 'r.html'), 'utf8')).toMatch(/<html[\s\S]*app1[\s\S]*gate/);
  }, 120_000);

  it('when the gate stops the run, --report-json says so (outcome failed, no hosts run)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cx-gate-reports-'));
    const r = await apply('app2', { reportJson: join(out, 'r.json') });
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'))).toMatchObject({ outcome: 'failed', exitCode: 1, reason: 'stopped by the preflight gate before any change', hosts: [] });
  }, 60_000);

  it('another apply holding the lock refuses the run before the gate opens any session (exit 3, no request to the host)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cx-gate-run-'));
    // This test process is the live holder (same host, its pid exists).
    const held = acquireLock({ root, inventoryFile: join(dir, 'inv.yaml'), runId: '20261203-060000-abcdef' });
    try {
      await expect(apply('app1', {}, root)).rejects.toMatchObject({ name: 'LockHeldError', exitCode: 3, message: expect.stringContaining(`pid ${process.pid}`) });
    } finally {
      held.release();
    }
    expect(lab.host('app1')!.counters.requests).toBe(0);
    expect(lab.host('app1')!.counters.shells).toBe(0);
  }, 60_000);

  it('connection settings that cannot be used (an unset env: password) stop the run once, before any host is touched, naming the problem and the hosts (exit 3)', async () => {
    const saved = process.env.CORTEX_LAB_PASSWORD;
    delete process.env.CORTEX_LAB_PASSWORD;
    try {
      const err = await apply('app1,app3', { skipPreflight: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'InputError', exitCode: 3 });
      const lines = (err as Error).message.split('\n');
      expect(lines[0]).toBe('the connection settings of 2 hosts cannot be used, so no host was touched:');
      expect(lines[1]).toMatch(/inv\.yaml:4:\d+, field winrm\.password: environment variable CORTEX_LAB_PASSWORD is not set/);
      expect(lines[2]).toBe('    hosts: app1, app3');
    } finally {
      process.env.CORTEX_LAB_PASSWORD = saved;
    }
    for (const h of ['app1', 'app3']) expect(lab.host(h)!.counters.requests, h).toBe(0);
  }, 60_000);
});

/**
 * The lab's behaviour through the real stack (ScriptRunner over WinRM, NTLM-sealed HTTP): counters per
 * step in `lab status`, step profiles, a reboot a script asks for (the result first, then WinRM refuses
 * while the host is down, then a new boot time and no pending reboot), and the quorum group's most
 * members down at once with reboots overlapping or one after the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/errors.js';
import { HANDLERS } from '../../src/lab/handlers/index.js';
import { defineHandler } from '../../src/lab/handlers/types.js';
import type { LabHostStatus, RunningLab } from '../../src/lab/lab.js';
import { TEST_BATCH_SCRIPT } from '../../src/resources/script-results.js';
import { loadScript } from '../../src/runner/index.js';
import type { ScriptRunner } from '../../src/runner/runner.js';
import { resourcesTestBatch } from '../../src/scripts/catalog.js';
import { closeRunner, openRunner, startTestLab } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

/** Stands in for the test batch's handler (another part of the lab): Tests are counted whatever they answer. */
const countingTestBatch = defineHandler({
  contract: resourcesTestBatch,
  defaultDurationMs: 1,
  setType: false,
  run: ({ params }) => ({ ok: true, data: { results: params.requests.map((r) => ({ step: r.step, error: 'not modelled by this test' })) } }),
});

const fast = { powershellStartMs: 0, rebootDownSec: 1 };
const count = { name: 'b-count', address: net.addr(1), lab: { ...fast } };
const steps = { name: 'b-steps', address: net.addr(2), lab: { ...fast, steps: { 'slow-step': { durationMs: 300 }, 'bad-step': { fail: { message: 'disk full', times: 1 } } } } };
// Down long enough that the refusal is seen however loaded the machine is.
const boot = { name: 'b-boot', address: net.addr(3), lab: { ...fast, rebootDownSec: 5, pendingReboot: true, bootTime: '2026-01-01T00:00:00Z' } };
const apps = [4, 5, 6].map((n) => ({ name: `b-app${n - 3}`, address: net.addr(n), lab: { ...fast, rebootDownSec: 2 } }));

let lab: RunningLab;
beforeAll(async () => {
  lab = await startTestLab([count, steps, boot, ...apps], {
    handlers: [...HANDLERS.filter((h) => h.id !== TEST_BATCH_SCRIPT), countingTestBatch],
    clusters: [{ name: 'app', kind: 'quorum', members: apps.map((a) => a.name) }],
  });
});
afterAll(async () => {
  await lab?.stop();
});

const hostStatus = (name: string): LabHostStatus => lab.status().hosts.find((h) => h.name === name)!;
const appCluster = () => lab.status().clusters.find((c) => c.name === 'app')!;
const REBOOT = loadScript('resources.reboot');

/** Poll a condition (timers run late on a loaded machine; no fixed sleeps). */
async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function withRunner<T>(host: { name: string; address: string }, fn: (r: ScriptRunner) => Promise<T>): Promise<T> {
  const r = await openRunner(host);
  try {
    return await fn(r);
  } finally {
    await closeRunner(r);
  }
}

describe('lab behaviour over WinRM', () => {
  it('counts Tests and Sets per step, a refused restart as a failed Set, in lab status', async () => {
    await withRunner(count, async (r) => {
      const requests = [
        { step: 'erlang', resource: 'package', params: {} },
        { step: 'rabbitmq', resource: 'package', params: {} },
        { step: 'erlang', resource: 'env_var', params: {} },
      ];
      await r.run(loadScript(TEST_BATCH_SCRIPT), { requests }, { tag: 'prereqs' });
      // A restart ten minutes out (the lab stops first), then a second ask the script refuses (its delay).
      const first = await r.run(REBOOT, { reason: 'counters', delaySeconds: 600 }, { tag: 'reboot-app' });
      expect(first.ok).toBe(true);
      const second = await r.run(REBOOT, { reason: 'again', delaySeconds: 601 }, { tag: 'reboot-app' });
      expect(second.ok).toBe(false);
      expect(second.error?.message).toMatch(/delaySeconds must be 0 to 600/);
      await r.run(loadScript('probes.ping'), {}, { tag: 'reboot-app' });
    });
    const s = hostStatus(count.name);
    expect(s.counters.steps).toEqual({
      erlang: { testCalls: 2, setCalls: 0, setFailures: 0, otherCalls: 0 },
      rabbitmq: { testCalls: 1, setCalls: 0, setFailures: 0, otherCalls: 0 },
      'reboot-app': { testCalls: 0, setCalls: 2, setFailures: 1, otherCalls: 1 },
    });
    expect(s.counters.setCalls).toBe(2);
    expect(s.counters.openShells).toBe(0);
    expect(s.scheduledRestart).toMatchObject({ delaySec: 600, comment: 'cortex-deploy: counters' });
    // The status document is a copy: the next script does not change it.
    await withRunner(count, (r) => r.run(loadScript('probes.ping'), {}, { tag: 'reboot-app' }));
    expect(s.counters.steps['reboot-app']!.otherCalls).toBe(1);
    expect(hostStatus(count.name).counters.steps['reboot-app']!.otherCalls).toBe(2);
  });

  it('step profiles: a failure naming the step, once; a duration for one step', async () => {
    await withRunner(steps, async (r) => {
      const failed = await r.run(loadScript('probes.ping'), {}, { tag: 'bad-step' });
      expect(failed.ok).toBe(false);
      expect(failed.error?.message).toBe('step bad-step: disk full (simulated failure from the lab profile)');
      expect((await r.run(loadScript('probes.ping'), {}, { tag: 'bad-step' })).ok).toBe(true);
      const slow = await r.run(loadScript('probes.ping'), {}, { tag: 'slow-step' });
      expect(slow.ok).toBe(true);
      expect(slow.durationMs).toBeGreaterThanOrEqual(300);
    });
    expect(hostStatus(steps.name).counters.faults).toBe(1);
  });

  it('a reboot: the result first, then WinRM refuses while down, then a new boot time and no pending reboot', async () => {
    const before = hostStatus(boot.name);
    expect(before).toMatchObject({ pendingReboot: true, bootTime: '2026-01-01T00:00:00Z', up: true });
    // A delay, as the agent gives one, so the result reaches the client however loaded this machine is
    // (with /t 0 the session may be cut before the result is received, on Windows as in the lab).
    const data = await withRunner(boot, (r) => r.runData(REBOOT, { reason: 'pending CBS', delaySeconds: 2 }, { tag: 'reboot' }));
    expect(data).toEqual({ rebootRequired: false, exitCode: 0, message: 'restart in 2 s (pending CBS)' });
    expect(hostStatus(boot.name)).toMatchObject({ up: true, scheduledRestart: { delaySec: 2, comment: 'cortex-deploy: pending CBS' } });
    await waitFor(() => !hostStatus(boot.name).up);
    expect(hostStatus(boot.name).rebootingUntil).not.toBeNull();
    await expect(withRunner(boot, (r) => r.runData(loadScript('probes.ping')))).rejects.toBeInstanceOf(UnreachableError);
    await waitFor(() => hostStatus(boot.name).up);
    const after = hostStatus(boot.name);
    expect(after).toMatchObject({ pendingReboot: false, rebootingUntil: null, scheduledRestart: null });
    expect(after.bootTime).not.toBe('2026-01-01T00:00:00Z');
    expect(Date.parse(after.bootTime)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(after.counters.reboots).toBe(1);
    const ping = await withRunner(boot, (r) => r.runData<{ hostName: string }>(loadScript('probes.ping')));
    expect(ping.hostName).toBe('B-BOOT');
  });

  it('quorum group: two reboots overlapping are two down at once (quorum lost); one after the other, one', async () => {
    lab.resetCounters();
    expect(appCluster()).toMatchObject({ kind: 'quorum', maxDownAtOnce: 0, quorumLost: false, faultTolerance: 1 });
    // Overlapping: both sessions ready first, then both restarts asked for at once (each 1 s later, down 2 s).
    const runners = await Promise.all(apps.slice(0, 2).map((a) => openRunner(a)));
    try {
      await Promise.all(runners.map((r) => r.runData(loadScript('probes.ping'))));
      await Promise.all(runners.map((r) => r.runData(REBOOT, { delaySeconds: 1 }, { tag: 'reboot-app' })));
    } finally {
      await Promise.all(runners.map((r) => closeRunner(r)));
    }
    await waitFor(() => appCluster().maxDownAtOnce > 0);
    await waitFor(() => apps.every((a) => hostStatus(a.name).up));
    expect(appCluster()).toMatchObject({ maxDownAtOnce: 2, quorumLost: true, downNow: [] });

    lab.resetCounters();
    expect(appCluster()).toMatchObject({ maxDownAtOnce: 0, quorumLost: false });
    for (const a of apps) {
      await withRunner(a, (r) => r.runData(REBOOT, { delaySeconds: 1 }, { tag: 'reboot-app' }));
      await waitFor(() => !hostStatus(a.name).up);
      await waitFor(() => hostStatus(a.name).up);
    }
    expect(appCluster()).toMatchObject({ maxDownAtOnce: 1, quorumLost: false });
    for (const a of apps) expect(hostStatus(a.name).counters.reboots).toBe(1);
    expect(hostStatus(apps[2]!.name).counters.steps['reboot-app']).toEqual({ testCalls: 0, setCalls: 1, setFailures: 0, otherCalls: 0 });
  }, 60_000);

  it('a host powered off by a down fault counts as down in its cluster until the fault is cleared', async () => {
    lab.resetCounters();
    await lab.setFaults(apps[0]!.name, { down: true });
    expect(appCluster()).toMatchObject({ downNow: [apps[0]!.name], maxDownAtOnce: 1 });
    await lab.reboot(apps[1]!.name, 0.2);
    expect(appCluster()).toMatchObject({ downNow: [apps[0]!.name], maxDownAtOnce: 2, quorumLost: true });
    await lab.setFaults(apps[0]!.name, {}, { replace: true });
    expect(appCluster().downNow).toEqual([]);
    expect(hostStatus(apps[0]!.name).up).toBe(true);
  });
});

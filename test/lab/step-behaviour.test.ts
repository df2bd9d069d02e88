/**
 * The executor's per-step behaviour, without sockets: counters per step (Tests from a test batch's
 * requests, Sets and their failures by the run frame's tag) and the host profile's `steps` settings
 * (duration, simulated failure once or always, its exit code), and the reboot handler's restart request.
 */
import { describe, expect, it } from 'vitest';
import { LabExecutor } from '../../src/lab/executor.js';
import { HANDLERS } from '../../src/lab/handlers/index.js';
import { defineHandler, type RestartRequest } from '../../src/lab/handlers/types.js';
import { copyCounters, resetCounters } from '../../src/lab/state/counters.js';
import { TEST_BATCH_SCRIPT } from '../../src/resources/script-results.js';
import { resourcesTestBatch } from '../../src/scripts/catalog.js';
import { labViewOf } from './differential/machines.js';
import { labHostRuntime } from './helpers.js';

/**
 * A stand-in for the test batch's handler (another helper's work): it answers every request with an
 * error, so nothing here depends on how Tests are modelled, only on how they are counted.
 */
const countingTestBatch = defineHandler({
  contract: resourcesTestBatch,
  defaultDurationMs: 1,
  setType: false,
  run: ({ params }) => ({ ok: true, data: { results: params.requests.map((r) => ({ step: r.step, error: 'not modelled by this test' })) } }),
});

function setup(lab: Record<string, unknown> = {}) {
  const ref = { name: 'app1', address: '127.0.20.201' };
  const rt = labHostRuntime(ref, lab);
  const slept: number[] = [];
  const restarts: RestartRequest[] = [];
  const ex = new LabExecutor({
    host: (n) => (n === ref.name ? rt : undefined),
    view: labViewOf([{ state: rt.state, up: true }]),
    persist: async () => undefined,
    handlers: [...HANDLERS.filter((h) => h.id !== TEST_BATCH_SCRIPT), countingTestBatch],
    sleep: async (ms) => {
      slept.push(ms);
    },
    power: () => ({ scheduledRestart: () => null, scheduleRestart: (req) => restarts.push(req) }),
  });
  const run = (scriptId: string, params: Record<string, unknown> = {}, tag?: string) =>
    ex.run({ host: ref, scriptId, script: `# cortex-script: ${scriptId}\nInvoke-CortexScript { }`, params, timeoutMs: 10_000, ...(tag !== undefined ? { tag } : {}) });
  return { rt, run, slept, restarts };
}

const envelope = (o: { output: string[] }) => JSON.parse(o.output.at(-1)!) as { ok: boolean; data: unknown; error: { message: string; category: string } | null };

describe('counters per step', () => {
  it('a test batch counts one Test per request, for the step each request names', async () => {
    const { rt, run } = setup();
    const requests = [
      { step: 'erlang', resource: 'package', params: {} },
      { step: 'erlang-env', resource: 'env_var', params: {} },
      { step: 'erlang', resource: 'file', params: {} },
    ];
    await run(TEST_BATCH_SCRIPT, { requests }, 'phase-prereqs');
    expect(rt.counters.steps).toEqual({
      erlang: { testCalls: 2, setCalls: 0, setFailures: 0, otherCalls: 0 },
      'erlang-env': { testCalls: 1, setCalls: 0, setFailures: 0, otherCalls: 0 },
    });
    expect(rt.counters.setCalls).toBe(0);
  });

  it('Sets by tag, failed ones apart; untagged Sets only in the host total; other scripts as otherCalls', async () => {
    const { rt, run } = setup({ steps: { 'reboot-app': { fail: { message: 'no', times: 1 } } } });
    await run('resources.reboot', { delaySeconds: 5 }, 'reboot-app'); // fails by the profile
    await run('resources.reboot', { delaySeconds: 5 }, 'reboot-app');
    await run('resources.reboot', { delaySeconds: 900 }, 'reboot-other'); // the script refuses it
    await run('resources.reboot', { delaySeconds: 5 }); // no tag
    await run('probes.ping', {}, 'reboot-app');
    expect(rt.counters.setCalls).toBe(4);
    expect(rt.counters.steps).toEqual({
      'reboot-app': { testCalls: 0, setCalls: 2, setFailures: 1, otherCalls: 1 },
      'reboot-other': { testCalls: 0, setCalls: 1, setFailures: 1, otherCalls: 0 },
    });
  });

  it('a step named like an Object member is a step like any other; copies are deep; reset is in place', async () => {
    const { rt, run } = setup();
    await run('probes.ping', {}, '__proto__');
    await run('probes.ping', {}, 'constructor');
    expect(Object.keys(rt.counters.steps).sort()).toEqual(['__proto__', 'constructor']);
    const copy = copyCounters(rt.counters);
    const key: string = 'constructor';
    rt.counters.steps[key]!.otherCalls++;
    expect(copy.steps[key]!.otherCalls).toBe(1);
    const same = rt.counters;
    resetCounters(rt.counters);
    expect(same).toBe(rt.counters);
    expect(rt.counters).toMatchObject({ scripts: 0, steps: {} });
  });
});

describe('step profiles', () => {
  it("durationMs replaces the handler's duration for that step only, times the slow factor", async () => {
    const { run, slept } = setup({ steps: { slow: { durationMs: 700 } }, faults: { slowFactor: 2 } });
    await run('probes.ping', {}, 'slow');
    await run('probes.ping', {}, 'other');
    await run('probes.ping');
    expect(slept[0]).toBe(1400);
    expect(slept[1]).toBe(slept[2]);
    expect(slept[1]).not.toBe(1400);
  });

  it('fail: the script fails with an honest error naming the step; times: 2 fails the first two runs only', async () => {
    const { rt, run, restarts } = setup({ steps: { 'install-erlang': { fail: { message: 'installer exited 1603', times: 2 } } } });
    for (let i = 0; i < 2; i++) {
      const o = await run('resources.reboot', {}, 'install-erlang');
      expect(o.exitCode).toBe(1);
      expect(envelope(o)).toEqual({
        ok: false,
        data: null,
        error: { message: 'step install-erlang: installer exited 1603 (simulated failure from the lab profile)', category: 'NotSpecified' },
      });
    }
    // A failed step had no effect.
    expect(restarts).toEqual([]);
    const ok = await run('resources.reboot', {}, 'install-erlang');
    expect(envelope(ok).ok).toBe(true);
    expect(restarts).toEqual([{ delaySec: 5, comment: 'cortex-deploy: cortex-deploy' }]);
    expect(rt.counters.faults).toBe(2);
  });

  it('fail without times fails every run, with the exit code the profile gives; other steps are untouched', async () => {
    const { run } = setup({ steps: { broken: { fail: { message: 'boom' }, exitCode: 3 } } });
    for (let i = 0; i < 3; i++) {
      const o = await run('probes.ping', {}, 'broken');
      expect(o.exitCode).toBe(3);
      expect(envelope(o).error?.message).toBe('step broken: boom (simulated failure from the lab profile)');
    }
    expect((await run('probes.ping', {}, 'fine')).exitCode).toBe(0);
    expect((await run('probes.ping')).exitCode).toBe(0);
  });

  it('ad-hoc text with a failing step fails as a thrown error record, without running anything', async () => {
    const { run } = setup({ steps: { adhoc: { fail: { message: 'nope' } } } });
    const o = await run('adhoc', {}, 'adhoc');
    expect(o.exitCode).toBe(1);
    expect(o.errors[0]).toMatchObject({ message: 'step adhoc: nope (simulated failure from the lab profile)', fullyQualifiedErrorId: 'CortexLabStepFailure' });
  });
});

describe('resources.reboot handler', () => {
  it('without a lab around it (no power control) it fails as not emulated instead of pretending', async () => {
    const handler = HANDLERS.find((h) => h.id === 'resources.reboot')!;
    const r = await handler.run({ host: { name: 'x', address: '127.0.0.9' }, state: setup().rt.state, params: {}, lab: labViewOf([]), now: () => new Date() });
    expect(r).toMatchObject({ ok: false, error: { category: 'NotImplemented', message: expect.stringMatching(/not emulated by the lab/) } });
  });
});

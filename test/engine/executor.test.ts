/**
 * The executor against an in-memory fake HostAgent (fake-agent.ts) that records every call: exact call
 * orders, idempotence (a second apply runs no Set), quorum reboots, max-fail, retries, timeouts,
 * barriers, health gates, handlers, Ctrl-C and resume.
 */
import { describe, expect, it } from 'vitest';
import { apply, applyDocument, pretestRequests, type ApplyOptions } from '../../src/engine/apply/executor.js';
import type { RunEvent } from '../../src/engine/apply/events.js';
import { FakeWorld } from './fake-agent.js';
import { loadSite } from './support.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';

async function setup(file: string, start: 'fresh' | 'in-sync' = 'fresh') {
  const { inv, pb } = await loadSite(file);
  const world = new FakeWorld(pb, start, inv.groups);
  const sleeps: number[] = [];
  const events: RunEvent[] = [];
  const run = (extra: Partial<ApplyOptions> = {}) =>
    apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, sleep: async (ms) => void sleeps.push(ms), onEvent: (e) => events.push(e), ...extra });
  return { inv, pb, world, sleeps, events, run };
}

/** A playbook written inline (its lines), over the fixtures' inventory. */
async function inlinePlaybook(lines: string[]) {
  const { inv } = await loadSite('small.yaml');
  return { inv, pb: parsePlaybook([...lines, ''].join('\n'), '/virtual/pb.yaml', inv) };
}

describe('apply: order and idempotence', () => {
  it('runs each change once, in schedule order, verifying each Set; a second apply runs no Set', async () => {
    const { world, run } = await setup('small.yaml');
    const first = await run();
    expect(first.exitCode).toBe(0);
    expect(world.calls).toEqual([
      'app1 facts', 'app2 facts', 'app3 facts', 'db1 facts',
      'app1 test dir,env', 'app2 test dir,env', 'app3 test dir,env',
      // Each Set is verified by a Test that also refreshes the host's remaining steps of the batch.
      'app1 set dir', 'app1 test dir,env', 'app2 set dir', 'app2 test dir,env', 'app3 set dir', 'app3 test dir,env',
      'app1 set env', 'app1 test env', 'app2 set env', 'app2 test env', 'app3 set env', 'app3 test env',
      'app1 set restart', 'app2 set restart', 'app3 set restart',
      'app1 test app-file', 'app2 test app-file', 'app3 test app-file', 'db1 test db-dir',
      'db1 set db-dir', 'db1 test db-dir',
      'app1 set app-file', 'app1 test app-file', 'app2 set app-file', 'app2 test app-file', 'app3 set app-file', 'app3 test app-file',
    ]);
    expect(first.summary).toEqual({ hosts: 4, ok: 0, changed: 13, failed: 0, skipped: 0, unreachable: 0 });

    world.calls.length = 0;
    const second = await run();
    expect(world.setsOf()).toEqual([]);
    expect(world.calls).toEqual(['app1 facts', 'app2 facts', 'app3 facts', 'db1 facts', 'app1 test dir,env', 'app2 test dir,env', 'app3 test dir,env', 'app1 test app-file', 'app2 test app-file', 'app3 test app-file', 'db1 test db-dir']);
    expect(second.summary).toEqual({ hosts: 4, ok: 10, changed: 0, failed: 0, skipped: 0, unreachable: 0 });
    expect(second.hosts.every((h) => h.status === 'ok')).toBe(true);
  });

  it('the 7-host site: rolling phase one host at a time with a health gate after each; run_once only on its host', async () => {
    const { world, run, events } = await setup('site.yaml');
    const r = await run({ forks: 10 });
    expect(r.exitCode).toBe(0);
    expect(world.setsOf().filter((c) => c.endsWith('sf-cluster'))).toEqual(['app2 set sf-cluster']);
    const appSets = world.calls.filter((c) => /^(app\d) (set (erlang|rabbit-dir|rabbit-nodes)|test app\.health\.1)/.test(c));
    expect(appSets).toEqual([
      'app1 set erlang', 'app1 set rabbit-dir', 'app1 set rabbit-nodes', 'app1 test app.health.1',
      'app2 set erlang', 'app2 set rabbit-dir', 'app2 set rabbit-nodes', 'app2 test app.health.1',
      'app3 set erlang', 'app3 set rabbit-dir', 'app3 set rabbit-nodes', 'app3 test app.health.1',
    ]);
    expect(events.filter((e) => e.type === 'health-gate').map((e) => (e as { ok: boolean }).ok)).toEqual([true, true, true]);
    // The handler notified by rabbit-dir ran once per app host, after the app phase's steps.
    expect(world.setsOf().filter((c) => c.endsWith('restart-rabbitmq'))).toEqual(['app1 set restart-rabbitmq', 'app2 set restart-rabbitmq', 'app3 set restart-rabbitmq']);
    world.calls.length = 0;
    const again = await run({ forks: 10 });
    expect(world.setsOf()).toEqual([]);
    expect(again.summary.changed).toBe(0);
  });

  it('emits host started, step started and finished (status, diff, duration), host finished; apply --json has design.md shape', async () => {
    const { run, events } = await setup('small.yaml');
    const r = await run();
    expect(events[0]).toMatchObject({ type: 'run-started', playbook: 'small', hosts: ['app1', 'app2', 'app3', 'db1'] });
    const fin = events.find((e) => e.type === 'step-finished' && e.host === 'app1' && e.step === 'dir');
    expect(fin).toMatchObject({ status: 'changed', diff: { action: 'create', from: null, to: { exists: true } }, attempts: 1, notified: ['restart'] });
    expect(typeof (fin as { durationMs: number }).durationMs).toBe('number');
    expect(events.filter((e) => e.type === 'host-finished').map((e) => `${e.host}:${(e as { status: string }).status}`)).toEqual(['app1:changed', 'app2:changed', 'app3:changed', 'db1:changed']);
    expect(events.at(-1)).toEqual({ type: 'run-finished', outcome: 'ok', reason: undefined });
    const doc = applyDocument(r);
    expect(doc.hosts[3]).toEqual({ name: 'db1', steps: [{ id: 'db-dir', status: 'changed', durationMs: expect.any(Number), message: undefined }] });
  });
});

describe('apply: reboots', () => {
  it('never reboots two members of a quorum at once, even when they run in parallel; fresh facts after each reboot', async () => {
    const { world, run } = await setup('small.yaml');
    world.rebootMs = 30;
    for (const h of ['app1', 'app2', 'app3']) world.on(h, 'dir', { rebootRequired: true, ms: 5 });
    const r = await run({ forks: 10 });
    expect(r.exitCode).toBe(0);
    expect(world.maxDown.get('app')).toBe(1);
    expect([...world.bootCount.entries()].sort()).toEqual([['app1', 1], ['app2', 1], ['app3', 1]]);
    for (const h of ['app1', 'app2', 'app3']) {
      const i = world.calls.indexOf(`${h} reboot`);
      expect(world.calls.slice(i + 1)).toContain(`${h} facts`);
    }
  });

  it('end_of_phase reboots after the phase (db), and a step with reboot_policy never only reports it', async () => {
    const { world, run, events } = await setup('small.yaml');
    world.on('db1', 'db-dir', { rebootRequired: true });
    await run();
    const i = world.calls.indexOf('db1 reboot');
    expect(i).toBeGreaterThan(world.calls.indexOf('app3 test app-file', world.calls.indexOf('app1 set app-file')));
    const fin = events.find((e) => e.type === 'step-finished' && e.step === 'db-dir');
    expect(fin).toMatchObject({ rebootRequired: true, message: 'reboot pending (at the end of the phase)' });
  });
});

describe('apply: failures', () => {
  it('max_fail_percentage 0: a failing host stops the run after the running step; report names host and step; exit 1', async () => {
    const { world, run } = await setup('small.yaml');
    world.on('app2', 'dir', { failTimes: Infinity });
    const r = await run({ forks: 10 });
    expect(r.exitCode).toBe(1);
    expect(r.reason).toBe('max_fail_percentage 0% exceeded in phase one: 1 of 3 hosts failed (app2: step dir: msiexec exit code 1603: fatal error during installation)');
    expect(world.setsOf()).toEqual(['app1 set dir', 'app2 set dir', 'app3 set dir']);
    expect(r.hosts.find((h) => h.name === 'app2')).toMatchObject({ status: 'failed', steps: [{ id: 'dir', status: 'failed', message: 'msiexec exit code 1603: fatal error during installation' }] });
  });

  it('max_fail_percentage 34 on a rolling phase of 3: one failed host is tolerated, the others finish', async () => {
    const { world, run } = await setup('site.yaml');
    world.on('app1', 'erlang', { failTimes: Infinity });
    const r = await run({ forks: 10 });
    expect(world.setsOf('app2')).toContain('app2 set erlang');
    expect(world.setsOf('app3')).toContain('app3 set erlang');
    expect(world.setsOf('app1')).toEqual(['app1 set install-dir', 'app1 set tls12', 'app1 set erlang', 'app1 set erlang', 'app1 set erlang']);
    // sf-cluster's barrier needs every earlier step verified everywhere: app1 failed erlang.
    expect(r.reason).toBe('barrier before step sf-cluster: host app1 has not verified step erlang (it failed)');
    expect(world.setsOf().some((c) => c.endsWith('sf-cluster'))).toBe(false);
    expect(r.exitCode).toBe(1);
  });

  it('retries with backoff: fails twice then succeeds; delays 2 s then 6 s', async () => {
    const { world, run, sleeps, events } = await setup('small.yaml');
    world.on('app1', 'env', { failTimes: 2 });
    const r = await run();
    expect(r.exitCode).toBe(0);
    expect(sleeps).toEqual([2000, 6000]);
    expect(world.setsOf('app1').filter((c) => c.endsWith('env'))).toHaveLength(3);
    expect(events.find((e) => e.type === 'step-finished' && e.host === 'app1' && e.step === 'env')).toMatchObject({ status: 'changed', attempts: 3 });
  });

  it('a Set that does not finish within the timeout is aborted and fails the step', async () => {
    const { world, run } = await setup('small.yaml');
    world.on('app2', 'app-file', { hang: true });
    const r = await run();
    expect(world.setAborted).toEqual(['app2/app-file']);
    expect(r.hosts.find((h) => h.name === 'app2')!.steps.find((s) => s.id === 'app-file')).toMatchObject({ status: 'failed', message: 'Set did not finish within 0 s (timeout)' });
    expect(r.exitCode).toBe(1);
  });

  it('a Set that reports success but changes nothing fails verification', async () => {
    const { world, run } = await setup('small.yaml');
    world.on('app1', 'dir', { noEffect: true });
    const r = await run();
    expect(r.hosts[0]!.steps[0]).toMatchObject({ id: 'dir', status: 'failed', message: 'still differs after Set: null → {"exists":true}' });
  });

  it('an unreachable host: named, counted against max-fail, exit 2', async () => {
    const { world, run } = await setup('small.yaml');
    world.unreachable.add('db1');
    const r = await run();
    expect(r.hosts.find((h) => h.name === 'db1')).toMatchObject({ status: 'unreachable' });
    expect(r.reason).toBe('max_fail_percentage 0% exceeded in phase two: 1 of 4 hosts failed (db1: connection refused)');
    expect(world.setsOf().some((c) => c.endsWith('app-file'))).toBe(false);
    expect(r.exitCode).toBe(2);
  });

  it('a failing health gate stops the rolling phase after re-testing, naming host and check', async () => {
    const { world, run, sleeps } = await setup('site.yaml');
    world.states.get('app1')!.set('app.health.1', { exists: true, state: 'stopped', startupType: 'automatic' });
    const r = await run({ forks: 10 });
    expect(world.calls.filter((c) => c === 'app1 test app.health.1')).toHaveLength(4);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(r.reason).toBe('health gate after batch 1 of phase app failed: host app1, check app.health.1: service RabbitMQ is not in its desired state ({"state":"stopped"} → {"state":"running"})');
    expect(world.setsOf('app2').some((c) => c.endsWith('erlang'))).toBe(false);
  });
});

describe('apply: Ctrl-C and resume', () => {
  it('on abort, running steps finish and nothing new starts; exit 130', async () => {
    const { world, run } = await setup('small.yaml');
    const ac = new AbortController();
    world.on('app2', 'dir', { onStart: () => ac.abort(), ms: 20 });
    const r = await run({ forks: 10, signal: ac.signal });
    expect(r.exitCode).toBe(130);
    expect(r.outcome).toBe('interrupted');
    // app1 and app2 had started and finish (verified); app3 had not started, and env never starts.
    expect(world.setsOf()).toEqual(['app1 set dir', 'app2 set dir']);
    expect(r.hosts.flatMap((h) => h.steps.map((s) => `${h.name}/${s.id}:${s.status}`))).toEqual(['app1/dir:changed', 'app2/dir:changed']);
    expect(world.calls.filter((c) => c.includes('restart'))).toEqual([]);
  });

  it('resume: finished steps are neither tested nor set again; pending handlers still run', async () => {
    const { world, run } = await setup('small.yaml');
    // The interrupted run finished dir on every app host (Set done, handler notified) and env on app1.
    for (const h of ['app1', 'app2', 'app3']) world.states.get(h)!.set('dir', { exists: true, isDirectory: true });
    world.states.get('app1')!.set('env', { value: '1' });
    const r = await run({
      resume: { done: { app1: { dir: 'changed', env: 'changed' }, app2: { dir: 'changed' }, app3: { dir: 'changed' } }, notified: { app1: ['restart'], app2: ['restart'], app3: ['restart'] }, rebootPending: [] },
    });
    expect(r.exitCode).toBe(0);
    expect(world.calls.slice(4, 6)).toEqual(['app2 test env', 'app3 test env']);
    expect(world.setsOf().filter((c) => / set (dir|env)$/.test(c))).toEqual(['app2 set env', 'app3 set env']);
    expect(world.setsOf().filter((c) => c.endsWith('restart'))).toEqual(['app1 set restart', 'app2 set restart', 'app3 set restart']);
    expect(r.summary.changed).toBe(2 + 3 + 1 + 3);
  });
});

describe('apply: barriers', () => {
  it('with max-fail allowing it, a barrier still refuses to pass a host that has not verified an earlier step', async () => {
    const { inv, pb } = await loadSite('small.yaml');
    for (const p of pb.phases) p.maxFailPercentage = 100;
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    world.on('db1', 'db-dir', { failTimes: Infinity });
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, sleep: async () => {} });
    expect(r.reason).toBe('barrier before step app-file: host db1 has not verified step db-dir (it failed)');
    expect(world.setsOf().some((c) => c.endsWith('app-file'))).toBe(false);
    expect(r.exitCode).toBe(1);
  });
});

describe('apply: the 30-step playbook over 7 hosts', () => {
  it('fresh: every step once; a 3010 on each app server reboots them one at a time; then a second apply runs no Set', async () => {
    const { pb, world, run } = await setup('thirty-steps.yaml');
    expect(pb.phases.reduce((n, p) => n + p.steps.length, 0)).toBe(28);
    world.rebootMs = 10;
    for (const h of ['app1', 'app2', 'app3']) world.on(h, 'service-fabric', { rebootRequired: true });
    world.on('db1', 'db-scripts', { rebootRequired: true });
    const r = await run({ forks: 10 });
    expect(r.exitCode).toBe(0);
    const sets = world.setsOf();
    expect(new Set(sets).size).toBe(sets.length);
    expect(world.maxDown.get('app')).toBe(1);
    expect([...world.bootCount.entries()].sort()).toEqual([['app1', 1], ['app2', 1], ['app3', 1], ['db1', 1]]);
    // The reboot resource finds nothing pending after the immediate reboot: no second reboot.
    expect(world.calls.filter((c) => c.endsWith(' reboot'))).toHaveLength(4);
    expect(r.summary.failed).toBe(0);

    world.calls.length = 0;
    const again = await run({ forks: 10 });
    expect(world.setsOf()).toEqual([]);
    expect(again.summary.changed).toBe(0);
    expect(again.exitCode).toBe(0);
  });
});

describe('apply: state changed by an earlier step', () => {
  it('a step configuring what an earlier step installed sees the state after it (the verify Test refreshes the rest), with no extra round trip', async () => {
    const { inv } = await loadSite('small.yaml');
    const pb = parsePlaybook(
      `name: svc
phases:
  - name: one
    targets: { hosts: [lb1] }
    steps:
      - id: pkg
        package: { name: gobetween, path: 'C:\\g.msi', productCode: '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}' }
      - id: svc
        service: { name: gobetween, state: running }
`,
      'svc.yaml',
      inv,
    );
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    world.states.get('lb1')!.set('svc', { exists: false, state: null, startupType: null });
    world.on('lb1', 'pkg', { effect: (st) => st.set('svc', { exists: true, state: 'stopped', startupType: 'automatic' }) });
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 1, sleep: async () => {} });
    expect(r.exitCode).toBe(0);
    expect(world.calls).toEqual(['lb1 facts', 'lb1 test pkg,svc', 'lb1 set pkg', 'lb1 test pkg,svc', 'lb1 set svc', 'lb1 test svc']);
  });
});

describe('apply: --limit', () => {
  it('runs only the named hosts; barriers and max-fail look only at them', async () => {
    const { world, run } = await setup('small.yaml');
    const r = await run({ hosts: ['app1', 'app2'] });
    expect(r.exitCode).toBe(0);
    expect(r.hosts.map((h) => h.name)).toEqual(['app1', 'app2']);
    expect(world.calls.some((c) => c.startsWith('app3 ') || c.startsWith('db1 '))).toBe(false);
    // app-file's barrier names db (not in this run): it does not hold the limited run back.
    expect(world.setsOf().filter((c) => c.endsWith('app-file'))).toEqual(['app1 set app-file', 'app2 set app-file']);
  });
});

describe('apply: the Set and its verifying Test in one round trip (an agent that pipelines them)', () => {
  /** The run's events without durations and times (they differ from run to run). */
  const shape = (events: RunEvent[]) => events.map((e) => ({ ...e, durationMs: undefined, at: undefined }));

  it('same steps, statuses, diffs and events as a Set then a Test; each change is one setAndTest', async () => {
    const plain = await setup('small.yaml');
    const a = await plain.run();
    const piped = await setup('small.yaml');
    piped.world.pipelined = true;
    const b = await piped.run();
    expect(applyDocument({ ...b, hosts: b.hosts.map((h) => ({ ...h, steps: h.steps.map((s) => ({ ...s, durationMs: 0 })) })) })).toEqual(
      applyDocument({ ...a, hosts: a.hosts.map((h) => ({ ...h, steps: h.steps.map((s) => ({ ...s, durationMs: 0 })) })) }),
    );
    expect(shape(piped.events)).toEqual(shape(plain.events));
    // Handlers (restart) are not verified: a plain Set. Every other change: setAndTest, then the same Set and Test as before.
    expect(piped.world.calls.filter((c) => c.startsWith('app1 '))).toEqual([
      'app1 facts', 'app1 test dir,env',
      'app1 set+test dir', 'app1 set dir', 'app1 test dir,env',
      'app1 set+test env', 'app1 set env', 'app1 test env',
      'app1 set restart',
      'app1 test app-file',
      'app1 set+test app-file', 'app1 set app-file', 'app1 test app-file',
    ]);
  });

  it('a failed Set is retried and its Test answer is not read; a Set that changes nothing still fails verification', async () => {
    const { world, run, sleeps, events } = await setup('small.yaml');
    world.pipelined = true;
    world.on('app1', 'env', { failTimes: 2 });
    expect((await run()).exitCode).toBe(0);
    expect(sleeps).toEqual([2000, 6000]);
    expect(world.calls.filter((c) => c.startsWith('app1 set+test env'))).toHaveLength(3);
    expect(events.find((e) => e.type === 'step-finished' && e.host === 'app1' && e.step === 'env')).toMatchObject({ status: 'changed', attempts: 3 });

    const other = await setup('small.yaml');
    other.world.pipelined = true;
    other.world.on('app2', 'dir', { noEffect: true });
    const r = await other.run();
    expect(r.hosts.find((h) => h.name === 'app2')!.steps[0]).toMatchObject({ id: 'dir', status: 'failed', message: 'still differs after Set: null → {"exists":true}' });
    expect(r.exitCode).toBe(1);
  });
});

describe('apply: a run_once handler', () => {
  const playbook = (inv: Parameters<typeof parsePlaybook>[2]) =>
    parsePlaybook(
      `name: once
handlers:
  - id: restart-all
    run_once: true
    exec: { run: 'Restart-Everything' }
phases:
  - name: one
    targets: { roles: [app] }
    steps:
      - id: dir
        directory: { path: 'C:\\a' }
        notify: restart-all
`,
      'once.yaml',
      inv,
    );

  it('runs once, on the first notifier, however many hosts notified it; nothing notified: not at all', async () => {
    const { inv } = await loadSite('small.yaml');
    const pb = playbook(inv);
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 3, sleep: async () => {} });
    expect(r.exitCode).toBe(0);
    expect(world.setsOf().filter((c) => c.endsWith('restart-all'))).toEqual(['app1 set restart-all']);
    world.calls.length = 0;
    const again = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 3, sleep: async () => {} });
    expect(again.summary.changed).toBe(0);
    expect(world.setsOf()).toEqual([]);
  });

  it('one notifier that is not the first host: the handler runs once, on that notifier', async () => {
    const { inv } = await loadSite('small.yaml');
    const pb = playbook(inv);
    const world = new FakeWorld(pb, 'in-sync', inv.groups);
    world.states.get('app3')!.set('dir', { exists: false, isDirectory: false });
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 3, sleep: async () => {} });
    expect(r.exitCode).toBe(0);
    expect(world.setsOf()).toEqual(['app3 set dir', 'app3 set restart-all']);
  });
});

describe('pretestRequests: the Tests the preflight gate sends ahead are exactly the run\'s first Test of each host', () => {
  /** Each host's first Test of the run, as the executor asked it (step ids). */
  const firstTests = (calls: string[]) => {
    const out = new Map<string, string>();
    for (const c of calls) {
      const [host, verb, steps] = c.split(' ');
      if (verb === 'test' && !out.has(host!)) out.set(host!, steps!);
    }
    return out;
  };

  it('small.yaml (no conditions): every host of the first batch, the same steps and params the executor then asks for', async () => {
    const { inv, pb, world, run } = await setup('small.yaml');
    const hosts = inv.hosts.map((h) => h.name);
    const pre = pretestRequests(pb, inv, hosts);
    expect((await run()).exitCode).toBe(0);
    const first = firstTests(world.calls);
    expect([...pre.keys()].sort()).toEqual(['app1', 'app2', 'app3']);
    for (const [h, requests] of pre) {
      expect(requests.map((q) => q.step).join(','), h).toBe(first.get(h));
      for (const q of requests) expect(q.params).toEqual(pb.phases[0]!.steps.find((s) => s.id === q.step)!.params[h]);
    }
    // db1 is not in the first phase: its first Test comes after app hosts changed, so nothing ahead.
    expect(pre.has('db1')).toBe(false);
  });

  it('a `when:` on vars is decided ahead; a host whose first batch has a `when:` on facts gets nothing ahead (its Test needs the facts anyway)', async () => {
    const { inv, pb } = await inlinePlaybook([
      'name: conditions',
      'phases:',
      '  - name: one',
      '    targets: { roles: [web, app, db] }',
      '    steps:',
      '      - id: everywhere',
      "        directory: { path: 'C:\\a' }",
      '      - id: on-app-only',
      "        when: \"'app' in host.roles\"",
      "        directory: { path: 'C:\\b' }",
      '      - id: by-facts',
      '        targets: { hosts: [web1] }',
      '        when: facts.os.build >= 14393',
      "        directory: { path: 'C:\\c' }",
    ]);
    const pre = pretestRequests(pb, inv, inv.hosts.map((h) => h.name));
    expect(pre.get('app1')?.map((q) => q.step)).toEqual(['everywhere', 'on-app-only']);
    expect(pre.get('db1')?.map((q) => q.step)).toEqual(['everywhere']);
    expect(pre.has('web1')).toBe(false);
    expect(pre.get('web2')?.map((q) => q.step)).toEqual(['everywhere']);
  });

  it('resume: steps the interrupted run finished are not asked (a failed one is)', async () => {
    const { inv, pb } = await loadSite('small.yaml');
    const pre = pretestRequests(pb, inv, ['app1', 'app2', 'app3'], { done: { app1: { dir: 'changed' }, app2: { dir: 'failed' }, app3: { dir: 'ok', env: 'changed' } }, notified: {}, rebootPending: [] });
    expect(pre.get('app1')?.map((q) => q.step)).toEqual(['env']);
    expect(pre.get('app2')?.map((q) => q.step)).toEqual(['dir', 'env']);
    expect(pre.has('app3')).toBe(false);
  });
});

describe('apply: a host the run is done with is told so after its last step (its session can end while others work)', () => {
  it('small.yaml: db1 after its only step; the app servers too, after their last step (their handler already ran in phase one); nothing asked of them after', async () => {
    const { world, run } = await setup('small.yaml');
    expect((await run()).exitCode).toBe(0);
    expect([...world.ended].sort()).toEqual(['app1', 'app2', 'app3', 'db1']);
    expect(world.usedAfterDone).toEqual([]);
    // Told right after its last step (and its verifying Test), before the app servers' app-file: not at the end of the run.
    const at = (c: string) => world.calls.indexOf(c);
    expect(world.endedAfterCalls.get('db1')).toBe(world.calls.lastIndexOf('db1 test db-dir') + 1);
    expect(world.endedAfterCalls.get('db1')).toBeLessThanOrEqual(at('app1 set app-file'));
  });

  it('the 7-host site (handlers, reboots, drains, health gates, run_once): no host is asked anything after it was told done', async () => {
    for (const start of ['fresh', 'in-sync'] as const) {
      const { world, run } = await setup('site.yaml', start);
      expect((await run()).exitCode, start).toBe(0);
      expect(world.usedAfterDone, start).toEqual([]);
      expect(world.ended.length, start).toBeGreaterThan(0);
    }
  });

  it('a host with a handler still to run, or a deferred reboot, is not told done after its last step', async () => {
    const { inv, pb } = await inlinePlaybook([
      'name: later-work',
      'reboots:',
      '  db: { policy: end_of_phase }',
      'handlers:',
      '  - id: restart',
      "    exec: { run: 'Restart-Service X' }",
      'phases:',
      '  - name: one',
      '    targets: { roles: [app, db] }',
      '    steps:',
      '      - id: dir',
      "        directory: { path: 'C:\\a' }",
      '        notify: restart',
    ]);
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    world.on('db1', 'dir', { rebootRequired: true });
    const r = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 2, sleep: async () => {} });
    expect(r.exitCode).toBe(0);
    // Every host notified the handler (and db1 has a reboot pending): none was told done early.
    expect(world.ended).toEqual([]);
    expect(world.calls.filter((c) => / set restart| reboot/.test(c)).sort()).toEqual(['app1 set restart', 'app2 set restart', 'app3 set restart', 'db1 reboot', 'db1 set restart']);
  });
});

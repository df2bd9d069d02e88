/**
 * The apply console reporter fed run events: plain lines when not a TTY, a live line redrawn in place
 * on one (fake TTY stream with columns, pinned clock), the recap's counts, colours only when asked,
 * and no host text reaching the terminal raw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyConsoleReporter, ConsoleRunReporter, progressLine } from '../../src/report/run-console.js';
import { RunTally } from '../../src/report/run-tally.js';
import { APPLY_SCHEME } from '../../src/report/status-scheme.js';
import { wantsColor } from '../../src/report/run-reporter.js';
import { apply } from '../../src/engine/apply/executor.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/registry.js';
import { FakeWorld } from '../engine/fake-agent.js';
import { loadSite } from '../engine/support.js';
import { SAMPLE_END, sampleRun, screen, terminal } from './run-events.js';

function feed(r: ConsoleRunReporter<'ok' | 'changed' | 'failed' | 'skipped', 'ok' | 'changed' | 'failed' | 'unreachable'>, clock: { t: number }) {
  for (const [t, e] of sampleRun()) {
    clock.t = t;
    r.onEvent(e);
  }
  r.finish(SAMPLE_END);
}

afterEach(() => clearSecretsForTests());

/** How the sample run ends on the console, with or without the live line: the last hosts, the recap, the outcome. */
const SAMPLE_END_LINES = [
  'app2 failed 9.90s erlang=failed',
  'db1 unreachable 9.90s cannot connect to 127.0.0.9:5985 (ECONNREFUSED)',
  '',
  'Recap (steps per host)',
  'app1  ok=1  changed=2  failed=0  skipped=1  unreachable=0',
  'app2  ok=1  changed=0  failed=1  skipped=0  unreachable=0',
  'db1   ok=0  changed=0  failed=0  skipped=0  unreachable=1',
  'apply failed in 10.0 s (exit code 2)',
  '',
];

describe('apply console reporter, plain lines (not a TTY)', () => {
  it('one line per phase, finished step, reboot and host; then the recap and the outcome', () => {
    const out = terminal(100, false);
    const clock = { t: 0 };
    feed(new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false, now: () => clock.t }), clock);
    expect(out.text()).toBe(
      [
        'phase prepare: 2 hosts',
        'app1 dir changed 0.50s',
        'app2 dir ok 1.00s',
        'app1 erlang changed 2.00s',
        'app2 erlang failed 3.00s: installer exited 1603\\x1b[2J (see C:\\Windows\\Temp\\erlang.log)',
        'app1 rebooting: step erlang requires a reboot',
        'app1 back after reboot (5.0 s)',
        'phase install: 1 host',
        'app1 rabbitmq ok 0.50s',
        'app1 ldap skipped 0.00s: when: ldap.enabled',
        'app1 changed 9.90s 4 steps',
        ...SAMPLE_END_LINES,
      ].join('\n'),
    );
    expect(out.text()).not.toContain('\x1b');
  });

  it('colours only when asked', () => {
    for (const color of [false, true]) {
      const out = terminal(100, false);
      const clock = { t: 0 };
      feed(new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color, now: () => clock.t }), clock);
      // The host's own escape is always shown as text; ours appear only with colour.
      expect(out.text().replace(/\\x1b\[2J/g, '').includes('\x1b[')).toBe(color);
    }
  });

  it('the reason a run stopped early ends the outcome line; secrets in messages are masked', () => {
    registerSecret('Hunter2-Secret!');
    const out = terminal(100, false);
    const r = new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false, now: () => 0 });
    r.onEvent({ type: 'host-started', host: 'app1' });
    r.onEvent({ type: 'step-finished', host: 'app1', step: 'svc', phase: 'p', status: 'failed', durationMs: 1, attempts: 1, message: 'logon failed for password Hunter2-Secret!' });
    r.onEvent({ type: 'host-finished', host: 'app1', status: 'failed', message: 'Hunter2-Secret!' });
    r.finish({ outcome: 'failed', exitCode: 1, reason: 'max_fail_percentage 0% exceeded in phase p: 1 of 1 hosts failed (app1: Hunter2-Secret!)' });
    expect(out.text()).not.toContain('Hunter2-Secret!');
    expect(out.text()).toMatch(/^apply failed in 0\.0 s \(exit code 1\): max_fail_percentage 0% exceeded in phase p/m);
  });
});

describe('apply console reporter, live view (TTY)', () => {
  it('shows the phase: hosts done of total, changed, failed, the slowest host and its step', () => {
    const tally = new RunTally(APPLY_SCHEME);
    const run = sampleRun();
    for (const [t, e] of run.slice(0, 11)) tally.apply(e, t);
    // app1 and app2 are both running erlang since 1100; app2 is listed later but neither is done.
    expect(progressLine(tally.progress(2100), APPLY_SCHEME, { color: false, width: 100 })).toBe('prepare 0/2 hosts  1 changed  0 failed  slowest: app1 erlang 1.0 s');
    for (const [t, e] of run.slice(11, 13)) tally.apply(e, t);
    expect(progressLine(tally.progress(4100), APPLY_SCHEME, { color: false, width: 100 })).toBe('prepare 2/2 hosts  1 changed  1 failed');
    for (const [t, e] of run.slice(13, 17)) tally.apply(e, t);
    expect(progressLine(tally.progress(9500), APPLY_SCHEME, { color: false, width: 100 })).toBe('install 0/1 hosts  0 changed  0 failed  slowest: app1 rabbitmq 0.2 s');
    expect(progressLine(tally.progress(9500), APPLY_SCHEME, { color: false, width: 30 })).toHaveLength(29);
    // The finished phase keeps its final numbers.
    expect(tally.phases[0]).toMatchObject({ name: 'prepare', progress: { done: 2, total: 2, changed: 1, failed: 1 } });
  });

  it('redraws the live line in place, prints failures above it, never wider than the terminal; ends with the recap', () => {
    const out = terminal(60, true);
    const clock = { t: 0 };
    const r = new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false, now: () => clock.t, tickMs: 0 });
    feed(r, clock);
    const lines = screen(out.text());
    // Only the failure, the unreachable host, phases and reboots stay on screen; the rest was the live line.
    expect(lines).toEqual([
      'phase prepare: 2 hosts',
      'app2 erlang failed 3.00s: installer exited 1603\\x1b[2J (see C:\\Windows\\Temp\\erlang.log)',
      'app1 rebooting: step erlang requires a reboot',
      'app1 back after reboot (5.0 s)',
      'phase install: 1 host',
      ...SAMPLE_END_LINES,
    ]);
    // Every live line drawn fits in 59 columns and was drawn over a cleared line.
    const drawn = out.writes.filter((w) => w.startsWith('\r\x1b[2K') && !w.includes('\n') && w.length > 5).map((w) => w.slice(5));
    expect(drawn.length).toBeGreaterThan(3);
    expect(drawn.some((l) => l.startsWith('prepare 1/2 hosts  1 changed  0 failed  slowest: app2 erlan'))).toBe(true);
    for (const l of drawn) expect(l.length).toBeLessThanOrEqual(59);
  });

  it('throttles: a thousand events at one instant draw the line once', () => {
    const out = terminal(100, true);
    const r = new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false, now: () => 5000, tickMs: 0 });
    const hosts = Array.from({ length: 1000 }, (_, i) => `app${i}`);
    r.onEvent({ type: 'phase-started', phase: 'install', batch: 0, hosts, steps: Object.fromEntries(hosts.map((h) => [h, 1])) });
    const before = out.writes.length;
    for (const h of hosts) r.onEvent({ type: 'step-finished', host: h, step: 's', phase: 'install', status: 'changed', durationMs: 1, attempts: 1 });
    expect(out.writes.length - before).toBe(0);
    r.draw();
    expect(out.writes.at(-1)).toBe('\r\x1b[2Kinstall 1000/1000 hosts  1000 changed  0 failed');
    r.finish({ outcome: 'ok', exitCode: 0 });
  });

  it('a timer redraws while nothing happens, and stops at finish', async () => {
    const out = terminal(100, true);
    let t = 0;
    const r = new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false, now: () => t, tickMs: 10 });
    r.onEvent({ type: 'phase-started', phase: 'install', batch: 0, hosts: ['app1'], steps: { app1: 1 } });
    r.onEvent({ type: 'step-started', host: 'app1', step: 'erlang', phase: 'install' });
    t = 4000;
    await new Promise((res) => setTimeout(res, 200));
    expect(out.writes.some((w) => w.endsWith('slowest: app1 erlang 4.0 s'))).toBe(true);
    r.finish({ outcome: 'interrupted', exitCode: 130 });
    const after = out.writes.length;
    // An event after the end (a late host) neither writes nor restarts the timer.
    r.onEvent({ type: 'step-finished', host: 'app1', step: 'erlang', phase: 'install', status: 'failed', durationMs: 1, attempts: 1 });
    await new Promise((res) => setTimeout(res, 100));
    expect(out.writes.length).toBe(after);
    expect(screen(out.text()).at(-2)).toBe('apply interrupted in 4.0 s (exit code 130)');
  });
});

describe('apply console reporter, hostile names', () => {
  it('host and step names with terminal escapes are shown as text, live and plain', () => {
    const evil = 'app\u001b]0;pwned\u0007\u001b[2J';
    for (const live of [true, false]) {
      const out = terminal(200, live);
      const r = applyConsoleReporter(out, { color: false, live, now: () => 1000 });
      r.onEvent({ type: 'phase-started', phase: `p${evil}`, batch: 0, hosts: [evil], steps: { [evil]: 2 } });
      r.onEvent({ type: 'step-started', host: evil, step: `s${evil}`, phase: 'p' });
      r.draw();
      r.onEvent({ type: 'step-finished', host: evil, step: `s${evil}`, phase: 'p', status: 'failed', durationMs: 1, attempts: 1, message: evil });
      r.onEvent({ type: 'host-finished', host: evil, status: 'failed', message: evil });
      r.finish({ outcome: 'failed', exitCode: 1, reason: evil });
      // Our own sequences are only \r\x1b[2K (colour is off): nothing else raw.
      const rest = out.text().split('\r\u001b[2K').join('');
      // eslint-disable-next-line no-control-regex
      expect(rest).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(rest).toContain('app\\x1b]0;pwned\\x07\\x1b[2J');
    }
  });
});

describe('apply console reporter fed by the executor', () => {
  it('the recap counts what the run did, host by host, as the result summary does', async () => {
    const { inv, pb } = await loadSite('small.yaml');
    const world = new FakeWorld(pb, 'fresh', inv.groups);
    world.unreachable.add('db1');
    const out = terminal(100, false);
    const r = new ConsoleRunReporter({ stream: out, scheme: APPLY_SCHEME, color: false });
    const result = await apply({ inventory: inv, playbook: pb, agents: world.agents(), forks: 2, sleep: async () => undefined, onEvent: (e) => r.onEvent(e) });
    r.finish(result);
    for (const h of result.hosts) {
      const line = out.text().split('\n').find((l) => l.startsWith(`${h.name} `) && l.includes('ok='));
      const n = (s: string) => h.steps.filter((x) => x.status === s).length;
      expect(line?.split(/\s+/)).toEqual([h.name, `ok=${n('ok')}`, `changed=${n('changed')}`, `failed=${n('failed')}`, `skipped=${n('skipped')}`, `unreachable=${h.status === 'unreachable' ? 1 : 0}`]);
    }
    expect(out.text()).toMatch(/^db1 unreachable /m);
    expect(out.text()).toMatch(new RegExp(`^apply failed in \\d+\\.\\d s \\(exit code ${result.exitCode}\\)`, 'm'));
  });
});

describe('wantsColor', () => {
  it('on a TTY unless --no-color or NO_COLOR', () => {
    expect(wantsColor(undefined, {}, true)).toBe(true);
    expect(wantsColor(false, {}, true)).toBe(false);
    expect(wantsColor(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColor(undefined, { NO_COLOR: '' }, true)).toBe(true);
    expect(wantsColor(true, {}, false)).toBe(false);
  });
});

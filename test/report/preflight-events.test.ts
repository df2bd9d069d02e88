/**
 * Preflight speaks the run-event stream: host started, a step per check, host finished; its console
 * progress is the generic console reporter (a live line on a TTY, cleared before the table), and its
 * documents are document reporters fed the same stream.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPreflight } from '../../src/preflight/run.js';
import type { PreflightEvent } from '../../src/preflight/events.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { fakeConnect, host } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';
import { screen, terminal } from './run-events.js';

describe('preflight run events', () => {
  it('run started; per host: started, one step per finding (the report’s), finished with its worst status; run finished', async () => {
    const hosts = [host('app1', ['app'], 1), host('app2', ['app'], 2), host('db1', ['db'], 3)];
    const { connect } = fakeConnect({ app2: { patch: { dotnetRelease: null } }, db1: { connectError: 'unreachable' } });
    const events: PreflightEvent[] = [];
    const report = await runPreflight({ hosts, connect, forks: 2, onEvent: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: 'run-started', playbook: 'preflight', hosts: ['app1', 'app2', 'db1'] });
    expect(events.at(-1)).toEqual({ type: 'run-finished', outcome: 'failed' });
    for (const o of report.hosts) {
      const mine = events.filter((e) => 'host' in e && e.host === o.host.name);
      expect(mine[0]).toEqual({ type: 'host-started', host: o.host.name });
      const steps = mine.filter((e) => e.type === 'step-finished');
      // time.skew is judged again against the final median: its status may only differ there.
      expect(steps.map((e) => e.step)).toEqual(o.findings.map((f) => f.id));
      expect(steps.filter((e) => e.step !== 'time.skew').map((e) => e.status)).toEqual(o.findings.filter((f) => f.id !== 'time.skew').map((f) => f.status));
      expect(mine.at(-1)?.type).toBe('host-finished');
    }
    const finished = Object.fromEntries(events.filter((e) => e.type === 'host-finished').map((e) => [e.host, e.status]));
    expect(finished).toEqual({ app1: 'pass', app2: 'fail', db1: 'unreachable' });
    expect(events.find((e) => e.type === 'host-finished' && e.host === 'db1')).toMatchObject({ message: expect.stringContaining('db1') });
  });
});

describe('preflight command on a terminal', () => {
  it('draws the live line on stderr in place and clears it; no host lines there; the table on stdout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cortex-preflight-tty-'));
    const inventory = join(root, 'site.yaml');
    writeFileSync(inventory, `all:\n  vars:\n    winrm: { user: 'CORP\\svc', password: env:NOT_USED_BY_FAKES }\n  children:\n    app: { hosts: { app1: { address: 10.0.0.21 }, app2: { address: 10.0.0.22 } } }\n`);
    const stdout = sink();
    const stderr = terminal(80, true);
    const code = await runPreflightCommand(
      { inventory, forks: 1, json: false, timeout: 5, reportJunit: join(root, 'r.xml') },
      { stdout, stderr, color: false, root, commandLine: ['preflight'], connect: fakeConnect({ app2: { patch: { dotnetRelease: null } } }).connect },
    );
    expect(code).toBe(1);
    const live = stderr.writes.filter((w) => w.startsWith('\r\x1b[2Kpreflight ')).map((w) => w.slice(5));
    expect(live.length).toBeGreaterThan(0);
    // How many redraws happen depends on timing (throttled): the first shows nothing done yet.
    expect(live[0]).toBe('preflight 0/2 hosts  0 failed');
    for (const l of live) expect(l).toMatch(/^preflight [0-2]\/2 hosts {2}[01] failed( {2}slowest: app[12] \d+\.\d s)?$/);
    // What stays on the terminal: the run line and the report path; the live line was cleared.
    const left = screen(stderr.text()).filter((l) => l !== '');
    expect(left.some((l) => l.startsWith('preflight '))).toBe(false);
    expect(left.some((l) => /^app\d /.test(l))).toBe(false);
    expect(left.at(-1)).toBe(`JUnit report: ${join(root, 'r.xml')}`);
    expect(stdout.text()).toMatch(/^check\s+app1\s+app2$/m);
    expect(readFileSync(join(root, 'r.xml'), 'utf8')).toContain('<testsuite name="app2"');
  });
});

/** Orchestration of a preflight run with fake hosts: parallelism, per-host failures, clock, reach, exit codes. */
import { describe, expect, it } from 'vitest';
import { runPreflight } from '../../src/preflight/run.js';
import { fakeConnect, nineHosts } from './fake-hosts.js';

describe('runPreflight', () => {
  it('a healthy topology passes with exit code 0, two round trips per host at most', async () => {
    const { connect, stats } = fakeConnect();
    const report = await runPreflight({ hosts: nineHosts, connect, forks: 1000 });
    const bad = report.hosts.flatMap((o) => o.findings.filter((f) => f.status !== 'pass').map((f) => `${o.host.name} ${f.id} ${f.message}`));
    expect(bad).toEqual([]);
    expect(report.summary).toMatchObject({ hosts: 9, passed: 9, failed: 0, unreachable: 0, exitCode: 0 });
    for (const h of nineHosts) {
      const scripts = stats.calls.filter((c) => c.host === h.name).map((c) => c.script);
      // db1 has no peers to reach: one round trip; the others two.
      expect(scripts).toEqual(h.name === 'db1' ? ['probes.facts'] : ['probes.facts', 'probes.reach']);
    }
    expect(report.hosts.find((o) => o.host.name === 'app1')?.findings.map((f) => f.id)).toContain('net.reach');
  });

  it('gives the reach probe a 5 s deadline: a refused connect alone takes about 2 s on Windows', async () => {
    const { connect, stats } = fakeConnect();
    await runPreflight({ hosts: nineHosts, connect, forks: 10 });
    const reach = stats.calls.filter((c) => c.script === 'probes.reach');
    expect(reach.length).toBeGreaterThan(0);
    for (const c of reach) expect(c.params).toMatchObject({ timeoutMs: 5000 });
  });

  it('an unreachable host and a refused login are reported per host while the others complete (exit 2)', async () => {
    const { connect } = fakeConnect({ app2: { connectError: 'unreachable' }, db1: { connectError: 'auth' } });
    const report = await runPreflight({ hosts: nineHosts, connect, forks: 4 });
    const app2 = report.hosts.find((o) => o.host.name === 'app2');
    expect(app2).toMatchObject({ reachable: false, findings: [{ id: 'host.reachable', status: 'error' }] });
    expect(report.hosts.find((o) => o.host.name === 'app1')?.findings[0]).toMatchObject({ id: 'host.reachable', status: 'pass' });
    expect(app2?.findings[0]?.message).toContain('ECONNREFUSED');
    expect(report.hosts.find((o) => o.host.name === 'db1')?.findings[0]?.message).toContain('refused the credentials');
    expect(report.hosts.filter((o) => o.reachable)).toHaveLength(7);
    expect(report.summary).toMatchObject({ unreachable: 2, exitCode: 2 });
  });

  it('a failing check gives exit code 1; warnings alone give 0', async () => {
    const warnOnly = await runPreflight({ hosts: nineHosts, connect: fakeConnect({ web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } } }).connect, forks: 10 });
    expect(warnOnly.summary).toMatchObject({ warned: 1, exitCode: 0 });
    const failing = await runPreflight({ hosts: nineHosts, connect: fakeConnect({ app3: { patch: { dotnetRelease: 460805 } } }).connect, forks: 10 });
    expect(failing.summary).toMatchObject({ failed: 1, exitCode: 1 });
    expect(failing.hosts.find((o) => o.host.name === 'app3')?.findings.find((f) => f.id === 'dotnet.version')?.status).toBe('fail');
  });

  it('an unexpected facts shape is an error on that host naming the field path', async () => {
    const { connect } = fakeConnect({ lb1: { raw: { factsVersion: 1, computerName: 'LB1' } } });
    const report = await runPreflight({ hosts: nineHosts, connect, forks: 10 });
    const lb = report.hosts.find((o) => o.host.name === 'lb1');
    expect(lb?.reachable).toBe(true);
    const f = lb?.findings.find((x) => x.id === 'probe.facts');
    expect(f?.status).toBe('error');
    expect(f?.message).toMatch(/^host lb1, script probes\.facts, field os: .*unexpected shape/);
    expect(report.summary.exitCode).toBe(1);
  });

  it('one skewed clock fails only that host (hosts compare against the median)', async () => {
    const { connect } = fakeConnect({ app4: { skewMs: 7 * 60_000 } });
    const report = await runPreflight({ hosts: nineHosts, connect, forks: 10 });
    const skewFails = report.hosts.filter((o) => o.findings.some((f) => f.id === 'time.skew' && f.status === 'fail')).map((o) => o.host.name);
    expect(skewFails).toEqual(['app4']);
  });

  it('a dropped port shows in net.reach of the source host (a warning before the install) and in the matrix', async () => {
    const { connect } = fakeConnect({ app1: { blocked: (peer, port) => peer === 'app2' && port === 25672 } });
    const report = await runPreflight({ hosts: nineHosts, connect, forks: 10 });
    const reach = report.hosts.find((o) => o.host.name === 'app1')?.findings.find((f) => f.id === 'net.reach');
    expect(reach?.status).toBe('warn');
    expect(reach?.actual).toBe('firewall or network, unknown: app2:25672 filtered (RabbitMQ distribution)');
    expect(report.matrix.cells.app1?.app2?.unreachable).toEqual([{ port: 25672, state: 'filtered' }]);
    expect(report.matrix.cells.app1?.app3?.unreachable).toEqual([]);
  });

  it('honours --forks and emits start/finish events for every host', async () => {
    const behaviour = Object.fromEntries(nineHosts.map((h) => [h.name, { delayMs: 5 }]));
    const { connect, stats } = fakeConnect(behaviour);
    const started: string[] = [];
    const finished: string[] = [];
    await runPreflight({ hosts: nineHosts, connect, forks: 2, events: { hostStarted: (h) => started.push(h.name), hostFinished: (o) => finished.push(o.host.name) } });
    expect(stats.maxConcurrent).toBeLessThanOrEqual(2);
    expect(started.sort()).toEqual(nineHosts.map((h) => h.name).sort());
    expect(finished.sort()).toEqual(nineHosts.map((h) => h.name).sort());
  });
});

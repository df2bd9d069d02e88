/** Console table: readable within 100 columns for 9 hosts, colour only when asked, fallback for many hosts. */
import { describe, expect, it } from 'vitest';
import { renderPreflightConsole, visibleLength } from '../../src/report/preflight-console.js';
import { progressLine } from '../../src/report/run-console.js';
import { RunTally } from '../../src/report/run-tally.js';
import { PREFLIGHT_SCHEME } from '../../src/report/status-scheme.js';
import { outcomeEvents } from '../../src/preflight/events.js';
import { preflightHostLine } from './preflight-lines.js';
import { runPreflight } from '../../src/preflight/run.js';
import { fakeConnect, host } from '../preflight/fake-hosts.js';
import { sampleReport } from './sample-report.js';

describe('preflight console report', () => {
  it('renders 9 hosts × checks within 100 columns, with and without colour', async () => {
    const report = await sampleReport();
    for (const color of [false, true]) {
      const text = renderPreflightConsole(report, { color, width: 100 });
      const widest = Math.max(...text.split('\n').map(visibleLength));
      expect(widest).toBeLessThanOrEqual(100);
      expect(text.includes('\x1b[')).toBe(color);
    }
    const plain = renderPreflightConsole(report, { color: false, width: 100 });
    const lines = plain.split('\n');
    expect(lines[0]).toMatch(/^check\s+web1\s+web2\s+app1\s+app2\s+app3\s+app4\s+app5\s+db1\s+lb1$/);
    // app3 is column 6 in the dotnet row.
    const dotnet = lines.find((l) => l.startsWith('dotnet'))?.split(/\s+/);
    expect(dotnet).toEqual(['dotnet', 'ok', 'ok', 'ok', 'ok', 'FAIL', 'ok', 'ok', 'ok', '.']);
    expect(lines.find((l) => l.startsWith('reachable'))?.split(/\s+/)).toEqual(['reachable', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'err']);
    expect(plain).toContain('Reachability');
    expect(plain).toMatch(/^FAIL app3 dotnet\.version: .NET Framework 4\.7 is older than 4\.7\.1\.$/m);
    expect(plain).toMatch(/fix: Install \.NET Framework 4\.8/);
    // The dropped port warns (firewall or network, unknown before the install).
    expect(plain).toMatch(/9 hosts: 5 passed, 2 with warnings, 1 failed, 1 unreachable/);
  });

  it('falls back to one line per host that did not pass when the hosts do not fit', async () => {
    const hosts = Array.from({ length: 200 }, (_, i) => host(`app${String(i).padStart(3, '0')}`, ['db'], i));
    const { connect } = fakeConnect({ app007: { patch: { dotnetRelease: null } } });
    const report = await runPreflight({ hosts, connect, forks: 1000 });
    const text = renderPreflightConsole(report, { color: false, width: 100 });
    expect(text).toMatch(/^app007\s+FAIL\s+dotnet\.version$/m);
    expect(text).toContain('199 of 200 hosts passed every check.');
    expect(Math.max(...text.split('\n').slice(0, 3).map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('progress: done/total, failures so far and the slowest running host; one plain line per host', async () => {
    const report = await sampleReport();
    const p = new RunTally(PREFLIGHT_SCHEME);
    p.apply({ type: 'run-started', playbook: 'preflight', hosts: report.hosts.map((o) => o.host.name), at: report.startedAt }, 0);
    p.apply({ type: 'host-started', host: report.hosts[0]!.host.name }, 1000);
    p.apply({ type: 'host-started', host: report.hosts[4]!.host.name }, 0);
    p.apply({ type: 'host-started', host: report.hosts[8]!.host.name }, 500);
    for (const e of [...outcomeEvents(report.hosts[4]!), ...outcomeEvents(report.hosts[8]!)]) p.apply(e, 2000);
    expect(progressLine(p.progress(3000), PREFLIGHT_SCHEME, { color: false, width: 100 })).toBe('preflight 2/9 hosts  1 failed  1 unreachable  slowest: web1 2.0 s');
    expect(progressLine(p.progress(3000), PREFLIGHT_SCHEME, { color: false, width: 20 }).length).toBeLessThan(20);
    expect(preflightHostLine(report.hosts[4]!)).toMatch(/^app3 FAIL \d+\.\d\ds dotnet\.version=fail$/);
    expect(preflightHostLine(report.hosts[8]!)).toMatch(/^lb1 unreachable .*ECONNREFUSED/);
    expect(preflightHostLine(report.hosts[3]!)).toMatch(/^app2 ok .* 1[0-9] checks$/);
  });
});

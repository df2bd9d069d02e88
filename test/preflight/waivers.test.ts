/** Waivers: which findings they cover (pure), and what the verdict makes of them. */
import { describe, expect, it } from 'vitest';
import { applyWaivers, effectiveStatus, isExpired, utcDay, type PreflightWaiver } from '../../src/preflight/waivers.js';
import { finding } from '../../src/preflight/finding.js';
import { exitCodeOf, summarize, hostStatus, type HostOutcome } from '../../src/preflight/outcome.js';
import { runPreflight } from '../../src/preflight/run.js';
import { fakeConnect, nineHosts } from './fake-hosts.js';

const w = (check: PreflightWaiver['check'], expires: string | null = null, reason = 'accepted'): PreflightWaiver => ({ check, reason, expires, source: 'site.yaml:5:9' });

describe('applyWaivers', () => {
  const ram = finding('ram.size', 'warn', '16 GB', '8 GB', 'Less RAM than recommended.', 'Add RAM.');
  const dotnet = finding('dotnet.version', 'fail', '461308', '460805', '.NET too old.', 'Install 4.8.');
  const reach = finding('host.reachable', 'error', 'a session', 'no session', 'Connection refused.');
  const ok = finding('cpu.cores', 'pass', '4', '4', 'Enough cores.');

  it('waives a warn or a fail of the named check; never an error; a pass is left as it is', () => {
    const out = applyWaivers([ram, dotnet, reach, ok], [w('ram.size'), w('dotnet.version'), w('host.reachable'), w('cpu.cores')], '2026-12-02');
    expect(out.map((f) => [f.id, f.status, f.waived?.reason ?? null])).toEqual([
      ['ram.size', 'warn', 'accepted'],
      ['dotnet.version', 'fail', 'accepted'],
      ['host.reachable', 'error', null],
      ['cpu.cores', 'pass', null],
    ]);
    expect(out.map(effectiveStatus)).toEqual(['pass', 'pass', 'error', 'pass']);
    expect(applyWaivers([ram], [w('dotnet.version')], '2026-12-02')[0]!.waived).toBeUndefined();
  });

  it('applies through its expiry day (UTC), then marks the finding with the expired waiver', () => {
    expect(applyWaivers([ram], [w('ram.size', '2026-12-02')], '2026-12-02')[0]!.waived).toMatchObject({ expires: '2026-12-02' });
    const after = applyWaivers([ram], [w('ram.size', '2026-12-01', 'PO 4471')], '2026-12-02')[0]!;
    expect(after.waived).toBeUndefined();
    expect(after.waiverExpired).toEqual({ reason: 'PO 4471', expires: '2026-12-01', source: 'site.yaml:5:9' });
    expect(effectiveStatus(after)).toBe('warn');
    expect(isExpired({ expires: null }, '2999-01-01')).toBe(false);
    expect(utcDay(Date.parse('2026-12-02T23:59:59+01:00'))).toBe('2026-12-02');
  });

  it('of several waivers, an active one wins over an expired one, and the longest-lived is shown', () => {
    const out = applyWaivers([ram], [w('ram.size', '2020-01-01', 'old'), w('ram.size', '2027-01-31', 'later'), w('ram.size', '2026-12-31', 'sooner')], '2026-12-02')[0]!;
    expect(out.waived?.reason).toBe('later');
    expect(out.waiverExpired).toBeUndefined();
    expect(applyWaivers([ram], [w('ram.size', '2027-01-31'), w('ram.size', null, 'forever')], '2026-12-02')[0]!.waived?.reason).toBe('forever');
  });
});

describe('the verdict with waivers', () => {
  const host = { name: 'h', address: 'a', roles: [] as never[], installPath: null };
  const outcome = (findings: HostOutcome['findings']): HostOutcome => ({ host, reachable: true, findings, durationMs: 1 });
  const failing = finding('dotnet.version', 'fail', 'x', 'y', 'too old');
  const warning = finding('ram.size', 'warn', 'x', 'y', 'low');

  it('a waived fail does not fail the run; a waived warn does not fail it under --fail-on warn either', () => {
    expect(exitCodeOf([outcome([failing])])).toBe(1);
    expect(exitCodeOf([outcome(applyWaivers([failing], [w('dotnet.version')], '2026-12-02'))])).toBe(0);
    expect(exitCodeOf([outcome([warning])], 'warn')).toBe(1);
    expect(exitCodeOf([outcome(applyWaivers([warning], [w('ram.size')], '2026-12-02'))], 'warn')).toBe(0);
    // Expired: counts again.
    expect(exitCodeOf([outcome(applyWaivers([failing], [w('dotnet.version', '2020-01-01')], '2026-12-02'))])).toBe(1);
  });

  it('the summary counts waived checks apart, and the host by what is left', () => {
    const o = outcome(applyWaivers([failing, warning, finding('cpu.cores', 'pass', '4', '4', 'ok')], [w('dotnet.version')], '2026-12-02'));
    expect(hostStatus(o)).toBe('warn');
    const s = summarize([o], 5);
    expect(s.checks).toEqual({ pass: 1, warn: 1, fail: 0, error: 0, waived: 1 });
    expect(s).toMatchObject({ passed: 0, warned: 1, failed: 0, exitCode: 0 });
  });

  it('runPreflight applies each host its own waivers', async () => {
    const hosts = nineHosts.map((h) =>
      h.name === 'app3' ? { ...h, waivers: [w('dotnet.version', '2999-12-31', 'upgrade booked')] } : h.name === 'web2' ? { ...h, waivers: [w('cpu.cores', '2026-12-01')] } : h,
    );
    const connect = fakeConnect({ app3: { patch: { dotnetRelease: 460805 } }, web2: { patch: { cpu: { cores: 2, logicalProcessors: 2 } } } }).connect;
    const report = await runPreflight({ hosts, connect, forks: 9 });
    const app3 = report.hosts.find((o) => o.host.name === 'app3')!.findings.find((f) => f.id === 'dotnet.version')!;
    expect(app3).toMatchObject({ status: 'fail', waived: { reason: 'upgrade booked', expires: '2999-12-31' } });
    const web2 = report.hosts.find((o) => o.host.name === 'web2')!.findings.find((f) => f.id === 'cpu.cores')!;
    expect(web2).toMatchObject({ status: 'warn', waiverExpired: { expires: '2026-12-01' } });
    expect(report.summary).toMatchObject({ failed: 0, warned: 1, exitCode: 0 });
    expect(report.summary.checks.waived).toBe(1);
  });
});

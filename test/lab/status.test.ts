/** The `lab status --json` projection: pure, from host runtimes and endpoints to the documented shape. */
import { describe, expect, it } from 'vitest';
import { createHostRegistry } from '../../src/lab/host-registry.js';
import { resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import { deriveState } from '../../src/lab/state/derive.js';
import { projectStatus } from '../../src/lab/status.js';

function registry() {
  const profile = (lab: unknown, host: string) => resolveProfileOrThrow(lab, { host, labPath: [] });
  const r = createHostRegistry(
    [
      { name: 'w1', address: '127.9.9.1', transport: 'winrm', users: [], profile: profile({ pendingReboot: true }, 'w1') },
      { name: 's1', address: '127.9.9.2', transport: 'ssh', users: [], profile: profile({}, 's1') },
    ],
    [{ host: 's1', faults: { down: true } }],
  );
  for (const rt of r.all()) rt.state = deriveState(rt.ref, rt.profile, new Date('2026-03-01T10:00:00Z'));
  return r;
}

const base = { pid: 4242, startedAt: '2026-03-01T10:00:05.000Z', stateDir: '/tmp/lab', certPath: '/tmp/lab/tls/cert.pem' };

describe('projectStatus', () => {
  it('shows each host with its endpoints, counters, faults and machine facts', () => {
    const r = registry();
    const w1 = r.get('w1')!;
    w1.up = true;
    w1.counters.requests = 7;
    const st = projectStatus({
      ...base,
      ssh: { port: 5922, clientKeyPath: '/k', knownHostsPath: '/kh', user: 'root' },
      hosts: r.all(),
      winrmUrls: (name) => (name === 'w1' ? { http: 'http://127.9.9.1:5985/wsman', https: null } : undefined),
    });
    expect(st).toMatchObject({ running: true, pid: 4242, certPath: '/tmp/lab/tls/cert.pem', ssh: { port: 5922, user: 'root' } });
    expect(st.hosts).toHaveLength(2);
    expect(st.hosts[0]).toMatchObject({
      name: 'w1',
      address: '127.9.9.1',
      transport: 'winrm',
      up: true,
      rebootingUntil: null,
      endpoints: { http: 'http://127.9.9.1:5985/wsman', https: null, ssh: null },
      pendingReboot: true,
      bootTime: '2026-03-01T10:00:00.000Z',
    });
    expect(st.hosts[0]!.counters.requests).toBe(7);
    expect(st.hosts[1]).toMatchObject({ name: 's1', up: false, endpoints: { http: null, https: null, ssh: 'ssh://127.9.9.2:5922' }, faults: { down: true } });
  });

  it('copies counters: a document does not change after it is made', () => {
    const r = registry();
    r.get('w1')!.counters.steps['install'] = { testCalls: 1, setCalls: 0, setFailures: 0, otherCalls: 0 };
    const clusters = [{ name: 'app', kind: 'quorum' as const, members: ['w1'], downNow: [], maxDownAtOnce: 0, maxDownAt: null, faultTolerance: 0, quorumLost: false }];
    const st = projectStatus({ ...base, ssh: null, hosts: r.all(), winrmUrls: () => undefined, clusters });
    r.get('w1')!.counters.requests++;
    r.get('w1')!.counters.steps['install']!.testCalls++;
    clusters[0]!.members.push('s1');
    expect(st.hosts[0]!.counters.requests).toBe(0);
    expect(st.hosts[0]!.counters.steps).toEqual({ install: { testCalls: 1, setCalls: 0, setFailures: 0, otherCalls: 0 } });
    expect(st.hosts[0]!.scheduledRestart).toBeNull();
    expect(st.clusters[0]!.members).toEqual(['w1']);
    // No SSH endpoint: no ssh URL even for an ssh host.
    expect(st.hosts[1]!.endpoints.ssh).toBeNull();
  });
});

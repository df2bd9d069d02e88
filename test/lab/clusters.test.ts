/** Cluster bookkeeping, pure: members down at once, the quorum, from the inventory's groups. */
import { describe, expect, it } from 'vitest';
import { ClusterTracker, clustersFromGroups } from '../../src/lab/clusters.js';
import { InputError } from '../../src/errors.js';

const hosts = ['app1', 'app2', 'app3', 'web1', 'db1'];
const app = { name: 'app', kind: 'quorum' as const, members: ['app1', 'app2', 'app3'] };
const web = { name: 'web', kind: 'group' as const, members: ['web1'] };
const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 7, 0, s));

describe('clusters', () => {
  it('sequential downs: at most one at once, quorum kept', () => {
    const t = new ClusterTracker([app, web], hosts);
    t.setDown('app1', true, at(1));
    t.setDown('app1', false, at(2));
    t.setDown('app2', true, at(3));
    t.setDown('app2', false, at(4));
    expect(t.status()[0]).toEqual({ name: 'app', kind: 'quorum', members: ['app1', 'app2', 'app3'], downNow: [], maxDownAtOnce: 1, maxDownAt: at(1).toISOString(), faultTolerance: 1, quorumLost: false });
    expect(t.status()[1]).toMatchObject({ name: 'web', maxDownAtOnce: 0, maxDownAt: null, faultTolerance: null, quorumLost: null });
  });

  it('overlapping downs: two of three at once loses the quorum, and it stays lost in the record', () => {
    const t = new ClusterTracker([app], hosts);
    t.setDown('app1', true, at(1));
    t.setDown('app2', true, at(2));
    t.setDown('app1', false, at(3));
    t.setDown('app2', false, at(4));
    expect(t.status()[0]).toMatchObject({ downNow: [], maxDownAtOnce: 2, maxDownAt: at(2).toISOString(), quorumLost: true });
  });

  it('repeated reports are idempotent; hosts outside a cluster do not count for it', () => {
    const t = new ClusterTracker([app], hosts);
    t.setDown('app1', true);
    t.setDown('app1', true);
    t.setDown('db1', true);
    expect(t.status()[0]).toMatchObject({ downNow: ['app1'], maxDownAtOnce: 1 });
  });

  it('quorum by size: 5 members tolerate 2 down, lose it at 3; an even 4 loses it at 2', () => {
    const five = { name: 'five', kind: 'quorum' as const, members: ['a', 'b', 'c', 'd', 'e'] };
    const four = { name: 'four', kind: 'quorum' as const, members: ['a', 'b', 'c', 'd'] };
    const t = new ClusterTracker([five, four], ['a', 'b', 'c', 'd', 'e']);
    t.setDown('a', true);
    t.setDown('b', true);
    expect(t.status().map((c) => [c.faultTolerance, c.quorumLost])).toEqual([[2, false], [1, true]]);
    t.setDown('c', true);
    expect(t.status()[0]!.quorumLost).toBe(true);
  });

  it("a member down in one cluster only (a Service Fabric node restarting in its upgrade): counted there, not in the hosts' other clusters", () => {
    const sf = { name: 'CortexCluster', kind: 'service-fabric' as const, members: ['app1', 'app2', 'app3'] };
    const t = new ClusterTracker([app], hosts);
    t.ensure(sf, at(0));
    t.setMemberDown('CortexCluster', 'app1', true, at(1));
    expect(t.status().find((c) => c.name === 'CortexCluster')).toMatchObject({ downNow: ['app1'], maxDownAtOnce: 1, quorumLost: false });
    expect(t.status().find((c) => c.name === 'app')).toMatchObject({ downNow: [], maxDownAtOnce: 0 });
    t.setMemberDown('CortexCluster', 'app1', true, at(2));
    t.setMemberDown('CortexCluster', 'app1', false, at(3));
    t.setMemberDown('CortexCluster', 'app2', true, at(4));
    // A host powered off while another node restarts: two down at once in the Service Fabric cluster.
    t.setDown('app3', true, at(5));
    expect(t.status().find((c) => c.name === 'CortexCluster')).toMatchObject({ downNow: ['app2', 'app3'], maxDownAtOnce: 2, maxDownAt: at(5).toISOString(), quorumLost: true });
    expect(() => t.setMemberDown('nope', 'app1', true)).toThrow(/lab cluster nope is not tracked/);
    expect(() => t.setMemberDown('CortexCluster', 'web1', true)).toThrow(/has no member web1/);
  });

  it('reset: what is down now is the new most', () => {
    const t = new ClusterTracker([app], hosts);
    t.setDown('app1', true);
    t.setDown('app2', true);
    t.setDown('app2', false);
    t.reset(at(9));
    expect(t.status()[0]).toMatchObject({ maxDownAtOnce: 1, maxDownAt: at(9).toISOString(), quorumLost: false });
    t.setDown('app1', false);
    t.reset();
    expect(t.status()[0]).toMatchObject({ maxDownAtOnce: 0, maxDownAt: null });
  });

  it('refuses members that are not lab hosts, unknown kinds and duplicate names', () => {
    expect(() => new ClusterTracker([{ ...app, members: ['app1', 'app9'] }], hosts)).toThrow(/names app9, not lab hosts/);
    expect(() => new ClusterTracker([{ ...app, kind: 'raft' as never }], hosts)).toThrow(InputError);
    expect(() => new ClusterTracker([app, app], hosts)).toThrow(/listed twice/);
  });

  it("from the inventory's groups: app is the quorum, others plain groups, all/ungrouped and empty groups left out", () => {
    const groups = { all: hosts, app: ['app1', 'app2', 'app3'], web: ['web1', 'local1'], lb: ['local2'], ungrouped: ['db1'] };
    expect(clustersFromGroups(groups, hosts)).toEqual([
      { name: 'app', kind: 'quorum', members: ['app1', 'app2', 'app3'] },
      { name: 'web', kind: 'group', members: ['web1'] },
    ]);
  });
});

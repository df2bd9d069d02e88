/**
 * The lab's gobetween_backend (src/lab/handlers/resources/gobetween-backend.ts): the drain marker is a
 * file on the load balancer; gobetween's view of a backend is derived from the marker, the gobetween
 * service, the backend host being up and its site started on the port. A drain takes the backend out at
 * once; a restore puts it back only when the site answers, else fails as the script does at its timeout.
 */
import { describe, expect, it } from 'vitest';
import { gobetweenBackendModel } from '../../src/lab/handlers/resources/gobetween-backend.js';
import { findFile } from '../../src/lab/handlers/resources/files.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { gobetweenBackendResource } from '../../src/resources/gobetween-backend.js';
import { ClusterTracker, clustersFromBalancers } from '../../src/lab/clusters.js';
import { gatewayWebServer, machineFrom } from './differential/resources-b-harness.js';

const MARKER = 'C:\\Program Files\\gobetween\\drain\\127.0.0.21_443';

function world() {
  const lb = machineFrom({}, 'lb1');
  lb.host = { name: 'lb1', address: '127.0.0.20' };
  lb.machine.services.push({ name: 'gobetween', state: 'Running', startType: 'Automatic' });
  const web = gatewayWebServer();
  const states: LabHostState[] = [lb, web];
  const up = new Set(['lb1', 'web1']);
  const tracker = new ClusterTracker(clustersFromBalancers([{ name: 'web_gateway', role: 'web' }, { name: 'api_gateway', role: 'app' }], { web: ['web1', 'web2'], lb: ['lb1'] }, ['lb1', 'web1', 'web2']), ['lb1', 'web1', 'web2']);
  const lab: LabView = {
    cluster: (n) => tracker.status().find((c) => c.name === n),
    clusterMemberDown: (c, h, down) => tracker.setMemberDown(c.name, h, down),
    hosts: () => states.map((s) => s.host),
    findHost: (k) => states.find((s) => s.host.name === k || s.host.address === k)?.host,
    getHostState: (n) => states.find((s) => s.host.name === n),
    isUp: (n) => up.has(n),
    canConnect: () => false,
  };
  const ctx = (state: 'drained' | 'live') => ({ machine: lb.machine, params: { server: 'web_gateway', backend: '127.0.0.21:443', state, installDir: 'C:\\Program Files\\gobetween', timeoutSec: 60 }, host: lb.host, lab, now: () => new Date('2026-12-02T12:00:00Z') });
  return { lb, web, up, ctx, tracker };
}

const diff = (state: 'drained' | 'live', current: unknown) => gobetweenBackendResource.diff(gobetweenBackendResource.params.parse({ server: 'web_gateway', backend: '127.0.0.21:443', state }), gobetweenBackendResource.state.parse(current)).action;

describe('lab gobetween_backend', () => {
  it('a serving backend is live; drain writes the marker and takes it out; restore puts it back', () => {
    const { lb, ctx } = world();
    expect(gobetweenBackendModel.read(ctx('drained'))).toEqual({ drained: false, live: true, activeConnections: 0 });
    expect(diff('drained', gobetweenBackendModel.read(ctx('drained')))).toBe('update');
    expect(gobetweenBackendModel.set!(ctx('drained')).message).toBe('drained 127.0.0.21:443 from gobetween server web_gateway: no new connections (active now: 0)');
    expect(findFile(lb.machine, MARKER)).toBeDefined();
    expect(gobetweenBackendModel.read(ctx('drained'))).toEqual({ drained: true, live: false, activeConnections: 0 });
    expect(diff('drained', gobetweenBackendModel.read(ctx('drained')))).toBe('none');
    expect(diff('live', gobetweenBackendModel.read(ctx('live')))).toBe('update');
    expect(gobetweenBackendModel.set!(ctx('live')).message).toBe('127.0.0.21:443 is live again in gobetween server web_gateway');
    expect(findFile(lb.machine, MARKER)).toBeUndefined();
    expect(diff('live', gobetweenBackendModel.read(ctx('live')))).toBe('none');
  });

  it('a restore whose site does not answer (stopped site, host down) fails with the marker removed', () => {
    const { web, up, ctx } = world();
    gobetweenBackendModel.set!(ctx('drained'));
    web.machine.iis!.sites![0]!.state = 'Stopped';
    expect(() => gobetweenBackendModel.set!(ctx('live'))).toThrow(/^gobetween_backend: 127\.0\.0\.21:443 did not turn live in server web_gateway within 60 s \(not live in http:\/\/127\.0\.0\.1:8888\/servers\/web_gateway\/stats\); the drain marker is removed/);
    expect(gobetweenBackendModel.read(ctx('live')).drained).toBe(false);
    web.machine.iis!.sites![0]!.state = 'Started';
    up.delete('web1');
    expect(gobetweenBackendModel.read(ctx('live')).live).toBe(false);
    up.add('web1');
    expect(gobetweenBackendModel.read(ctx('live')).live).toBe(true);
  });

  it('gobetween stopped: the API does not answer (live null); a drain still holds', () => {
    const { lb, ctx } = world();
    lb.machine.services.find((s) => s.name === 'gobetween')!.state = 'Stopped';
    expect(gobetweenBackendModel.read(ctx('live'))).toEqual({ drained: false, live: null, activeConnections: null });
    gobetweenBackendModel.set!(ctx('drained'));
    expect(diff('drained', gobetweenBackendModel.read(ctx('drained')))).toBe('none');
    expect(() => gobetweenBackendModel.set!(ctx('live'))).toThrow(/not listed in http:\/\/127\.0\.0\.1:8888/);
  });

  it('gobetween lists a lab host by address or by name in any case, on a port one of its sites is bound to; nothing else', () => {
    const { ctx } = world();
    const c = ctx('live');
    for (const backend of ['web1:443', 'WEB1:443', '127.0.0.21:443']) expect(gobetweenBackendModel.read({ ...c, params: { ...c.params, backend } }).live, backend).toBe(true);
    for (const backend of ['web1:8443', 'web9:443', '127.0.0.99:443']) expect(gobetweenBackendModel.read({ ...c, params: { ...c.params, backend } }).live, backend).toBeNull();
  });

  it("the health check reads the marker in gobetween's folder (its NSSM AppDirectory): one elsewhere drains nothing", () => {
    const { lb, ctx } = world();
    const c = ctx('drained');
    const elsewhere = { ...c, params: { ...c.params, installDir: 'C:\\gobetween-elsewhere', timeoutSec: 5 } };
    expect(() => gobetweenBackendModel.set!(elsewhere)).toThrow(
      'gobetween_backend: 127.0.0.21:443 is still live in server web_gateway after 5 s with the drain marker C:\\gobetween-elsewhere\\drain\\127.0.0.21_443 in place; is the health check the one cortex-deploy writes (gobetween-healthcheck.ps1 reads the marker)?',
    );
    expect(gobetweenBackendModel.read(elsewhere)).toEqual({ drained: true, live: true, activeConnections: 0 });
    // gobetween installed by NSSM in that folder: its health check reads the marker there.
    lb.machine.registry['HKLM\\SYSTEM\\CurrentControlSet\\Services\\gobetween\\Parameters'] = { AppDirectory: { kind: 'ExpandString', data: 'C:\\gobetween-elsewhere' } };
    expect(gobetweenBackendModel.read(elsewhere)).toEqual({ drained: true, live: false, activeConnections: 0 });
  });

  it('refuses a backend that is not host:port, as the script does', () => {
    const { ctx } = world();
    const c = ctx('drained');
    expect(() => gobetweenBackendModel.read({ ...c, params: { ...c.params, backend: 'web1 443' } })).toThrow('gobetween_backend: backend web1 443 is not host:port');
  });
});

describe('lab record of a balanced server (clusters[], kind gobetween)', () => {
  it('one backend out at a time: maxDownAtOnce 1, never none live; both out: noneLive', () => {
    const { ctx, tracker } = world();
    expect(tracker.status().map((c) => c.name)).toEqual(['gobetween/web_gateway']);
    gobetweenBackendModel.set!(ctx('drained'));
    expect(tracker.status()[0]).toMatchObject({ name: 'gobetween/web_gateway', kind: 'gobetween', members: ['web1', 'web2'], downNow: ['web1'], maxDownAtOnce: 1, noneLive: false, quorumLost: null });
    gobetweenBackendModel.set!(ctx('live'));
    expect(tracker.status()[0]).toMatchObject({ downNow: [], maxDownAtOnce: 1, noneLive: false });
    // web2 rebooting while web1 is drained: the service had no backend live.
    gobetweenBackendModel.set!(ctx('drained'));
    tracker.setDown('web2', true);
    expect(tracker.status()[0]).toMatchObject({ downNow: ['web1', 'web2'], maxDownAtOnce: 2, noneLive: true });
  });
});

/**
 * The facts → twin profile mapping (src/lab/twin/profile-from-facts.ts), without sockets:
 * - for every preset and role, the facts the lab reports for a machine, mapped to a twin profile, give
 *   a machine that reports the same facts again (addresses aside);
 * - facts the lab cannot model exactly are mapped to the nearest machine, and said so in `assumed`;
 * - how the session and probes went becomes the matching faults;
 * - what peers measured completes the listening and blocked ports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labFacts } from '../../../src/lab/handlers/probes.facts.js';
import { PRESET_NAMES } from '../../../src/lab/profile/presets.js';
import { resolveProfile } from '../../../src/lab/profile/resolve.js';
import type { LabProfile } from '../../../src/lab/profile/schema.js';
import { deriveMachine } from '../../../src/lab/state/derive.js';
import { twinProfile, type PeerObservation, type TwinProfile } from '../../../src/lab/twin/profile-from-facts.js';
import { Facts } from '../../../src/preflight/facts.js';
import { DEFAULT_INSTALL_PATH, ROLE_NAMES, type Role } from '../../../src/preflight/finding.js';
import { portsFreeFor } from '../../../src/preflight/ports.js';
import type { SiteFactsHost } from '../../../src/preflight/site-facts.js';

const NOW = new Date('2026-12-02T07:00:00.000Z');
const healthy = Facts.parse(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/preflight/facts/healthy-ws2019.json'), 'utf8')));

function profileOf(lab: unknown): LabProfile {
  const r = resolveProfile(lab);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.profile;
}

function factsOf(profile: LabProfile, name: string, address: string, role: Role): Facts {
  const m = deriveMachine({ name, address }, profile, NOW);
  return Facts.parse(labFacts(m, { roles: [role], installPath: DEFAULT_INSTALL_PATH, ports: portsFreeFor([role]) }, NOW));
}

function host(facts: Facts | null, over: Partial<SiteFactsHost> = {}): SiteFactsHost {
  return {
    name: 'app1',
    address: '10.0.0.21',
    roles: ['app'],
    groups: ['app'],
    webApps: [],
    versions: {},
    installPath: DEFAULT_INSTALL_PATH,
    vars: {},
    varsLeftOut: [],
    transport: 'winrm',
    winrm: { scheme: 'http', port: 5985, auth: 'ntlm' },
    ssh: null,
    session: 'connected',
    facts,
    factsFailed: false,
    reach: null,
    reachFailed: false,
    clockSkewMs: 0,
    ...over,
  };
}

function twin(h: SiteFactsHost, observed: PeerObservation[] = [], unresolvedFrom: string[] = []): TwinProfile {
  return twinProfile({ host: h, twinAddress: '127.2.0.1', observed, unresolvedFrom, source: 'site.facts.json' });
}

const assumedLine = (t: TwinProfile, key: string) => t.assumed.find((a) => a.startsWith(`${key}:`));

describe('facts → twin profile → the same facts', () => {
  for (const preset of PRESET_NAMES) {
    for (const role of ROLE_NAMES) {
      it(`preset ${preset}, role ${role}`, () => {
        const original = profileOf({ preset });
        const facts = factsOf(original, 'app1', '10.0.0.21', role);
        const t = twin(host(facts, { roles: [role], groups: [role] }));
        const again = factsOf(profileOf(t.lab), 'app1', '127.2.0.1', role);
        const withAddress = (f: Facts, address: string) => ({ ...f, ipv4: f.ipv4.map((a) => ({ ...a, address: a.address === address ? '<host>' : a.address })) });
        expect(withAddress(again, '127.2.0.1')).toEqual(withAddress(facts, '10.0.0.21'));
      });
    }
  }

  it('an extra address and an odd-sized disk survive the round trip', () => {
    const original = profileOf({ ipv4: ['10.0.0.21', '192.168.7.21'], volumes: [{ drive: 'C:', sizeGB: 79.5, freeGB: 41.25 }, { drive: 'D:', fileSystem: 'ReFS', sizeGB: 500, freeGB: 3 }], programData: 'D:\\ProgramData', ramGB: 7.5 });
    const facts = factsOf(original, 'app1', '10.0.0.21', 'app');
    const t = twin(host(facts));
    expect(t.lab.ipv4).toEqual(['127.2.0.1', '192.168.7.21']);
    const again = factsOf(profileOf(t.lab), 'app1', '127.2.0.1', 'app');
    expect(again.volumes).toEqual(facts.volumes);
    expect(again.memory).toEqual(facts.memory);
  });
});

describe('what the lab cannot model exactly is assumed, and said', () => {
  it('a reboot pending for Windows Update is a pending reboot, modelled as Component Based Servicing', () => {
    const t = twin(host({ ...healthy, pendingReboot: { ...healthy.pendingReboot, windowsUpdate: true } }));
    expect(t.lab.pendingReboot).toBe(true);
    expect(assumedLine(t, 'pendingReboot')).toContain('pending from windowsUpdate; the lab models every source as Component Based Servicing');
  });

  it('TLS 1.2 values the lab does not have: off stays off; "disabled by default" becomes on, said', () => {
    expect(twin(host({ ...healthy, tls12: { clientEnabled: 0, clientDisabledByDefault: 1, serverEnabled: 0, serverDisabledByDefault: 1 } })).lab.tls12).toBe(false);
    const t = twin(host({ ...healthy, tls12: { clientEnabled: 1, clientDisabledByDefault: 1, serverEnabled: null, serverDisabledByDefault: null } }));
    expect(t.lab.tls12).toBe(true);
    expect(assumedLine(t, 'tls12')).toContain('SCHANNEL values 1/1/absent/absent');
  });

  it('a SQL instance without version or edition gets stated ones; its service runs', () => {
    const t = twin(host({ ...healthy, sql: [{ instance: 'CORTEX', id: 'MSSQL15.CORTEX', version: null, edition: null }] }));
    expect(t.lab.sql).toEqual([{ instance: 'CORTEX', version: '15.0.2000.5', edition: 'Unknown Edition' }]);
    expect(t.assumed).toContain('sql CORTEX.version: 15.0.2000.5 (not in the facts)');
    expect((t.lab.services as Array<{ name: string }>).map((s) => s.name)).toContain('MSSQL$CORTEX');
  });

  it('listeners: a RabbitMQ already there runs in the twin; a port held by a stranger is kept, its owner said', () => {
    const t = twin(
      host({
        ...healthy,
        listeners: [
          { port: 5672, address: '0.0.0.0', processId: 4242, processName: 'erl' },
          { port: 19000, address: '0.0.0.0', processId: 4343, processName: 'java' },
        ],
      }),
    );
    expect((t.lab.services as Array<{ name: string }>).map((s) => s.name)).toContain('RabbitMQ');
    expect(t.lab.listeningPorts).toEqual(expect.arrayContaining([5672, 19000]));
    expect(t.lab.portOwners).toEqual({ '5672': { process: 'erl', pid: 4242 }, '19000': { process: 'java', pid: 4343 } });
    const again = factsOf(profileOf(t.lab), 'app1', '127.2.0.1', 'app');
    expect(again.listeners).toEqual([
      { port: 5672, address: '0.0.0.0', processId: 4242, processName: 'erl' },
      { port: 19000, address: '0.0.0.0', processId: 4343, processName: 'java' },
    ]);
  });

  it('IIS: a partial URL Rewrite install and a patched w3wp.exe come back as they were', () => {
    const web = (urlRewrite: Facts['urlRewrite']): Facts => ({
      ...healthy,
      iis: { majorVersion: 10, minorVersion: 0, versionString: 'Version 10.0', w3wpFileVersion: '10.0.17763.5830' },
      urlRewrite,
    });
    for (const urlRewrite of [
      { version: '7.2.1993', dllPresent: false },
      { version: null, dllPresent: true },
      { version: '7.2.1993', dllPresent: true },
    ]) {
      const facts = web(urlRewrite);
      const t = twin(host(facts, { roles: ['web'], groups: ['web'] }));
      const again = factsOf(profileOf(t.lab), 'app1', '127.2.0.1', 'web');
      expect({ iis: again.iis, urlRewrite: again.urlRewrite }).toEqual({ iis: facts.iis, urlRewrite: facts.urlRewrite });
    }
  });

  it('addresses: an inventory name (not an address) puts the twin address first; unusable addresses are left out, said', () => {
    const facts: Facts = {
      ...healthy,
      ipv4: [
        { address: '10.0.0.21', interfaceAlias: 'Ethernet', addressState: 'Preferred', prefixOrigin: 'Manual' },
        { address: '169.254.3.4', interfaceAlias: 'Ethernet 2', addressState: 'Preferred', prefixOrigin: 'WellKnown' },
        { address: '10.0.0.99', interfaceAlias: 'Ethernet', addressState: 'Deprecated', prefixOrigin: 'Manual' },
      ],
    };
    const t = twin(host(facts, { address: 'app1.corp.example.com' }));
    expect(t.lab.ipv4).toEqual(['127.2.0.1', '10.0.0.21']);
    expect(assumedLine(t, 'ipv4')).toContain('169.254.3.4 (Preferred), 10.0.0.99 (Deprecated)');
  });

  it('an inventory address the host does not have stays missing on the twin (net.ipv4 fails the same)', () => {
    const t = twin(host(healthy, { address: '10.0.0.50' }));
    expect(t.lab.ipv4).toEqual(['10.0.0.21']);
  });

  it('a %ProgramData% on a drive the facts do not describe falls back to C:, said', () => {
    const facts: Facts = { ...healthy, drives: { ...healthy.drives, programData: { path: 'E:\\ProgramData', drive: 'E:' } }, volumes: [...healthy.volumes, { drive: 'E:', fileSystem: null, sizeBytes: null, freeBytes: null }] };
    const t = twin(host(facts));
    expect(t.lab.programData).toBe('C:\\ProgramData');
    expect(assumedLine(t, 'programData')).toContain('E:');
    expect(profileOf(t.lab).programData).toBe('C:\\ProgramData');
  });
});

describe('sessions, probes and peers', () => {
  it('an unreachable host is down with the default machine; a refused login is refused again', () => {
    const down = twin(host(null, { session: 'unreachable', clockSkewMs: null }));
    expect(down.lab).toMatchObject({ faults: { down: true } });
    expect(down.lab.os).toBeUndefined();
    expect(assumedLine(down, 'machine')).toMatch(/the lab default/);
    expect(profileOf(down.lab).faults.down).toBe(true);
    expect(twin(host(null, { session: 'auth', clockSkewMs: null })).lab).toMatchObject({ faults: { refuseAuth: true } });
    expect(twin(host(null, { session: 'tls', clockSkewMs: null })).tlsUntrusted).toBe(true);
  });

  it('failed probes fail again; the clock offset is kept in seconds', () => {
    const t = twin(host(null, { factsFailed: true, reachFailed: true, clockSkewMs: 600_400 }));
    expect(t.lab).toMatchObject({ faults: { failScripts: { 'probes.facts': 'always', 'probes.reach': 'always' } }, clockSkewSec: 600 });
    expect(profileOf(t.lab).faults.failScripts).toEqual({ 'probes.facts': 'always', 'probes.reach': 'always' });
  });

  it('peers: open listens, filtered from every peer is blocked, filtered from some is not (said), closed does not listen', () => {
    const obs = (port: number, ...states: PeerObservation['state'][]): PeerObservation[] => states.map((state, i) => ({ from: `app${i + 2}`, port, state }));
    const t = twin(host(healthy), [...obs(25672, 'filtered', 'filtered'), ...obs(19001, 'open', 'open'), ...obs(19002, 'filtered', 'closed'), ...obs(135, 'closed', 'closed')], ['web1']);
    expect(t.lab.blockedPorts).toEqual([25672]);
    expect(t.lab.listeningPorts).toContain(19001);
    expect(t.lab.listeningPorts).not.toContain(19002);
    expect(t.lab.listeningPorts).not.toContain(135);
    expect(assumedLine(t, 'port 19002')).toContain('some peers found it filtered, others did not');
    expect(assumedLine(t, 'net.resolve')).toBe('net.resolve: app1 resolves from web1 (its name did not resolve there at capture; the lab resolves every twin host name)');
  });

  it('what the lab cannot reproduce of the peers\' view is said: a wrong name resolution, a socket error', () => {
    const t = twinProfile({ host: host(healthy), twinAddress: '127.2.0.1', observed: [{ from: 'app2', port: 5672, state: 'error' }], unresolvedFrom: [], misresolved: [{ from: 'app3', to: ['10.9.9.9'] }], source: 's' });
    expect(t.assumed).toContain('net.resolve: app1 resolves to its address from app3 (it resolved to 10.9.9.9 there at capture; the lab resolves every twin host name to its address)');
    expect(assumedLine(t, 'reach errors')).toContain('5672 from app2');
  });

  it("the install account's profile exists (the inventory's installProfile, else C:\\Users\\cortex); a variable left out of the facts is said", () => {
    const plain = twin(host(healthy));
    expect(profileOf(plain.lab).directories).toEqual(['C:\\Users\\cortex']);
    expect(plain.assumed).toContain("directories: C:\\Users\\cortex (the install account's profile, made at its first logon; not in the facts)");
    const own = twin(host(healthy, { vars: { installProfile: 'D:\\Profiles\\svc-cortex' }, varsLeftOut: ['mailRelay'] }));
    expect(profileOf(own.lab).directories).toEqual(['D:\\Profiles\\svc-cortex']);
    expect(own.assumed.find((a) => a.startsWith('vars.mailRelay:'))).toMatch(/not set \(it holds a secret reference/);
  });

  it('every twin profile names its facts file and what it assumed', () => {
    const t = twin(host(healthy));
    expect(t.lab.twin).toEqual({ source: 'site.facts.json', assumed: t.assumed });
    expect(profileOf(t.lab).twin?.assumed.length).toBeGreaterThan(0);
  });
});

/**
 * The lab's model of ps1/probes/facts.ps1 and reach.ps1: for every preset and role, the facts the
 * handler produces validate against the facts schema and lead to exactly the preset's expected
 * findings. No sockets: the handlers run against derived host state and a fake LabView.
 */
import { describe, expect, it } from 'vitest';
import { probesFacts } from '../../src/lab/handlers/probes.facts.js';
import { probesReach } from '../../src/lab/handlers/probes.reach.js';
import type { HandlerContext, LabView } from '../../src/lab/handlers/types.js';
import { PRESET_NAMES } from '../../src/lab/profile/presets.js';
import { resolveProfile } from '../../src/lab/profile/resolve.js';
import { deriveState } from '../../src/lab/state/derive.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { probesFacts as factsContract } from '../../src/scripts/catalog.js';
import { parseData } from '../../src/scripts/contract.js';
import { evaluateHost } from '../../src/preflight/rules/index.js';
import { portsFreeFor } from '../../src/preflight/ports.js';
import { DEFAULT_INSTALL_PATH, ROLE_NAMES, type PreflightHost } from '../../src/preflight/finding.js';
import { expectedFor, PRESET_NAMES_EXPECTED } from './preset-expectations.js';

function stateFor(name: string, address: string, lab: Record<string, unknown>): LabHostState {
  const r = resolveProfile(lab);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return deriveState({ name, address }, r.profile);
}

function ctx<P>(state: LabHostState, params: P, lab: LabView, skewSec = 0): HandlerContext<P> {
  return { host: state.host, state, params, lab, now: () => new Date(Date.now() + skewSec * 1000) };
}

const emptyLab: LabView = { hosts: () => [], findHost: () => undefined, getHostState: () => undefined, isUp: () => true, canConnect: () => false };

async function factsOf(state: LabHostState, host: PreflightHost): Promise<unknown> {
  const p = probesFacts.params.parse({ roles: host.roles, installPath: host.installPath ?? DEFAULT_INSTALL_PATH, ports: portsFreeFor(host.roles) });
  const r = await probesFacts.run(ctx(state, p, emptyLab));
  if (!('ok' in r) || !r.ok) throw new Error(JSON.stringify(r));
  return r.data;
}

describe('lab handler probes.facts', () => {
  it('every lab preset has an expectation', () => {
    expect([...PRESET_NAMES].sort()).toEqual([...PRESET_NAMES_EXPECTED].sort());
  });

  for (const preset of PRESET_NAMES) {
    for (const role of ROLE_NAMES) {
      it(`${preset} as ${role}: valid facts, exactly the expected findings`, async () => {
        const host: PreflightHost = { name: `${role}1`, address: '127.0.50.10', roles: [role], installPath: null };
        const facts = parseData(factsContract, host.name, await factsOf(stateFor(host.name, host.address, { preset }), host));
        const notPass = Object.fromEntries(evaluateHost({ host, facts, clock: { skewMs: 0, medianSkewMs: 0 } }).filter((f) => f.status !== 'pass').map((f) => [f.id, f.status]));
        expect(notPass).toEqual(expectedFor(preset, role));
      });
    }
  }

  it('models listeners on requested ports, the clock skew and a non-drive install path', async () => {
    const state = stateFor('app1', '127.0.50.11', { listeningPorts: [5672, 3389], clockSkewSec: 600 });
    const p = probesFacts.params.parse({ roles: ['app'], installPath: 'C:\\Cortex', ports: [4369, 5672] });
    const r = (await probesFacts.run(ctx(state, p, emptyLab, 600))) as { ok: true; data: { listeners: unknown[]; utcNow: string } };
    expect(r.data.listeners).toEqual([{ port: 5672, address: '0.0.0.0', processId: 6672, processName: null }]);
    expect(Date.parse(r.data.utcNow) - Date.now()).toBeGreaterThan(590_000);
    expect(r.data.utcNow).toMatch(/\.\d{7}Z$/);
    const bad = await probesFacts.run(ctx(state, probesFacts.params.parse({ roles: [], installPath: '\\\\share\\x', ports: [] }), emptyLab));
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringContaining('installPath must be a path on a drive letter'), category: 'OperationStopped' } });
    // As facts.ps1 answers it (test/ps1/probes/facts.Tests.ps1).
    const badPort = await probesFacts.run(ctx(state, probesFacts.params.parse({ roles: [], installPath: null, ports: [80, 70000] }), emptyLab));
    expect(badPort).toMatchObject({ ok: false, error: { message: 'ports[1] must be a TCP port from 1 to 65535, not 70000' } });
  });
});

describe('lab handler probes.reach', () => {
  const states = new Map([
    ['app1', stateFor('app1', '127.0.50.1', {})],
    ['app2', stateFor('app2', '127.0.50.2', { blockedPorts: [25672] })],
    ['app3', stateFor('app3', '127.0.50.3', {})],
  ]);
  const lab: LabView = {
    hosts: () => [...states.values()].map((s) => s.host),
    findHost: (x) => [...states.values()].find((s) => s.host.name === x || s.host.address === x)?.host,
    getHostState: (n) => states.get(n),
    isUp: (n) => n !== 'app3',
    canConnect: (_f, to, port) => to !== 'app3' && port === 5985,
  };

  it('filtered when the peer is down or blocks the port; closed (refused) otherwise; open where something listens', async () => {
    const p = probesReach.params.parse({
      targets: [
        { name: 'app2', address: '127.0.50.2', ports: [4369, 25672, 5985] },
        { name: 'app3', address: '127.0.50.3', ports: [4369] },
        { name: 'ghost', address: '127.0.50.9', ports: [4369] },
      ],
      timeoutMs: 2000,
    });
    const r = (await probesReach.run(ctx(states.get('app1') as LabHostState, p, lab))) as { ok: true; data: { targets: Array<{ name: string; resolved: string[]; resolveError: string | null; ports: unknown[] }> } };
    expect(r.data.targets[0]).toMatchObject({ resolved: ['127.0.50.2'], resolveError: null, ports: [{ port: 4369, state: 'closed' }, { port: 25672, state: 'filtered' }, { port: 5985, state: 'open' }] });
    expect(r.data.targets[1]?.ports).toEqual([{ port: 4369, state: 'filtered' }]);
    expect(r.data.targets[2]).toMatchObject({ resolved: [], resolveError: 'No such host is known', ports: [{ port: 4369, state: 'filtered' }] });
  });
});

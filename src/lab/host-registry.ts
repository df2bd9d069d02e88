/**
 * The lab's hosts while it runs: one runtime per inventory host (profile, faults, counters, state),
 * found by name or address, checked once at start (loopback addresses, no duplicates, `--fault`
 * naming lab hosts). Also the view handlers get of the other hosts.
 */
import type { LabHostRef } from './dispatcher.js';
import { mergeFaults, type FaultFlag } from './faults/parse.js';
import { HostFaults } from './faults/runtime.js';
import type { LabFaults } from './faults/schema.js';
import type { LabView } from './handlers/types.js';
import type { LabProfile } from './profile/schema.js';
import { emptyCounters } from './state/counters.js';
import type { LabHostRuntime } from './state/host.js';
import type { LabStateStore, LoadOrigin } from './state/store.js';
import type { LabHostState } from './state/types.js';
import { checkLabAddress, type CertificateMapping, type LabAccount } from './winrm/index.js';
import { InputError } from '../errors.js';

export interface LabHostSpec {
  name: string;
  address: string;
  transport: 'winrm' | 'ssh';
  /** Accounts the host accepts (the inventory's winrm user and password). */
  users: LabAccount[];
  profile: LabProfile;
  /** Listen on WinRM HTTP / HTTPS (default both). */
  http?: boolean;
  https?: boolean;
  /** Client certificates the host maps to its accounts (certificate authentication). */
  certificateMappings?: CertificateMapping[];
}

export interface HostRegistry {
  get(name: string): LabHostRuntime | undefined;
  /** By inventory name or address. */
  find(nameOrAddress: string): LabHostRuntime | undefined;
  /** Every host, in inventory order. */
  all(): LabHostRuntime[];
  names(): string[];
  spec(name: string): LabHostSpec | undefined;
}

/** Runtimes for `specs`, with `--fault` flags merged over each profile's faults. States are loaded by loadHostStates. */
export function createHostRegistry(specs: readonly LabHostSpec[], faultFlags: readonly FaultFlag[] = []): HostRegistry {
  const hosts = new Map<string, LabHostRuntime>();
  const byAddress = new Map<string, LabHostRuntime>();
  const specOf = new Map<string, LabHostSpec>();
  const flagsFor = new Map<string, Array<Partial<LabFaults>>>();
  for (const f of faultFlags) flagsFor.set(f.host, [...(flagsFor.get(f.host) ?? []), f.faults]);
  for (const name of flagsFor.keys()) {
    if (!specs.some((h) => h.name === name)) {
      throw new InputError(`--fault names host '${name}', which is not in the lab`, { field: '--fault', hint: 'Use an inventory host name.' });
    }
  }
  for (const spec of specs) {
    checkLabAddress(spec.address, spec.name);
    if (hosts.has(spec.name)) throw new InputError(`lab host ${spec.name} is listed twice`, { host: spec.name });
    const other = byAddress.get(spec.address);
    if (other) throw new InputError(`lab hosts ${other.ref.name} and ${spec.name} share address ${spec.address}`, { host: spec.name, hint: 'Give each lab host its own 127.x.y.z address.' });
    const ref: LabHostRef = { name: spec.name, address: spec.address };
    const faults = mergeFaults(spec.profile.faults, flagsFor.get(spec.name) ?? []);
    const rt: LabHostRuntime = {
      ref,
      transport: spec.transport,
      profile: { ...spec.profile, faults },
      state: undefined as unknown as LabHostState,
      faults: new HostFaults(faults),
      counters: emptyCounters(),
      scriptsRunning: 0,
      up: false,
      rebootingUntil: null,
    };
    hosts.set(spec.name, rt);
    byAddress.set(spec.address, rt);
    specOf.set(spec.name, spec);
  }
  return {
    get: (name) => hosts.get(name),
    find: (key) => hosts.get(key) ?? byAddress.get(key),
    all: () => [...hosts.values()],
    names: () => [...hosts.keys()],
    spec: (name) => specOf.get(name),
  };
}

/** Load every host's state in parallel (1,000 small files), without writing anything. */
export async function loadHostStates(
  registry: HostRegistry,
  store: LabStateStore,
  onLoaded: (host: string, origin: LoadOrigin) => void,
): Promise<void> {
  await Promise.all(
    registry.all().map(async (rt) => {
      const { state, origin } = await store.load(rt.ref, registry.spec(rt.ref.name)!.profile);
      rt.state = state;
      onLoaded(rt.ref.name, origin);
    }),
  );
}

/** What handlers see of the lab: the hosts, their states, and which connections would succeed. */
export function labViewOf(registry: HostRegistry, sshPort: () => number, persist?: (state: LabHostState) => Promise<void>, clusterMemberDown?: LabView['clusterMemberDown']): LabView {
  return {
    upgradeFault: (name) => registry.get(name)?.faults.failUpgrade() ?? false,
    ...(clusterMemberDown ? { clusterMemberDown } : {}),
    hosts: () => registry.all().map((h) => h.ref),
    findHost: (key) => registry.find(key)?.ref,
    getHostState: (name) => registry.get(name)?.state,
    isUp: (name) => registry.get(name)?.up ?? false,
    canConnect: (_from, to, port) => {
      const t = registry.find(to);
      if (!t || !t.up) return false;
      if (t.state.machine.blockedPorts.includes(port)) return false;
      const lab = t.transport === 'ssh' ? [sshPort()] : [5985, 5986];
      return lab.includes(port) || t.state.machine.listeningPorts.includes(port);
    },
    ...(persist
      ? {
          changeHost: (name: string, change: (state: LabHostState) => void) => {
            const t = registry.get(name);
            if (!t) throw new Error(`no lab host ${name}`);
            change(t.state);
            t.state.updatedAt = new Date().toISOString();
            // Saved in the background, like a Set's own state; a failed save is logged by the store's caller.
            void persist(t.state).catch(() => undefined);
          },
        }
      : {}),
  };
}

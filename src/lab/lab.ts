/**
 * A running lab: every simulated host's state loaded, one executor with the handlers, the PowerShell
 * emulation over it, WinRM listeners (and the SSH endpoint for hosts with transport ssh) in this one
 * process, faults wired through the server hooks and the executor, and counters per host.
 *
 *   listener (winrm/ ssh/) → counting dispatcher → powershell/ emulation → LabExecutor → handlers → state
 *
 * The parts: host-registry.ts (the hosts and the view handlers get), power.ts (up, down, reboot),
 * clusters.ts (groups and how many of their members were down at once), endpoints.ts (listeners),
 * status.ts (the `lab status --json` projection). This file wires them.
 */
import { ClusterTracker, type LabClusterSpec } from './clusters.js';
import { labServiceFabricClusters } from './components/service-fabric.js';
import { RabbitmqDownHistory, rabbitmqClusterStatus } from './components/rabbitmq.js';
import { countingDispatcher } from './counting-dispatcher.js';
import type { Dispatcher } from './dispatcher.js';
import { prepareEndpoints, type LabEndpoints } from './endpoints.js';
import { LabExecutor } from './executor.js';
import { mergeFaults, type FaultFlag } from './faults/parse.js';
import { LabFaultsSchema, type LabFaults } from './faults/schema.js';
import type { AnyLabHandler } from './handlers/types.js';
import { createHostRegistry, labViewOf, loadHostStates, type LabHostSpec } from './host-registry.js';
import { createPower } from './power.js';
import { createPowerShellDispatcher } from './powershell/index.js';
import { findPwsh, ShimPool } from './shim/shim-runner.js';
import { resetCounters } from './state/counters.js';
import { deriveState } from './state/derive.js';
import type { LabHostRuntime } from './state/host.js';
import { LabStateStore, type LoadOrigin } from './state/store.js';
import { projectStatus, type LabStatus } from './status.js';
import { InputError } from '../errors.js';

export type { LabHostSpec } from './host-registry.js';
export type { LabHostStatus, LabStatus } from './status.js';

export interface LabOptions {
  hosts: LabHostSpec[];
  /** State folder (default `.cortex/lab`). */
  stateDir: string;
  /** `--fault` flags, merged over each host's profile faults. */
  faultFlags?: FaultFlag[];
  handlers?: readonly AnyLabHandler[];
  /** Accept Kerberos on HTTPS with the HTTP/<host> keys of this keytab (docs/authentication.md). */
  kerberos?: { keytab: string; realm?: string };
  /** Ports, for tests only (default the real 5985 / 5986). */
  httpPort?: number;
  httpsPort?: number;
  /** Skip the SSH endpoint even for ssh hosts (tests of the WinRM side). */
  noSsh?: boolean;
  /** What the lab reports as it goes (the CLI logs it). */
  onEvent?: (e: LabEvent) => void;
  /** pwsh for ad-hoc text (docs/lab.md): default the project's (findPwsh); null: none, ad-hoc text is not emulated. */
  pwsh?: string | null;
  /** Groups of hosts tracked for members down at once (from the inventory's groups: clustersFromGroups). */
  clusters?: LabClusterSpec[];
}

export type LabEvent =
  | { kind: 'state'; host: string; origin: LoadOrigin }
  | { kind: 'down'; host: string; reason: 'fault' | 'reboot' }
  | { kind: 'up'; host: string }
  | { kind: 'fault'; host: string; fault: string }
  | { kind: 'restart-scheduled'; host: string; at: string }
  | { kind: 'warning'; message: string };

export interface RunningLab {
  readonly executor: LabExecutor;
  readonly dispatcher: Dispatcher;
  status(): LabStatus;
  host(name: string): LabHostRuntime | undefined;
  /** Add faults to a host (merged over its current ones), or replace them all (`replace`). */
  setFaults(name: string, faults: Partial<LabFaults>, opts?: { replace?: boolean }): Promise<void>;
  /** Reboot now: down for downSec, pendingReboot cleared, bootTime moved. */
  reboot(name: string, downSec: number): Promise<void>;
  /** Restore every host's state from its profile (memory and disk). */
  reset(): Promise<void>;
  /** Every counter back to zero, and the clusters' most-down-at-once to what is down now (states untouched). */
  resetCounters(): void;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<RunningLab> {
  const emit = opts.onEvent ?? (() => undefined);
  const store = new LabStateStore(opts.stateDir);
  const registry = createHostRegistry(opts.hosts, opts.faultFlags);
  await loadHostStates(registry, store, (host, origin) => {
    if (origin !== 'new') emit({ kind: 'state', host, origin });
  });

  const clusters = new ClusterTracker(opts.clusters ?? [], registry.names());
  let endpoints: LabEndpoints | null = null;
  const view = labViewOf(
    registry,
    () => endpoints?.ssh()?.port ?? 5922,
    (state) => store.save(state),
    (cluster, host, down) => {
      clusters.ensure(cluster);
      clusters.setMemberDown(cluster.name, host, down);
    },
  );
  view.cluster = (name) => clusters.status().find((c) => c.name === name);
  const rabbitmqHistory = new RabbitmqDownHistory();
  view.noteRabbitmqNodes = () => rabbitmqHistory.note(rabbitmqClusterStatus(view));
  const power = createPower({
    setEndpointUp: async (rt, up) => endpoints?.setHostUp(rt, up),
    persist: (state) => store.save(state),
    onDown: (host, reason) => {
      clusters.setDown(host, true);
      emit({ kind: 'down', host, reason });
    },
    onUp: (host) => {
      clusters.setDown(host, false);
      emit({ kind: 'up', host });
    },
  });

  const pwsh = opts.pwsh === undefined ? findPwsh() : opts.pwsh;
  const shim = pwsh ? new ShimPool({ pwsh }) : null;
  const executor = new LabExecutor({
    shim,
    host: (name) => registry.get(name),
    view,
    // Written behind: a host's Sets close together make one write (docs/lab.md#state).
    persist: async (state) => store.saveSoon(state),
    ...(opts.handlers ? { handlers: opts.handlers } : {}),
    dropConnections: (rt) => {
      emit({ kind: 'fault', host: rt.ref.name, fault: 'drop-mid-command' });
      // Closing the host destroys its open connections (and shells); it comes straight back up.
      void (async () => {
        await power.setUp(rt, false);
        await power.setUp(rt, true);
      })();
    },
    power: (rt) => ({
      scheduledRestart: () => rt.scheduledRestart ?? null,
      scheduleRestart: (req) => {
        const at = power.scheduleRestart(rt, req, rt.profile.rebootDownSec);
        emit({ kind: 'restart-scheduled', host: rt.ref.name, at: at.at });
      },
    }),
    stepArmed: (rt, midMs) => {
      // A host lost in the middle of a step: the script goes on (its change is made), its answer is lost.
      if (rt.faults.down) {
        rt.counters.faults++;
        power.later(midMs, () => {
          if (!rt.faults.down || rt.rebootingUntil !== null) return;
          clusters.setDown(rt.ref.name, true);
          emit({ kind: 'down', host: rt.ref.name, reason: 'fault' });
          void power.setUp(rt, false);
        });
        return;
      }
      const downSec = rt.faults.rebootAfterSet();
      if (downSec === null) return;
      rt.counters.faults++;
      power.later(midMs, () => void power.reboot(rt, downSec));
    },
    afterSet: (rt) => {
      const downSec = rt.faults.rebootAfterSet();
      if (downSec === null) return;
      rt.counters.faults++;
      // Let the script's result reach the client before the host goes away.
      power.later(50, () => void power.reboot(rt, downSec));
    },
  });

  const powershell = createPowerShellDispatcher(executor, { powershellStartMs: (h) => registry.get(h.name)?.profile.powershellStartMs ?? 0 });
  const dispatcher = countingDispatcher((name) => registry.get(name)?.counters, powershell);

  const ep = await prepareEndpoints({
    registry,
    dispatcher,
    stateDir: opts.stateDir,
    persist: (state) => store.save(state),
    settle: (host) => store.flushHost(host),
    ...(opts.kerberos ? { kerberos: opts.kerberos } : {}),
    ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
    ...(opts.httpsPort !== undefined ? { httpsPort: opts.httpsPort } : {}),
  });
  endpoints = ep;
  /** Hosts whose listeners just started are up; those with a `down` fault go down at once. */
  const cameUp = async (transport: 'winrm' | 'ssh') => {
    const started = registry.all().filter((h) => h.transport === transport);
    for (const h of started) h.up = true;
    for (const h of started) {
      if (h.faults.down) {
        await power.setUp(h, false);
        clusters.setDown(h.ref.name, true);
        emit({ kind: 'down', host: h.ref.name, reason: 'fault' });
      }
    }
  };
  try {
    await ep.startWinrm();
    await cameUp('winrm');
    if (!opts.noSsh && registry.all().some((h) => h.transport === 'ssh')) {
      await ep.startSsh();
      await cameUp('ssh');
    }
  } catch (e) {
    await ep.close();
    await shim?.close();
    throw e;
  }

  const startedAt = new Date().toISOString();
  const hostNamed = (name: string) => {
    const rt = registry.get(name);
    if (!rt) throw new InputError(`no lab host named ${name}`, { host: name });
    return rt;
  };

  return {
    executor,
    dispatcher,
    host: (name) => registry.get(name),
    status: () => {
      // Service Fabric clusters the lab's hosts formed (their members keep the cluster record).
      for (const c of labServiceFabricClusters(registry.all().map((rt) => rt.state))) clusters.ensure({ name: c.name, kind: 'service-fabric', members: c.members });
      return projectStatus({
        pid: process.pid,
        startedAt,
        stateDir: opts.stateDir,
        certPath: ep.certPath,
        ssh: ep.ssh(),
        hosts: registry.all(),
        winrmUrls: (name) => ep.winrmUrls(name),
        openShells: (name) => ep.openShells(name),
        // The inventory's groups, then the RabbitMQ clusters the hosts' nodes form now.
        clusters: [...clusters.status(), ...rabbitmqHistory.apply(rabbitmqClusterStatus(view))],
      });
    },
    async setFaults(name, faults, o = {}) {
      const rt = hostNamed(name);
      const next = o.replace ? LabFaultsSchema.parse(faults) : mergeFaults(rt.faults.faults, [faults]);
      rt.faults.update(next);
      rt.profile = { ...rt.profile, faults: next };
      if ((o.replace || faults.down !== undefined) && rt.rebootingUntil === null) {
        await power.setUp(rt, !rt.faults.down);
        clusters.setDown(name, rt.faults.down);
      }
    },
    async reboot(name, downSec) {
      await power.reboot(hostNamed(name), downSec);
    },
    async reset() {
      await store.reset(registry.names());
      for (const rt of registry.all()) rt.state = deriveState(rt.ref, registry.spec(rt.ref.name)!.profile);
    },
    resetCounters() {
      for (const rt of registry.all()) resetCounters(rt.counters);
      clusters.reset();
      rabbitmqHistory.reset();
    },
    async stop() {
      power.stop();
      await Promise.all([ep.close(), shim?.close()]);
      await store.flush();
    },
  };
}

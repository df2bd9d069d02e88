/**
 * A running lab: every simulated host's state loaded, one executor with the handlers, the PowerShell
 * emulation over it, WinRM listeners (and the SSH endpoint for hosts with transport ssh) in this one
 * process, faults wired through the server hooks and the executor, and counters per host.
 *
 *   listener (winrm/ ssh/) → counting dispatcher → powershell/ emulation → LabExecutor → handlers → state
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher, LabHostRef } from './dispatcher.js';
import { LabExecutor } from './executor.js';
import { mergeFaults, type FaultFlag } from './faults/parse.js';
import { HostFaults } from './faults/runtime.js';
import { LabFaultsSchema, type LabFaults } from './faults/schema.js';
import { findFileKey } from './handlers/paths.js';
import type { AnyLabHandler, LabView } from './handlers/types.js';
import { exeName } from './powershell/command-line.js';
import { createPowerShellDispatcher } from './powershell/index.js';
import type { LabProfile } from './profile/schema.js';
import { emptyCounters, type LabCounters } from './state/counters.js';
import { deriveState } from './state/derive.js';
import type { LabHostRuntime } from './state/host.js';
import { LabStateStore, type LoadOrigin } from './state/store.js';
import type { LabHostState } from './state/types.js';
import { checkLabAddress, makeSelfSignedCert, startWinrmLab, type LabAccount, type WinrmLab } from './winrm/index.js';
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
}

export interface LabOptions {
  hosts: LabHostSpec[];
  /** State folder (default `.cortex/lab`). */
  stateDir: string;
  /** `--fault` flags, merged over each host's profile faults. */
  faultFlags?: FaultFlag[];
  handlers?: readonly AnyLabHandler[];
  /** Ports, for tests only (default the real 5985 / 5986). */
  httpPort?: number;
  httpsPort?: number;
  /** Skip the SSH endpoint even for ssh hosts (tests of the WinRM side). */
  noSsh?: boolean;
  /** What the lab reports as it goes (the CLI logs it). */
  onEvent?: (e: LabEvent) => void;
}

export type LabEvent =
  | { kind: 'state'; host: string; origin: LoadOrigin }
  | { kind: 'down'; host: string; reason: 'fault' | 'reboot' }
  | { kind: 'up'; host: string }
  | { kind: 'fault'; host: string; fault: string }
  | { kind: 'warning'; message: string };

export interface LabHostStatus {
  name: string;
  address: string;
  transport: 'winrm' | 'ssh';
  up: boolean;
  rebootingUntil: string | null;
  endpoints: { http: string | null; https: string | null; ssh: string | null };
  counters: LabCounters;
  faults: LabFaults;
  pendingReboot: boolean;
  bootTime: string;
}

export interface LabStatus {
  running: true;
  pid: number;
  startedAt: string;
  stateDir: string;
  /** PEM of the HTTPS certificate (trust it as a CA: `winrm.tls.ca`). */
  certPath: string;
  ssh: { port: number; clientKeyPath: string; knownHostsPath: string; user: string } | null;
  hosts: LabHostStatus[];
}

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
  stop(): Promise<void>;
}

interface SshHandle {
  close(): Promise<void>;
  /** Take one SSH host down or up (down and reboot faults). */
  setHostUp: (address: string, up: boolean) => Promise<void>;
  port: number;
  clientKeyPath: string;
  knownHostsPath: string;
  user: string;
}

export async function startLab(opts: LabOptions): Promise<RunningLab> {
  const emit = opts.onEvent ?? (() => undefined);
  const store = new LabStateStore(opts.stateDir);
  const hosts = new Map<string, LabHostRuntime>();
  const byAddress = new Map<string, LabHostRuntime>();
  const flagsFor = new Map<string, Array<Partial<LabFaults>>>();
  for (const f of opts.faultFlags ?? []) flagsFor.set(f.host, [...(flagsFor.get(f.host) ?? []), f.faults]);
  for (const name of flagsFor.keys()) {
    if (!opts.hosts.some((h) => h.name === name)) {
      throw new InputError(`--fault names host '${name}', which is not in the lab`, { field: '--fault', hint: 'Use an inventory host name.' });
    }
  }

  for (const spec of opts.hosts) {
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
      up: false,
      rebootingUntil: null,
    };
    hosts.set(spec.name, rt);
    byAddress.set(spec.address, rt);
  }
  // Load states in parallel (1,000 small files), without writing anything.
  await Promise.all(
    opts.hosts.map(async (spec) => {
      const rt = hosts.get(spec.name)!;
      const { state, origin } = await store.load(rt.ref, spec.profile);
      rt.state = state;
      if (origin !== 'new') emit({ kind: 'state', host: spec.name, origin });
    }),
  );

  const view: LabView = {
    hosts: () => [...hosts.values()].map((h) => h.ref),
    findHost: (key) => (hosts.get(key) ?? byAddress.get(key))?.ref,
    getHostState: (name) => hosts.get(name)?.state,
    isUp: (name) => hosts.get(name)?.up ?? false,
    canConnect: (_from, to, port) => {
      const t = hosts.get(to) ?? byAddress.get(to);
      if (!t || !t.up) return false;
      if (t.state.machine.blockedPorts.includes(port)) return false;
      const lab = t.transport === 'ssh' ? [sshPort()] : [5985, 5986];
      return lab.includes(port) || t.state.machine.listeningPorts.includes(port);
    },
  };

  let winrm: WinrmLab | null = null;
  let ssh: SshHandle | null = null;
  const sshPort = () => ssh?.port ?? 5922;

  async function setUp(rt: LabHostRuntime, up: boolean): Promise<void> {
    if (rt.up === up) return;
    rt.up = up;
    if (rt.transport === 'winrm' && winrm) await (up ? winrm.openHost(rt.ref.name) : winrm.closeHost(rt.ref.name));
    if (rt.transport === 'ssh' && ssh) await ssh.setHostUp(rt.ref.address, up);
  }

  const timers = new Set<NodeJS.Timeout>();
  async function reboot(rt: LabHostRuntime, downSec: number): Promise<void> {
    rt.counters.reboots++;
    rt.rebootingUntil = new Date(Date.now() + downSec * 1000).toISOString();
    emit({ kind: 'down', host: rt.ref.name, reason: 'reboot' });
    await setUp(rt, false);
    rt.state.machine.pendingReboot = false;
    rt.state.machine.bootTime = new Date().toISOString();
    rt.state.updatedAt = rt.state.machine.bootTime;
    await store.save(rt.state);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, downSec * 1000);
      timers.add(t);
    });
    rt.rebootingUntil = null;
    if (!rt.faults.faults.down) {
      await setUp(rt, true);
      emit({ kind: 'up', host: rt.ref.name });
    }
  }

  const executor = new LabExecutor({
    host: (name) => hosts.get(name),
    view,
    persist: (state) => store.save(state),
    ...(opts.handlers ? { handlers: opts.handlers } : {}),
    dropConnections: (rt) => {
      emit({ kind: 'fault', host: rt.ref.name, fault: 'drop-mid-command' });
      // Closing the host destroys its open connections (and shells); it comes straight back up.
      void (async () => {
        await setUp(rt, false);
        await setUp(rt, true);
      })();
    },
    afterSet: (rt) => {
      const downSec = rt.faults.rebootAfterSet();
      if (downSec === null) return;
      rt.counters.faults++;
      // Let the script's result reach the client before the host goes away.
      const t = setTimeout(() => {
        timers.delete(t);
        void reboot(rt, downSec);
      }, 50);
      timers.add(t);
    },
  });

  const powershell = createPowerShellDispatcher(executor, { powershellStartMs: (h) => hosts.get(h.name)?.profile.powershellStartMs ?? 0 });
  /** Counts commands and powershell.exe starts for both endpoints, then hands over to the emulation. */
  const dispatcher: Dispatcher = {
    start(host, command, args, out) {
      const rt = hosts.get(host.name);
      if (rt) {
        rt.counters.commands++;
        const exe = exeName(command.trim().split(/\s+/)[0] ?? '');
        const viaCmd = exe === 'cmd' && /\bpowershell(\.exe)?\b/i.test([command, ...args].join(' '));
        if (exe === 'powershell' || exe === 'pwsh' || viaCmd) rt.counters.powershellStarts++;
      }
      return powershell.start(host, command, args, out);
    },
  };

  const winrmHosts = [...hosts.values()].filter((h) => h.transport === 'winrm');
  const specOf = new Map(opts.hosts.map((s) => [s.name, s]));
  const tlsDir = join(opts.stateDir, 'tls');
  const cert = makeSelfSignedCert(['localhost', ...winrmHosts.flatMap((h) => [h.ref.name, h.ref.address])], 'cortex-lab');
  await mkdir(tlsDir, { recursive: true });
  const certPath = join(tlsDir, 'cert.pem');
  await writeFile(certPath, cert.cert);

  try {
    winrm = await startWinrmLab({
      hosts: winrmHosts.map((h) => {
        const spec = specOf.get(h.ref.name)!;
        return {
          ref: h.ref,
          users: spec.users,
          http: spec.http ?? true,
          https: spec.https ?? true,
        };
      }),
      dispatcher,
      tls: cert,
      ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
      ...(opts.httpsPort !== undefined ? { httpsPort: opts.httpsPort } : {}),
      hooks: {
        onRequest: async (ref) => {
          const rt = hosts.get(ref.name);
          if (!rt) return { action: 'continue' };
          rt.counters.requests++;
          if (rt.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, rt.faults.latencyMs));
          const d = rt.faults.nextRequest();
          if (d.action !== 'continue') rt.counters.faults++;
          return d;
        },
        refuseAuth: (ref) => {
          const rt = hosts.get(ref.name);
          const refuse = rt?.faults.refuseAuth() ?? false;
          if (refuse && rt) rt.counters.faults++;
          return refuse;
        },
        onShellCreated: (ref) => {
          const rt = hosts.get(ref.name);
          if (rt) rt.counters.shells++;
        },
      },
    });
    for (const h of winrmHosts) h.up = true;
    for (const h of winrmHosts) {
      if (h.faults.faults.down) {
        await setUp(h, false);
        emit({ kind: 'down', host: h.ref.name, reason: 'fault' });
      }
    }
    const sshHosts = [...hosts.values()].filter((h) => h.transport === 'ssh');
    if (sshHosts.length > 0 && !opts.noSsh) {
      // Imported lazily: the SSH endpoint needs Debian's sshd, which a WinRM-only lab never touches.
      const { startLabSsh } = await import('./ssh/index.js');
      const s = await startLabSsh({
        hosts: sshHosts.map((h) => ({ ref: h.ref })),
        dispatcher,
        stateDir: join(opts.stateDir, 'ssh'),
        // SFTP uploads land in the host state the way runner.receive-file records them: hash and size, not bytes.
        files: {
          writeFile: async (ref, path, content) => {
            const rt = hosts.get(ref.name);
            if (!rt) return;
            const key = findFileKey(rt.state.machine, path) ?? path;
            rt.state.machine.files[key] = createHash('sha256').update(content).digest('hex');
            rt.state.machine.fileSizes[key] = content.length;
            await store.save(rt.state);
          },
        },
      });
      ssh = {
        close: () => s.close(),
        setHostUp: (address, up) => s.setHostUp(address, up),
        port: s.port,
        clientKeyPath: s.clientKeyPath,
        knownHostsPath: s.knownHostsPath,
        user: s.user,
      };
      for (const h of sshHosts) h.up = true;
      for (const h of sshHosts) {
        if (h.faults.faults.down) {
          await setUp(h, false);
          emit({ kind: 'down', host: h.ref.name, reason: 'fault' });
        }
      }
    }
  } catch (e) {
    await winrm?.close();
    throw e;
  }

  const startedAt = new Date().toISOString();
  const endpoints = new Map((winrm?.addresses() ?? []).map((a) => [a.name, a]));

  return {
    executor,
    dispatcher,
    host: (name) => hosts.get(name),
    status(): LabStatus {
      return {
        running: true,
        pid: process.pid,
        startedAt,
        stateDir: opts.stateDir,
        certPath,
        ssh: ssh ? { port: ssh.port, clientKeyPath: ssh.clientKeyPath, knownHostsPath: ssh.knownHostsPath, user: ssh.user } : null,
        hosts: [...hosts.values()].map((h) => ({
          name: h.ref.name,
          address: h.ref.address,
          transport: h.transport,
          up: h.up,
          rebootingUntil: h.rebootingUntil,
          endpoints: {
            http: endpoints.get(h.ref.name)?.http ?? null,
            https: endpoints.get(h.ref.name)?.https ?? null,
            ssh: h.transport === 'ssh' && ssh ? `ssh://${h.ref.address}:${ssh.port}` : null,
          },
          // openShells: shells open now (null for SSH hosts, which have none); an interrupted run must leave 0.
          counters: { ...h.counters, openShells: h.transport === 'winrm' && winrm ? winrm.openShells(h.ref.name) : null },
          faults: h.faults.faults,
          pendingReboot: h.state.machine.pendingReboot,
          bootTime: h.state.machine.bootTime,
        })),
      };
    },
    async setFaults(name, faults, o = {}) {
      const rt = hosts.get(name);
      if (!rt) throw new InputError(`no lab host named ${name}`, { host: name });
      const next = o.replace ? LabFaultsSchema.parse(faults) : mergeFaults(rt.faults.faults, [faults]);
      rt.faults.update(next);
      rt.profile = { ...rt.profile, faults: next };
      if ((o.replace || faults.down !== undefined) && rt.rebootingUntil === null) await setUp(rt, !next.down);
    },
    async reboot(name, downSec) {
      const rt = hosts.get(name);
      if (!rt) throw new InputError(`no lab host named ${name}`, { host: name });
      await reboot(rt, downSec);
    },
    async reset() {
      await store.reset([...hosts.keys()]);
      for (const spec of opts.hosts) {
        const rt = hosts.get(spec.name)!;
        rt.state = deriveState(rt.ref, spec.profile);
      }
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([winrm?.close(), ssh?.close()]);
      await store.flush();
    },
  };
}

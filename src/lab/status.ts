/**
 * What `lab status --json` shows: a pure projection of the running lab (its hosts' runtimes and
 * endpoints) into the documented shape. Counters are copied, so a status document never changes
 * after it is made.
 */
import type { LabClusterStatus } from './clusters.js';
import type { SshEndpointInfo } from './endpoints.js';
import type { LabFaults } from './faults/schema.js';
import { copyCounters, type LabCounters } from './state/counters.js';
import type { LabHostRuntime, ScheduledRestart } from './state/host.js';

export interface LabHostStatus {
  name: string;
  address: string;
  transport: 'winrm' | 'ssh';
  up: boolean;
  rebootingUntil: string | null;
  endpoints: { http: string | null; https: string | null; ssh: string | null };
  /**
   * openShells: WinRS shells open now (null for SSH hosts); an interrupted run must leave 0.
   * scriptsRunning: scripts running now (a killed orchestrator's last Sets run to their end).
   */
  counters: LabCounters & { openShells: number | null; scriptsRunning: number };
  faults: LabFaults;
  pendingReboot: boolean;
  bootTime: string;
  /** A restart a script asked for that has not begun yet (shutdown.exe /r /t N), or null. */
  scheduledRestart: ScheduledRestart | null;
  /** A twin's host (lab up --from-facts): the facts file it mirrors and what it assumed; null otherwise. */
  twin: { source: string; assumed: string[] } | null;
  /** Service Fabric applications' code-package restarts on this host's node (service_fabric_restart), by application; {} without any. */
  codePackageRestarts: Record<string, number>;
}

export interface LabStatus {
  running: true;
  pid: number;
  startedAt: string;
  stateDir: string;
  /** PEM of the HTTPS certificate (trust it as a CA: `winrm.tls.ca`). */
  certPath: string;
  ssh: SshEndpointInfo | null;
  hosts: LabHostStatus[];
  /** The inventory's groups, with the most members down at once (docs/lab.md, "Clusters"). */
  clusters: LabClusterStatus[];
}

export interface StatusInput {
  pid: number;
  startedAt: string;
  stateDir: string;
  certPath: string;
  ssh: SshEndpointInfo | null;
  hosts: readonly LabHostRuntime[];
  /** A host's WinRM URLs (undefined: no WinRM listener). */
  winrmUrls(name: string): { http: string | null; https: string | null } | undefined;
  /** WinRS shells open on a host now (undefined: not a WinRM host). */
  openShells?(name: string): number | undefined;
  /** The clusters' status now (absent: none). */
  clusters?: LabClusterStatus[];
}

export function projectStatus(s: StatusInput): LabStatus {
  return {
    running: true,
    pid: s.pid,
    startedAt: s.startedAt,
    stateDir: s.stateDir,
    certPath: s.certPath,
    ssh: s.ssh ? { port: s.ssh.port, clientKeyPath: s.ssh.clientKeyPath, knownHostsPath: s.ssh.knownHostsPath, user: s.ssh.user } : null,
    hosts: s.hosts.map((h) => ({
      name: h.ref.name,
      address: h.ref.address,
      transport: h.transport,
      up: h.up,
      rebootingUntil: h.rebootingUntil,
      endpoints: {
        http: s.winrmUrls(h.ref.name)?.http ?? null,
        https: s.winrmUrls(h.ref.name)?.https ?? null,
        ssh: h.transport === 'ssh' && s.ssh ? `ssh://${h.ref.address}:${s.ssh.port}` : null,
      },
      counters: { ...copyCounters(h.counters), openShells: s.openShells?.(h.ref.name) ?? null, scriptsRunning: h.scriptsRunning },
      faults: h.faults.faults,
      pendingReboot: h.state.machine.pendingReboot,
      bootTime: h.state.machine.bootTime,
      scheduledRestart: h.scheduledRestart ? { ...h.scheduledRestart } : null,
      twin: h.profile.twin ? { source: h.profile.twin.source, assumed: [...h.profile.twin.assumed] } : null,
      codePackageRestarts: { ...(h.state.machine.serviceFabric?.codePackageRestarts ?? {}) },
    })),
    clusters: (s.clusters ?? []).map((c) => ({ ...c, members: [...c.members], downNow: [...c.downNow] })),
  };
}

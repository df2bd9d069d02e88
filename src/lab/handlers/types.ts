/**
 * The handler of one ps1/ script in the lab: its contract (src/scripts/catalog.ts: id, file, parameters), its simulated duration, whether it
 * changes the host (Set-type: persisted and counted), and its modelled effect on the host's state.
 * Each handler lives in src/lab/handlers/<script id>.ts beside a comment naming the script it models,
 * and is listed in ./index.ts. test/lab/handler-sync.test.ts keeps ps1/ and the handlers in step.
 */
import type { ZodType } from 'zod';
import type { LabHostRef, ScriptOutcome } from '../dispatcher.js';
import type { LabHostState } from '../state/types.js';
import type { AnyScriptContract, ParamsSeen } from '../../scripts/contract.js';

export type { LabHostState, LabMachine } from '../state/types.js';
export type { LabHostRef, ScriptOutcome } from '../dispatcher.js';

/** What a handler may see of the rest of the lab: other hosts' state and whether they listen. */
export interface LabView {
  /** Every host of the lab. */
  hosts(): LabHostRef[];
  /** A host by inventory name or address. */
  findHost(nameOrAddress: string): LabHostRef | undefined;
  /** A host's state (read it; change only your own host's `ctx.state`). */
  getHostState(name: string): LabHostState | undefined;
  /** Whether the host's listeners are up (not down, not rebooting). */
  isUp(name: string): boolean;
  /**
   * Whether a TCP connection from `fromHost` to `toHost:port` would succeed: the target is up, the
   * port is one something listens on (its profile's listeningPorts, what scripts installed, WinRM/SSH),
   * and the target does not block it (blockedPorts).
   */
  canConnect(fromHost: string, toHost: string, port: number): boolean;
  /**
   * Change another host's machine, as a program on this host changes it remotely (Service Fabric's
   * cluster creation installs every node), and persist it. Absent where no lab runs the hosts: a model
   * that needs it fails as not emulated.
   */
  changeHost?(name: string, change: (state: LabHostState) => void): void;
  /**
   * Whether the host's node fails in the middle of its upgrade now (the fail-upgrade fault; consumes a
   * `once`). Absent where no lab runs the hosts: no fault.
   */
  upgradeFault?(name: string): boolean;
  /**
   * A member of a platform cluster (a Service Fabric node in an upgrade domain being upgraded) went down
   * or came back while its host stays up: the lab's cluster record counts it (docs/lab.md, "Clusters").
   */
  clusterMemberDown?(cluster: { name: string; kind: 'service-fabric' | 'rabbitmq' | 'gobetween'; members: string[] }, host: string, down: boolean): void;
  /** A cluster the lab tracks, by name (a gobetween balanced server: gobetween/<server>), or undefined. */
  cluster?(name: string): { name: string; members: string[] } | undefined;
  /**
   * A model just stopped or started a RabbitMQ node (a rolling upgrade): the lab notes which nodes are
   * down now, so `lab status` keeps the most down at once. Absent where no lab runs the hosts.
   */
  noteRabbitmqNodes?(): void;
}

export interface HandlerContext<P> {
  host: LabHostRef;
  state: LabHostState;
  params: P;
  lab: LabView;
  /** The current time on the host (the lab clock plus the profile's clockSkewSec). */
  now(): Date;
  /** Raw bytes the script read from stdin after its header frame (runner.receive-file). */
  input?: Buffer | undefined;
  /** What a Set downloaded, fetched by its handler before the model runs (resources.file's pull branch). */
  downloaded?: ((url: string) => { sha256: string; length: number }) | undefined;
  /** The corrupt-transfers fault: a file the host receives arrives with its first byte changed. */
  corruptTransfers?: boolean | undefined;
  /** Faults a Set's model consults midway (fail-rabbitmq-upgrade); absent in unit tests. */
  faults?: import('./resources/types.js').MidSetFaults | undefined;
  /** This host's power (restarts a script asks Windows for); absent where no lab runs the host (unit tests). */
  power?: HostPowerControl | undefined;
}

/** A restart as `shutdown.exe /r /t <delaySec> /c <comment>` asks Windows for it. */
export interface RestartRequest {
  delaySec: number;
  comment: string;
}

/** What a handler may do to its own host's power: what Windows does for shutdown.exe. */
export interface HostPowerControl {
  /** The restart already scheduled on this host (Windows allows one at a time), or null. */
  scheduledRestart(): (RestartRequest & { at: string }) | null;
  /** Schedule a restart: after delaySec the host goes down, then comes back with a new boot time. */
  scheduleRestart(req: RestartRequest): void;
}

/** The envelope result (ok, data, error) the script would print; or a raw outcome for scripts outside the envelope. */
export type HandlerResult =
  | { ok: true; data?: unknown; /** false: a Set-type script found nothing to change (not persisted). */ changed?: boolean }
  | { ok: false; error: { message: string; category: string }; data?: unknown }
  | { raw: ScriptOutcome };

export interface LabHandler<P = unknown> {
  /** Script id, from the `# cortex-script:` header. */
  id: string;
  /** The script it models, relative to the repository root (e.g. ps1/probes/ping.ps1). */
  script: string;
  params: ZodType<P>;
  /** Simulated duration before the result (overridable per host: profile scriptDurationMs). */
  defaultDurationMs: number;
  /** Changes the host: state persisted after it, counted in setCalls. */
  setType: boolean;
  run(ctx: HandlerContext<P>): Promise<HandlerResult> | HandlerResult;
}

/** What a handler file writes: the script's contract (src/scripts/catalog.ts) and how the lab models it. */
export interface HandlerSpec<C extends AnyScriptContract> {
  /** The script it models: its id, file and parameters come from the contract, never restated here. */
  contract: C;
  defaultDurationMs: number;
  setType: boolean;
  run(ctx: HandlerContext<ParamsSeen<C>>): Promise<HandlerResult> | HandlerResult;
}

/** A handler from its script's contract: the lab validates parameters with the schema the orchestrator sends by. */
export function defineHandler<C extends AnyScriptContract>(spec: HandlerSpec<C>): LabHandler<ParamsSeen<C>> {
  return {
    id: spec.contract.id,
    script: spec.contract.file,
    params: spec.contract.params as ZodType<ParamsSeen<C>>,
    defaultDurationMs: spec.defaultDurationMs,
    setType: spec.setType,
    run: spec.run,
  };
}

/** A handler of any parameter type, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLabHandler = LabHandler<any>;

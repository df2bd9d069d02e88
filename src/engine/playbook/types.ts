/** A loaded playbook: targets resolved to hosts, params rendered and validated per host, conditions parsed. */
import type { SourcePosition } from '../../errors.js';
import type { Expr } from '../expr/parse.js';
import type { ResourceTypeName } from '../../resources/index.js';
import type { RebootPolicyName } from './schema.js';

export interface RetryPolicy {
  /** Retries after the first try (0: none). */
  attempts: number;
  delayMs: number;
  backoff: number;
  maxDelayMs: number;
}

export interface Condition {
  text: string;
  expr: Expr;
  position: SourcePosition;
}

export type SerialSpec = { count: number } | { percent: number };

export interface Step {
  id: string;
  name?: string | undefined;
  /** Phase name; '' for handlers and health checks. */
  phase: string;
  kind: 'step' | 'handler' | 'check' | 'drain';
  resource: ResourceTypeName;
  /** Validated params for each target host (templates rendered for that host). */
  params: Record<string, unknown>;
  /** Target hosts in inventory order. For run_once: the one host chosen. */
  hosts: string[];
  when?: Condition | undefined;
  /** The targets before run_once narrowed them to one host. */
  runOnceOf?: string[] | undefined;
  /**
   * Handlers only: run once per phase however many hosts notified it, on the first notified host (true)
   * or on this one. (A step's run_once narrows `hosts` at load time instead; a handler's hosts are
   * known only when the steps that notify it have changed something.)
   */
  runOnce?: true | string | undefined;
  serial?: SerialSpec | undefined;
  /** Hosts on which every earlier step must be verified before this step starts. */
  barrier?: string[] | undefined;
  retries: RetryPolicy;
  timeoutMs: number;
  notify: string[];
  rebootPolicy?: RebootPolicyName | undefined;
  position: SourcePosition;
}

export interface HealthGate {
  checks: Step[];
  retries: number;
  delayMs: number;
}

/**
 * A phase's drain (docs/playbooks.md, "Drain"): `before` runs on each `on` host before a host's first
 * Set of its batch, `after` after its last verified Set. Their params are keyed by the host they run
 * for (the changing host: templates rendered for it), not by the host they run on.
 */
export interface PhaseDrain {
  on: string[];
  before: Step;
  after: Step;
}

export interface Phase {
  name: string;
  description?: string | undefined;
  steps: Step[];
  /** Every host some step of the phase targets, in inventory order. */
  hosts: string[];
  serial?: SerialSpec | undefined;
  health?: HealthGate | undefined;
  drain?: PhaseDrain | undefined;
  maxFailPercentage: number;
  position: SourcePosition;
}

export interface HostRebootRule {
  policy: RebootPolicyName;
  /** The group whose members form a quorum with this host (never two down at once), or null. */
  quorum: string | null;
}

export interface Playbook {
  file: string;
  name: string;
  description?: string | undefined;
  phases: Phase[];
  handlers: Record<string, Step>;
  /** Per host: the reboot rule of its role/group (the first matching `reboots:` entry). */
  reboots: Record<string, HostRebootRule>;
  /** Per host: the playbook vars rendered for it. */
  vars: Record<string, Record<string, unknown>>;
}

export function stepsOf(pb: Playbook): Step[] {
  return pb.phases.flatMap((p) => p.steps);
}

/** The hosts phases' drain steps run on (the load balancer): they are in the run although no step targets them. */
export function drainHostsOf(pb: Playbook): string[] {
  return [...new Set(pb.phases.flatMap((p) => p.drain?.on ?? []))];
}

/** Every phase's drain steps (before, after). */
export function drainStepsOf(pb: Playbook): Step[] {
  return pb.phases.flatMap((p) => (p.drain ? [p.drain.before, p.drain.after] : []));
}

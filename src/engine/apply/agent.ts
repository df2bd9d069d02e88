/**
 * What the executor needs from a host, and nothing about how it is reached. The next layer implements
 * it over a Session and the resident script runner (ps1/resources/test-batch.ps1 for test(), one call per
 * host and phase; ps1/resources/<type>.ps1 for set(); see docs/scripts.md, "Resource scripts"); tests use an
 * in-memory fake. Errors thrown are CortexErrors: unreachable/auth/tls kinds mark the host unreachable,
 * anything else fails the step.
 */
import type { ResourceTypeName } from '../../resources/index.js';

export interface ResourceRequest {
  step: string;
  resource: ResourceTypeName;
  /**
   * The step's validated params for this host. Secrets in them are still references (env:NAME,
   * file:PATH, prompt: scheduled_task.runAs.password): the agent resolves them, registers them with
   * the redactor, and sends them to the host on stdin, never on a command line.
   */
  params: unknown;
}

/** A Test result per step: the raw current state (validated by the planner's diff), or the script's error. */
export type TestResults = Record<string, { state: unknown } | { error: string }>;

export interface SetResult {
  ok: boolean;
  /** Exit code 3010/1641, or a pending-reboot key set after the change. */
  rebootRequired: boolean;
  /** Why it failed (or what it did), one line, already redacted. */
  message?: string | undefined;
  exitCode?: number | undefined;
}

export interface HostAgent {
  readonly host: string;
  /** Facts for `when:` conditions (preflight's facts). */
  facts(): Promise<unknown>;
  /** Every Test of one phase for this host in one round trip. */
  test(requests: ResourceRequest[]): Promise<TestResults>;
  /** Make one change. `signal` aborts on the step's timeout. */
  set(request: ResourceRequest, signal: AbortSignal): Promise<SetResult>;
  /**
   * Optional: set(), with the Test that verifies it (`verify`: the step and the host's later steps)
   * sent in the same round trip; resolves with the Set's result, and `tested()` gives the Test's answers
   * (read them only after a successful Set: after a failed one they are ignored). Without it, the
   * executor calls set() and then test().
   */
  setAndTest?(request: ResourceRequest, verify: ResourceRequest[], signal: AbortSignal): Promise<{ set: SetResult; tested: () => Promise<TestResults> }>;
  /**
   * Restart the host; resolves once it is back with a new boot time and a new session. `step`: the
   * step the reboot is for (the run frame's tag, so the host's per-step records name it): a reboot step's id, or
   * `<step>#reboot` for the reboot a step's change asked for (3010, 1641, a pending-reboot key).
   */
  reboot(reason: string, step?: string): Promise<void>;
  /**
   * Optional: the run has nothing more for this host (its last step has finished, and no handler,
   * reboot, drain or health check of the run will need it): the agent may end its session now, while
   * other hosts still work. A later call opens a new one.
   */
  done?(): void;
}

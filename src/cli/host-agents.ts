/**
 * The HostAgents of a plan or apply run: per host, a SessionAgent whose connections are opened on the
 * host's transport (settings and secrets resolved up front) with a resident script runner, each
 * session registered with the run's interrupt so Ctrl-C closes it. closeAll() ends them all.
 * apply's preflight gate probes through the same agents (probeThroughAgents), so each host gets one
 * session and one powershell.exe for the gate and the steps.
 */
import type { ResolvedConnection } from '../connection/settings.js';
import { settingsOrThrow } from '../connection/settings.js';
import { SessionAgent, playbookReadsFacts, type AgentConnection } from '../engine/agent/session-agent.js';
import type { StepSecrets } from '../engine/agent/step-secrets.js';
import { drainStepsOf, stepsOf, type Playbook } from '../engine/playbook/types.js';
import type { HostConfig } from '../inventory/types.js';
import type { RunInterrupt } from '../lifecycle/interrupt.js';
import { DEFAULT_INSTALL_PATH } from '../preflight/finding.js';
import type { Connect, ProbeConnection, ProbeScript } from '../preflight/run.js';
import type { ParamsOf } from '../scripts/contract.js';
import { portsFreeFor } from '../preflight/ports.js';
import { ScriptRunner, warmWireTexts, type RunnerLog } from '../runner/index.js';
import { openSession } from '../transport/connect.js';
import { dirname } from 'node:path';
import { CortexError, UnreachableError } from '../errors.js';

export interface HostAgents {
  agents: Record<string, SessionAgent>;
  closeAll(): Promise<void>;
}

export function hostAgents(o: {
  hosts: readonly HostConfig[];
  playbook: Playbook;
  connections: ReadonlyMap<string, ResolvedConnection>;
  secrets: StepSecrets;
  interrupt: RunInterrupt;
  log: RunnerLog & { info?(obj: object, msg?: string): void };
  scriptTimeoutMs: number;
  acceptNewHostKeys: boolean;
  /**
   * false (plan, apply: nothing runs any more when they close): close a session without first asking its powershell.exe to exit; closing
   * the session ends the process with it (WinRS shell Delete, SSH channel close), as preflight does.
   * Saves about four requests per host at the end. Default true.
   */
  exitGracefully?: boolean;
  /** `apply --artifacts pull`: a file source's download for a host, or null to push it. */
  downloadFor?: ((host: string, sourcePath: string) => { url: string; token: string; thumbprint: string } | null) | undefined;
}): HostAgents {
  const readFacts = playbookReadsFacts(o.playbook);
  const timeouts = new Map(stepsOf(o.playbook).concat(Object.values(o.playbook.handlers), drainStepsOf(o.playbook)).map((s) => [s.id, s.timeoutMs]));
  const agents: Record<string, SessionAgent> = {};
  if (o.hosts.length > 0) warmWireTexts({ lib: true });
  for (const h of o.hosts) {
    const open = async (): Promise<AgentConnection> => {
      const session = await openSession(settingsOrThrow(o.connections, h.name), { log: o.log, signal: o.interrupt.signal, acceptNewHostKeys: o.acceptNewHostKeys }).catch((err: unknown) => {
        throw sessionOpenFailure(err);
      });
      const runner = new ScriptRunner(session, { log: o.log });
      const release = o.interrupt.cleanups.register(`session to ${h.name}`, () => session.close());
      return {
        runner,
        close: async () => {
          release();
          if (o.exitGracefully !== false) await runner.close().catch(() => undefined);
          await session.close();
        },
      };
    };
    agents[h.name] = new SessionAgent({
      host: h.name,
      open,
      factsParams: { roles: [...h.roles], installPath: h.installPath ?? DEFAULT_INSTALL_PATH, ports: portsFreeFor(h.roles) },
      readFacts,
      secrets: o.secrets,
      sourceDir: dirname(o.playbook.file),
      ...(o.downloadFor ? { downloadFor: (sourcePath: string) => o.downloadFor!(h.name, sourcePath) } : {}),
      scriptTimeoutMs: o.scriptTimeoutMs,
      // A drain step's request is <step>@<host it runs for> (src/engine/apply/drain.ts).
      setTimeoutMs: (step) => timeouts.get(step) ?? timeouts.get(step.replace(/@.*$/, '')) ?? 30 * 60_000,
      signal: o.interrupt.signal,
      ...rebootWaitFromEnv(),
    });
  }
  return {
    agents,
    closeAll: async () => {
      await Promise.all(Object.values(agents).map((a) => a.close().catch(() => undefined)));
    },
  };
}

/**
 * A session that could not be opened means the host was never asked anything: an HTTP 500 or a
 * malformed answer or no answer in time during the login is an unreachable host (exit 2), as preflight counts it
 * (src/preflight/run.ts), not a failed step (1). Settings that cannot be used stay invalid input (3).
 */
export function sessionOpenFailure(err: unknown): unknown {
  if (!(err instanceof CortexError) || (err.kind !== 'protocol' && err.kind !== 'timeout')) return err;
  return new UnreachableError(err.detail, err.context, { cause: err });
}

/**
 * CORTEX_REBOOT_POLL_MS: ask a rebooting host for its boot time every N ms (no backoff). Default: after
 * 5 s, then twice as long each time up to 30 s, sized for Windows; the lab's reboots take a second or two.
 */
function rebootWaitFromEnv(): { reboot?: { pollMs: number; maxPollMs: number } } {
  const v = process.env.CORTEX_REBOOT_POLL_MS;
  if (v === undefined || !/^\d{1,7}$/.test(v) || Number(v) < 50) return {};
  return { reboot: { pollMs: Number(v), maxPollMs: Number(v) } };
}

/**
 * The preflight gate's Connect over the run's agents: the probes run on the session the steps then
 * use (closing the probe connection leaves it open), and the facts the gate reads are handed to the
 * agent, whose first facts() then costs no round trip. The agents' sessions are already registered
 * with the interrupt; closeAll() ends them whether or not the gate lets the run go on.
 */
export function probeThroughAgents(agents: Readonly<Record<string, SessionAgent>>): { connect: Connect; factsRead(host: string, facts: unknown): void } {
  const agentOf = (name: string): SessionAgent => {
    const agent = agents[name];
    if (!agent) throw new Error(`no agent for host ${name}`);
    return agent;
  };
  return {
    connect: async (host): Promise<ProbeConnection> => {
      const agent = agentOf(host.name);
      await agent.connect();
      return {
        run: (script, params, timeoutMs) => agent.call(script, params as ParamsOf<ProbeScript>, { timeoutMs }),
        runPipelined: (runs) => {
          const all = agent.callPipelined(runs.map((r) => ({ contract: r.script, params: r.params as ParamsOf<ProbeScript>, options: { timeoutMs: r.timeoutMs } })));
          return runs.map((_r, k) => all.then((started) => started[k]!));
        },
        // The session stays open for the steps; the host's fork is held until its pretest has answered.
        close: () => agent.pretestSettled(),
      };
    },
    factsRead: (host, facts) => {
      if (facts !== null && facts !== undefined) agentOf(host).factsRead(facts);
    },
  };
}

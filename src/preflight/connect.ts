/**
 * The real `Connect` of a preflight run: a host's connection settings (secrets already resolved) → a
 * Session on its transport → a resident script runner, which runs the probe scripts shipped under
 * ps1/probes/. One connection and one powershell.exe per host for both probes.
 */
import { openSession, type ConnectionSettings } from '../transport/connect.js';
import type { Session } from '../transport/session.js';
import { ScriptRunner, loadScript, type RunnerLog } from '../runner/index.js';
import type { ProbeConnection } from './run.js';
import { checkParams } from '../scripts/contract.js';

export interface PreflightConnectOptions {
  log?: RunnerLog;
  /** SSH: trust new host keys (--accept-new-host-keys). */
  acceptNewHostKeys?: boolean;
  /** The run's interrupt signal (a session still connecting is given up). */
  signal?: AbortSignal;
  /**
   * Hand the session and its runner (the resident powershell.exe still up) to this instead of closing
   * them: apply's gate keeps them for the apply on the same host (src/cli/kept-sessions.ts).
   */
  keep?: (session: Session, runner: ScriptRunner) => void;
}

export async function connectForPreflight(settings: ConnectionSettings, opts: PreflightConnectOptions = {}): Promise<ProbeConnection> {
  const host = settings.host;
  const session = await openSession(settings, { ...(opts.signal ? { signal: opts.signal } : {}), acceptNewHostKeys: opts.acceptNewHostKeys ?? false, ...(opts.log ? { log: opts.log } : {}) });
  const runner = new ScriptRunner(session, opts.log ? { log: opts.log } : {});
  return {
    // The runner checks the parameters against each probe's contract; the data is checked by
    // runPreflight (it turns a bad shape into a finding), so it is passed on as it came.
    async run(script, params, timeoutMs) {
      const r = await runner.run(loadScript(script.id), checkParams(script, host.name, params), { timeoutMs });
      return { ok: r.ok, data: r.data, error: r.error };
    },
    runPipelined(runs) {
      return runner
        .runPipelined(runs.map((r) => ({ script: loadScript(r.script.id), params: checkParams(r.script, host.name, r.params), options: { timeoutMs: r.timeoutMs } })))
        .map((p) => p.then((r) => ({ ok: r.ok, data: r.data, error: r.error })));
    },
    async close() {
      if (opts.keep) return opts.keep(session, runner);
      // Closing the session ends the resident powershell.exe with it (WinRS shell Delete, SSH
      // channel close). The runner's graceful exit would cost ~4 more requests per host
      // and buys nothing for read-only probes.
      await session.close();
    },
  };
}

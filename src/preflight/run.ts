/**
 * Runs preflight over many hosts: per host one session, the facts probe (one round trip) and, when the
 * host has peers to reach, the reach probe (one more), all hosts in parallel up to `forks` (the shared
 * fan-out, src/lifecycle/fan-out.ts). Decisions
 * are the pure rules; this module only sequences I/O and emits events for the reporters.
 *
 * It does not know how to connect: the caller passes `connect` (the CLI wires the transport and the
 * script runner), so tests drive it with fakes and the lab alike. Nothing here prints.
 */
import { CortexError } from '../errors.js';
import { finding, type Finding, type PreflightHost, DEFAULT_INSTALL_PATH } from './finding.js';
import type { Facts, FactsParams } from './facts.js';
import { probesFacts, probesReach } from '../scripts/catalog.js';
import { parseData } from '../scripts/contract.js';
import { evaluateHost, sortFindings } from './rules/index.js';
import { skew } from './rules/host.js';
import { buildReachMatrix, planReach, REACH_TIMEOUT_MS, type ReachParams, type ReachResult } from './reach.js';
import { reachFindings } from './rules/reach.js';
import { portsFreeFor } from './ports.js';
import { summarize, type HostOutcome, type PreflightReport } from './outcome.js';
import { fanOut } from '../lifecycle/fan-out.js';
import { sessionOutcomeOf, type HostCapture } from './site-facts.js';
import { outcomeEvents, type PreflightEvent } from './events.js';
import { applyWaivers, utcDay } from './waivers.js';

/** What one script run returns (the runner's envelope result). */
export interface ProbeScriptResult {
  ok: boolean;
  data?: unknown;
  error?: { message: string; category?: string } | undefined;
}

/** The two probe scripts, by their contracts (src/scripts/catalog.ts). */
export type ProbeScript = typeof probesFacts | typeof probesReach;

/** A connected host: run one of the two probe scripts, then close. */
export interface ProbeConnection {
  run(script: ProbeScript, params: FactsParams | ReachParams, timeoutMs: number): Promise<ProbeScriptResult>;
  /**
   * Optional: start both probes at once (the reach plan does not depend on the facts), results in
   * order as each arrives. Saves a round trip per host; a probe that kills the host's process fails
   * the other too.
   */
  runPipelined?(runs: ReadonlyArray<{ script: ProbeScript; params: FactsParams | ReachParams; timeoutMs: number }>): Array<Promise<ProbeScriptResult>>;
  close(): Promise<void>;
}

/**
 * Opens a session to the host. Rejects with UnreachableError / AuthError / TlsError when it cannot.
 * `signal` aborts when the run is interrupted: a session still connecting gives up.
 */
export type Connect = (host: PreflightHost, signal?: AbortSignal) => Promise<ProbeConnection>;

export interface PreflightEvents {
  hostStarted?(host: PreflightHost, at: number): void;
  /** A host finished; `outcome.findings` use the clock median of the hosts finished so far (the report recomputes it). */
  hostFinished?(outcome: HostOutcome): void;
  /** What the probes read of a host, as it finishes (preflight --save-facts keeps it: docs/site-facts.md). */
  hostCaptured?(capture: HostCapture): void;
}

export interface PreflightOptions {
  hosts: readonly PreflightHost[];
  connect: Connect;
  /** Hosts probed at once. */
  forks: number;
  /** Per script run. */
  timeoutMs?: number;
  events?: PreflightEvents;
  /** The run as run events (src/preflight/events.ts), for the reporters: host started, a step per check, host finished. */
  onEvent?: (e: PreflightEvent) => void;
  /** Workstation clock (tests pin it). */
  now?: () => number;
  /**
   * Aborted when the run is interrupted (src/lifecycle/interrupt.ts): hosts not yet started are not
   * started, a host whose session opens after it is closed at once, and hosts whose probes fail
   * after it are marked stopped rather than failed.
   */
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

interface HostRun {
  outcome: HostOutcome;
  facts: Facts | null;
  skewMs: number | null;
  hostFindings: Finding[];
  reach: Finding[];
  reachResult: ReachResult | null;
  /** What stopped the session from opening (undefined: it opened), and which probes failed: for hostCaptured. */
  sessionError?: CortexError['kind'] | 'other' | undefined;
  factsFailed?: boolean;
  reachFailed?: boolean;
  /** The session closing: the host's result is known before it ends. */
  closing?: Promise<void>;
}

/**
 * A session that could not be opened means we never got to ask the host anything, whatever the
 * reason: network, login, certificate, an HTTP 500 or a timeout during the handshake (the host is
 * unreachable, exit 2), or connection settings that cannot be used, such as an unset env: password
 * reference (invalid input, exit 3, as everywhere: docs/exit-codes.md).
 */
function isInputError(err: unknown): boolean {
  return err instanceof CortexError && err.kind === 'input';
}

/** A probe ran and reported failure in its envelope (ok: false). */
class ProbeFailed extends Error {}

function messageOf(err: unknown): string {
  if (err instanceof ProbeFailed) return err.message;
  // The full message: it names the host, the script and the field path (errors.ts formatContext).
  if (err instanceof CortexError) return err.message;
  return err instanceof Error ? `internal error: ${err.message}` : String(err);
}

/** Median of a sorted list. */
function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Insert keeping the list sorted (binary search): the running median stays cheap for 1,000 hosts. */
function insertSorted(list: number[], x: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
}

function captureOf(host: PreflightHost, run: HostRun): HostCapture {
  const session = run.outcome.interrupted ? 'not-probed' : run.outcome.reachable ? 'connected' : sessionOutcomeOf(run.sessionError === 'other' || run.sessionError === undefined ? 'unreachable' : run.sessionError);
  return { name: host.name, session, facts: run.facts, factsFailed: run.factsFailed === true, reach: run.reachResult, reachFailed: run.reachFailed === true, clockSkewMs: run.skewMs };
}

export async function runPreflight(opts: PreflightOptions): Promise<PreflightReport> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const startedAt = now();
  const emit = (e: PreflightEvent) => opts.onEvent?.(e);
  emit({ type: 'run-started', playbook: 'preflight', hosts: opts.hosts.map((h) => h.name), at: new Date(startedAt).toISOString() });
  // Waivers expire by calendar day: one day for the whole run, the day it started (UTC).
  const today = utcDay(startedAt);
  const plan = planReach(opts.hosts);
  const runs = new Map<string, HostRun>();
  /** Clock offsets of the hosts finished so far, sorted. */
  const skews: number[] = [];
  const reported = new Map<string, HostOutcome>();

  const aborted = () => opts.signal?.aborted === true;
  const notProbed = (host: PreflightHost, interrupted: 'not-started' | 'stopped', why: string, durationMs = 0): HostRun => ({
    outcome: { host, reachable: false, interrupted, findings: [], durationMs },
    facts: null,
    skewMs: null,
    hostFindings: [finding('host.reachable', 'error', 'a session to the host', 'not probed', why, 'Run preflight again.')],
    reach: [],
    reachResult: null,
  });

  const probeHost = async (host: PreflightHost, signal: AbortSignal): Promise<HostRun> => {
    const t0 = now();
    const run: HostRun = { outcome: { host, reachable: true, findings: [], durationMs: 0 }, facts: null, skewMs: null, hostFindings: [], reach: [], reachResult: null };
    let conn: ProbeConnection;
    try {
      conn = await opts.connect(host, signal);
      if (aborted()) {
        await conn.close().catch(() => undefined);
        return notProbed(host, 'stopped', 'Not probed: the run was interrupted while connecting to this host.', now() - t0);
      }
    } catch (err) {
      if (aborted()) return notProbed(host, 'stopped', `Not probed: the run was interrupted while connecting to this host (${messageOf(err)}).`, now() - t0);
      run.outcome.reachable = false;
      run.sessionError = err instanceof CortexError ? err.kind : 'other';
      if (isInputError(err)) run.outcome.invalidInput = true;
      run.hostFindings = [finding('host.reachable', 'error', 'a session to the host', 'no session', messageOf(err), 'Check the address, the transport settings and the credentials in the inventory; cortex-deploy exec -i INV --limit HOST -- hostname tries one host.')];
      run.outcome.durationMs = now() - t0;
      return run;
    }
    const params: FactsParams = { roles: host.roles, installPath: host.installPath ?? DEFAULT_INSTALL_PATH, ports: portsFreeFor(host.roles) };
    const targets = plan.get(host.name) ?? [];
    const reachParams: ReachParams = { targets, timeoutMs: REACH_TIMEOUT_MS };
    const sent = now();
    // Both probes in one go when the connection can (each awaited below, so each failure is owned).
    const [factsRun, reachRun] =
      targets.length > 0 && conn.runPipelined
        ? conn.runPipelined([
            { script: probesFacts, params, timeoutMs },
            { script: probesReach, params: reachParams, timeoutMs },
          ])
        : [conn.run(probesFacts, params, timeoutMs), undefined];
    try {
      const res = await factsRun!;
      const received = now();
      if (!res.ok) throw new ProbeFailed(res.error?.message ?? 'the facts probe failed without a message');
      run.facts = parseData(probesFacts, host.name, res.data, 'the facts probe');
      // The host read its clock somewhere inside the round trip: its middle is the best estimate.
      run.skewMs = Date.parse(run.facts.utcNow) - (sent + received) / 2;
    } catch (err) {
      run.factsFailed = true;
      run.hostFindings = [finding('probe.facts', 'error', 'the facts probe result', 'no facts', messageOf(err), 'Re-run with -v; the run log under .cortex/runs/ has the host output.')];
    }
    if (targets.length > 0) {
      try {
        const res = await (reachRun ?? conn.run(probesReach, reachParams, timeoutMs));
        if (!res.ok) throw new ProbeFailed(res.error?.message ?? 'the reach probe failed without a message');
        run.reachResult = parseData(probesReach, host.name, res.data, 'the reach probe');
        run.reach = reachFindings(targets, run.reachResult);
      } catch (err) {
        run.reachFailed = true;
        run.reach = reachFindings(targets, { error: messageOf(err) });
      }
    }
    run.outcome.durationMs = now() - t0;
    run.closing = conn.close().catch(() => undefined);
    // Probes cut short by the interrupt (their session closed under them) did not fail: they were stopped.
    if (aborted() && (!run.facts || (targets.length > 0 && !run.reachResult))) {
      const stopped = notProbed(host, 'stopped', 'Stopped: the run was interrupted while this host was being probed.', run.outcome.durationMs);
      stopped.closing = run.closing;
      return stopped;
    }
    return run;
  };

  const finish = (run: HostRun, medianSkew: number): HostOutcome => {
    const { host } = run.outcome;
    const perHost = run.facts ? evaluateHost({ host, facts: run.facts, clock: run.skewMs === null ? null : { skewMs: run.skewMs, medianSkewMs: medianSkew } }) : run.hostFindings;
    const session = !run.outcome.reachable
      ? []
      : host.tlsInsecure
        ? [
            finding(
              'host.reachable',
              'warn',
              'a session to the host, its TLS certificate verified',
              'connected; TLS certificate verification is OFF (winrm.tls.insecure: true)',
              'Connected and logged in, but TLS certificate verification is OFF (winrm.tls.insecure: true): anyone on the path can impersonate this host and read its credentials.',
              'Trust the issuing CA with winrm.tls.ca and remove winrm.tls.insecure.',
            ),
          ]
        : [finding('host.reachable', 'pass', 'a session to the host', 'connected', 'Connected and logged in.')];
    return { ...run.outcome, findings: applyWaivers(sortFindings([...session, ...perHost, ...run.reach]), host.waivers, today) };
  };

  /** The final outcome: as reported when the host finished, with time.skew judged against the final median. */
  const refinish = (outcome: HostOutcome, run: HostRun, medianSkew: number): HostOutcome => {
    if (run.skewMs === null) return outcome;
    const [skewFinding] = skew({ skewMs: run.skewMs, medianSkewMs: medianSkew });
    return { ...outcome, findings: outcome.findings.map((f) => (f.id === 'time.skew' && skewFinding ? applyWaivers([skewFinding], outcome.host.waivers, today)[0]! : f)) };
  };

  /** The outcome as reported when the host finished (time.skew against the median so far). */
  const report = (host: PreflightHost, run: HostRun): HostOutcome => {
    runs.set(host.name, run);
    if (run.skewMs !== null) insertSorted(skews, run.skewMs);
    const outcome = finish(run, median(skews));
    reported.set(host.name, outcome);
    opts.events?.hostCaptured?.(captureOf(host, run));
    return outcome;
  };

  await fanOut({
    hosts: opts.hosts,
    forks: opts.forks,
    signal: opts.signal,
    notStarted: (host) => report(host, notProbed(host, 'not-started', 'Not probed: the run was interrupted before this host was started.')),
    run: async (host, work) => {
      const run = await probeHost(host, work.signal);
      // The fork stays taken until the session is closed, so --forks bounds open connections.
      if (run.closing) work.holdFork(run.closing);
      return report(host, run);
    },
    onStarted: (host, at) => {
      emit({ type: 'host-started', host: host.name });
      opts.events?.hostStarted?.(host, at);
    },
    onFinished: (_host, outcome) => {
      for (const e of outcomeEvents(outcome)) emit(e);
      opts.events?.hostFinished?.(outcome);
    },
    now,
  });

  const medianSkew = median(skews);
  const outcomes = opts.hosts.map((h) => refinish(reported.get(h.name) as HostOutcome, runs.get(h.name) as HostRun, medianSkew));
  const matrix = buildReachMatrix(
    opts.hosts.map((h) => h.name),
    plan,
    new Map(opts.hosts.map((h) => [h.name, runs.get(h.name)?.reachResult ?? null])),
  );
  const summary = summarize(outcomes, now() - startedAt);
  if (aborted()) {
    summary.interrupted = {
      notStarted: outcomes.filter((o) => o.interrupted === 'not-started').map((o) => o.host.name),
      stopped: outcomes.filter((o) => o.interrupted === 'stopped').map((o) => o.host.name),
    };
  }
  emit({ type: 'run-finished', outcome: aborted() ? 'interrupted' : summary.exitCode === 0 ? 'ok' : 'failed' });
  return { startedAt: new Date(startedAt).toISOString(), hosts: outcomes, matrix, summary };
}

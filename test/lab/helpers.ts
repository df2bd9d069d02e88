/**
 * Shared set-up for the lab tests: a lab on the calling file's loopback addresses (test/helpers/loopback.ts)
 * with a state folder in a temp directory, and a script runner over a real WinRM session to a host.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabHostRef } from '../../src/lab/dispatcher.js';
import { HostFaults } from '../../src/lab/faults/runtime.js';
import { afterAll, beforeAll } from 'vitest';
import { startLab, type LabOptions, type RunningLab } from '../../src/lab/lab.js';
import { ShimHost } from '../../src/lab/shim/shim-runner.js';
import { resolveProfile, resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import { emptyCounters } from '../../src/lab/state/counters.js';
import { deriveState } from '../../src/lab/state/derive.js';
import type { LabHostRuntime } from '../../src/lab/state/host.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { openWinrmSession, type WinrmConnectSettings } from '../../src/transport/winrm/index.js';

export const USER = { user: 'svc-cortex', domain: 'CORP', password: 'CortexLab!2026-test' };

export interface TestHost {
  name: string;
  address: string;
  lab?: unknown;
  transport?: 'winrm' | 'ssh';
}

/**
 * One host as the running lab holds it (up, fresh counters, the profile's faults), for the executor
 * without sockets: its state derived from the lab profile `lab`, or a copy of `state` when given.
 */
export function labHostRuntime(ref: LabHostRef, lab: Record<string, unknown> = {}, state?: LabHostState): LabHostRuntime {
  const r = resolveProfile(lab);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return {
    ref,
    transport: 'winrm',
    profile: r.profile,
    state: state ? structuredClone(state) : deriveState(ref, r.profile),
    faults: new HostFaults(r.profile.faults),
    counters: emptyCounters(),
    scriptsRunning: 0,
    up: true,
    rebootingUntil: null,
  };
}

/** In the calling describe: one Windows shim process, warm before its tests and closed after them; `use` is handed it first. */
export function withShimHost(pwsh: string, use: (host: ShimHost) => void, warmTimeoutMs = 60_000): void {
  let host: ShimHost | undefined;
  beforeAll(async () => {
    host = new ShimHost(pwsh);
    use(host);
    await host.warm();
  }, warmTimeoutMs);
  afterAll(async () => host?.close());
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'cortex-lab-test-'));
}

export async function startTestLab(hosts: TestHost[], opts: Partial<LabOptions> = {}): Promise<RunningLab> {
  return startLab({
    stateDir: opts.stateDir ?? tempStateDir(),
    ...opts,
    hosts: hosts.map((h) => ({
      name: h.name,
      address: h.address,
      transport: h.transport ?? 'winrm',
      users: [USER],
      profile: resolveProfileOrThrow(h.lab, { host: h.name, labPath: [] }),
    })),
  });
}

export function winrmSettings(over: Partial<WinrmConnectSettings> = {}): WinrmConnectSettings {
  return {
    scheme: 'http',
    port: 5985,
    auth: 'ntlm',
    user: `${USER.domain}\\${USER.user}`,
    password: USER.password,
    allowUnencrypted: false,
    tls: { ca: null, serverName: null, insecure: false },
    operationTimeoutSec: 2,
    connectTimeoutMs: 3000,
    requestTimeoutMs: 10_000,
    ...over,
  };
}

/** A resident-mode script runner on a real WinRM session (NTLM, sealed HTTP). Close with closeRunner. */
export async function openRunner(host: { name: string; address: string }, over: Partial<WinrmConnectSettings> = {}): Promise<ScriptRunner> {
  const session = await openWinrmSession({ name: host.name, address: host.address }, winrmSettings(over));
  return new ScriptRunner(session, { startTimeoutMs: 10_000, graceMs: 2000 });
}

export async function closeRunner(r: ScriptRunner | undefined): Promise<void> {
  if (!r) return;
  await (r as unknown as { close?: () => Promise<void> }).close?.().catch(() => undefined);
  await r.session.close().catch(() => undefined);
}

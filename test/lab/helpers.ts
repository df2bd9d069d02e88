/**
 * Shared set-up for the lab tests: a lab on the calling file's loopback addresses (test/helpers/loopback.ts)
 * with a state folder in a temp directory, and a script runner over a real WinRM session to a host.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type LabOptions, type RunningLab } from '../../src/lab/lab.js';
import { resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { openWinrmSession, type WinrmConnectSettings } from '../../src/transport/winrm/index.js';

export const USER = { user: 'svc-cortex', domain: 'CORP', password: 'CortexLab!2026-test' };

export interface TestHost {
  name: string;
  address: string;
  lab?: unknown;
  transport?: 'winrm' | 'ssh';
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

/**
 * Each fault kind, once, through the real protocol: the script runner over a WinRM session (NTLM,
 * sealed HTTP) to a lab host given that fault in its profile.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, CortexError, UnreachableError } from '../../src/errors.js';
import type { RunningLab } from '../../src/lab/lab.js';
import { loadScript } from '../../src/runner/index.js';
import { closeRunner, openRunner, startTestLab } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const ping = () => loadScript('probes.ping');
const base = { powershellStartMs: 0 };
const hosts = [
  { name: 'f-latency', address: net.addr(1), lab: { ...base, faults: { latencyMs: 60 } } },
  { name: 'f-dropafter', address: net.addr(2), lab: { ...base, faults: { dropAfterRequests: 5 } } },
  { name: 'f-dropmid', address: net.addr(3), lab: { ...base, scriptDurationMs: { 'probes.ping': 300 }, faults: { dropMidCommand: 'once' } } },
  { name: 'f-http500', address: net.addr(4), lab: { ...base, faults: { http500: 'always' } } },
  { name: 'f-refuse', address: net.addr(5), lab: { ...base, faults: { refuseAuth: true } } },
  { name: 'f-fail', address: net.addr(6), lab: { ...base, faults: { failScripts: { 'probes.ping': 'always' } } } },
  { name: 'f-down', address: net.addr(7), lab: { ...base, faults: { down: true } } },
  { name: 'f-slow', address: net.addr(8), lab: { ...base, scriptDurationMs: { 'probes.ping': 100 }, faults: { slowFactor: 4 } } },
  { name: 'f-reboot', address: net.addr(9), lab: { ...base, pendingReboot: true, bootTime: '2026-01-01T00:00:00Z', faults: { reboot: { downSec: 1 } } } },
];
const byName = (n: string) => hosts.find((h) => h.name === n)!;
let lab: RunningLab;

beforeAll(async () => {
  lab = await startTestLab(hosts);
});
afterAll(async () => {
  await lab?.stop();
});

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Poll a condition (timers run late on a loaded machine; no fixed sleeps). */
async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((res) => setTimeout(res, 20));
  }
}

const counters = (name: string) => lab.status().hosts.find((h) => h.name === name)!.counters;

describe('lab faults', () => {
  it('latency: every request waits the configured time first', async () => {
    const started = Date.now();
    const r = await openRunner(byName('f-latency'));
    try {
      await r.runData(ping());
    } finally {
      await closeRunner(r);
    }
    const c = counters('f-latency');
    expect(c.requests).toBeGreaterThanOrEqual(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60 * c.requests);
  });

  it('drop-after: the connection drops at request N+1 and the client fails clearly or recovers', async () => {
    const r = await openRunner(byName('f-dropafter'));
    try {
      const first = await settle(r.runData(ping()));
      if (!first.ok) expect(first.error).toBeInstanceOf(CortexError);
      // Dropped once: the host serves the next attempt.
      const second = await settle(r.runData(ping()));
      const again = second.ok ? second : await settle((await openRunner(byName('f-dropafter'))).runData(ping()));
      expect(again.ok).toBe(true);
    } finally {
      await closeRunner(r);
    }
    expect(counters('f-dropafter').faults).toBe(1);
  });

  it('drop-mid-command: the running script fails with a clear error, never hangs; the host serves the next session', async () => {
    const r = await openRunner(byName('f-dropmid'));
    const res = await settle(r.runData(ping(), {}, { timeoutMs: 10_000 }));
    await closeRunner(r);
    expect(res.ok).toBe(false);
    expect(res.ok || res.error).toBeInstanceOf(CortexError);
    expect(counters('f-dropmid').faults).toBe(1);
    const r2 = await openRunner(byName('f-dropmid'));
    try {
      await expect(r2.runData(ping())).resolves.toMatchObject({ hostName: 'F-DROPMID' });
    } finally {
      await closeRunner(r2);
    }
  });

  it('http500: the client reports the HTTP 500 as an error naming the host', async () => {
    const res = await settle(openRunner(byName('f-http500')).then((r) => r.runData(ping()).finally(() => closeRunner(r))));
    expect(res.ok).toBe(false);
    expect(res.ok || String((res.error as Error).message)).toMatch(/f-http500/);
    expect(res.ok || String((res.error as Error).message)).toMatch(/500/);
  });

  it('refuse-auth: authentication refused, exit code 2', async () => {
    const res = await settle(openRunner(byName('f-refuse')).then((r) => r.runData(ping()).finally(() => closeRunner(r))));
    expect(res.ok).toBe(false);
    expect(res.ok || res.error).toBeInstanceOf(AuthError);
    expect(res.ok || (res.error as AuthError).exitCode).toBe(2);
  });

  it('fail-script: the script runs and fails with ok=false and exit 1', async () => {
    const r = await openRunner(byName('f-fail'));
    try {
      const result = await r.run(ping());
      expect(result.ok).toBe(false);
      expect(result.exitCode).toBe(1);
      expect(result.error?.message).toMatch(/fail-script/);
    } finally {
      await closeRunner(r);
    }
  });

  it('down: the listener is closed; the client reports the host unreachable', async () => {
    expect(lab.status().hosts.find((h) => h.name === 'f-down')!.up).toBe(false);
    const res = await settle(openRunner(byName('f-down')).then((r) => r.runData(ping()).finally(() => closeRunner(r))));
    expect(res.ok || res.error).toBeInstanceOf(UnreachableError);
  });

  it('slow: every script takes K times its duration', async () => {
    const r = await openRunner(byName('f-slow'));
    try {
      await r.runData(ping());
      const result = await r.run(ping());
      expect(result.durationMs).toBeGreaterThanOrEqual(400);
    } finally {
      await closeRunner(r);
    }
  });

  it('reboot: after a Set-type script the host goes down, comes back with pendingReboot cleared and a new boot time', async () => {
    const h = byName('f-reboot');
    const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-reboot-'));
    const file = join(dir, 'payload.bin');
    writeFileSync(file, Buffer.alloc(1000, 7));
    const r = await openRunner(h);
    // The upload's receive-file is the Set-type script; its verification (file-hash) may already meet
    // the rebooting host, which is what a real reboot in the middle of a step does.
    const upload = await settle(r.upload(file, 'C:\\Cortex\\payload.bin'));
    await closeRunner(r);
    if (!upload.ok) expect(upload.error).toBeInstanceOf(UnreachableError);
    await waitFor(() => !lab.status().hosts.find((x) => x.name === h.name)!.up);
    const during = lab.status().hosts.find((x) => x.name === h.name)!;
    expect(during.up).toBe(false);
    expect(during.rebootingUntil).not.toBeNull();
    const refused = await settle(openRunner(h).then((x) => x.runData(ping()).finally(() => closeRunner(x))));
    expect(refused.ok || refused.error).toBeInstanceOf(UnreachableError);
    await waitFor(() => lab.status().hosts.find((x) => x.name === h.name)!.up);
    const after = lab.status().hosts.find((x) => x.name === h.name)!;
    expect(after.up).toBe(true);
    expect(after.pendingReboot).toBe(false);
    expect(after.bootTime).not.toBe('2026-01-01T00:00:00Z');
    expect(after.counters.reboots).toBe(1);
    const r2 = await openRunner(h);
    try {
      await expect(r2.runData(ping())).resolves.toMatchObject({ hostName: 'F-REBOOT' });
    } finally {
      await closeRunner(r2);
    }
  });
});

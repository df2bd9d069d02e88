/**
 * A host whose WinRM service has MaxEnvelopeSizekb 150 (older and hardened hosts; the lab profile's
 * `maxEnvelopeSizeKb`). The client sends stdin in 500 KB envelopes, gets HTTP 413 once, drops to
 * 150 KB for the rest of the session and resends: an upload and a long script parameter arrive whole
 * (no byte lost or repeated). A host below 150 refuses even that: a typed error naming the host.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProtocolError } from '../../src/errors.js';
import { EnvelopeTooLargeError } from '../../src/transport/winrm/errors.js';
import { HANDLERS } from '../../src/lab/handlers/index.js';
import { defineHandler } from '../../src/lab/handlers/types.js';
import { defineScript } from '../../src/scripts/contract.js';
import type { RunningLab } from '../../src/lab/lab.js';
import { loadScript } from '../../src/runner/index.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { closeRunner, openRunner, startTestLab } from './helpers.js';

const net = await claimLoopbackBlock(import.meta.url);
const old = { name: 'env-old', address: net.addr(1), lab: { maxEnvelopeSizeKb: 150, powershellStartMs: 0 } };
const older = { name: 'env-older', address: net.addr(2), lab: { maxEnvelopeSizeKb: 150, powershellStartMs: 0 } };
const tiny = { name: 'env-tiny', address: net.addr(3), lab: { maxEnvelopeSizeKb: 100, powershellStartMs: 0 } };
const modern = { name: 'env-modern', address: net.addr(4), lab: { powershellStartMs: 0 } };

/** Echoes its parameters back, as `Invoke-CortexScript { $CortexParams }` would. */
const echo = defineHandler({
  contract: defineScript({ id: 'test.echo', file: 'test/lab/envelope-size.test.ts', params: z.object({}).loose(), result: z.unknown() }),
  defaultDurationMs: 0,
  setType: false,
  run: ({ params }) => ({ ok: true, data: params }),
});
const echoScript = { id: 'test.echo', text: '# cortex-script: test.echo\nInvoke-CortexScript { $CortexParams }\n' };

let lab: RunningLab;
const dir = mkdtempSync(join(tmpdir(), 'cortex-envelope-'));
const counters = (name: string) => lab.status().hosts.find((h) => h.name === name)!.counters;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A parameter far over 150 KB once framed: text with non-ASCII characters and no repeating period. */
function longText(chars: number): string {
  const parts: string[] = [];
  for (let n = 0; n < chars; n += 64) parts.push(`${randomBytes(30).toString('base64')}·ü€${n}\n`);
  return parts.join('').slice(0, chars);
}

beforeAll(async () => {
  lab = await startTestLab([old, older, tiny, modern], { handlers: [...HANDLERS, echo] });
});

afterAll(async () => {
  await lab?.stop();
});

describe('MaxEnvelopeSizekb 150 (lab profile maxEnvelopeSizeKb)', () => {
  it('a default host (500 KB) takes the full envelopes: no 413', async () => {
    const content = randomBytes(400 * 1024);
    const file = join(dir, 'modern.bin');
    writeFileSync(file, content);
    const r = await openRunner(modern);
    try {
      await r.upload(file, 'C:\\Cortex\\modern.bin');
    } finally {
      await closeRunner(r);
    }
    expect(counters(modern.name).tooLarge).toBe(0);
    expect(lab.host(modern.name)!.state.machine.files['C:\\Cortex\\modern.bin']).toBe(sha(content));
  });

  it('an upload and then a long script: one 413, mid-run, and every byte arrives once', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 4097);
    const file = join(dir, 'payload.bin');
    writeFileSync(file, content);
    const big = longText(700 * 1024);
    const r = await openRunner(old);
    try {
      // Small requests fit either limit: no 413 yet.
      await r.runData(loadScript('probes.ping'));
      expect(counters(old.name).tooLarge).toBe(0);

      const up = await r.upload(file, 'C:\\Cortex\\payload.bin');
      expect(up).toMatchObject({ skipped: false, method: 'stdin', bytes: content.length, sha256: sha(content) });
      expect(counters(old.name).tooLarge).toBe(1);
      // What the host wrote (its receive-file handler hashes the bytes it read from stdin).
      const machine = lab.host(old.name)!.state.machine;
      expect(machine.files['C:\\Cortex\\payload.bin']).toBe(sha(content));
      expect(machine.fileSizes['C:\\Cortex\\payload.bin']).toBe(content.length);

      // The session stays at 150 KB: the long parameter goes through without another 413.
      const echoed = await r.runData<{ big: string }>(echoScript, { big });
      expect(echoed.big.length).toBe(big.length);
      expect(echoed.big === big).toBe(true);
      expect(counters(old.name).tooLarge).toBe(1);
    } finally {
      await closeRunner(r);
    }
  });

  it('a long script first: the fallback happens on its Send, once per session', async () => {
    const big = longText(900 * 1024);
    const r = await openRunner(older);
    try {
      await r.runData(loadScript('probes.ping'));
      expect(counters(older.name).tooLarge).toBe(0);
      const first = await r.runData<{ big: string; n: number }>(echoScript, { big, n: 1 });
      expect(first.n).toBe(1);
      expect(first.big === big).toBe(true);
      expect(counters(older.name).tooLarge).toBe(1);
      const second = await r.runData<{ big: string; n: number }>(echoScript, { big, n: 2 });
      expect(second.big === big).toBe(true);
      expect(counters(older.name).tooLarge).toBe(1);
    } finally {
      await closeRunner(r);
    }
  });

  it('a host below 150 KB: a typed error naming the host and the fix', async () => {
    const r = await openRunner(tiny);
    try {
      // The first request already carries the library (well over 100 KB of envelope once encoded).
      const err = await r.runData(echoScript, { big: longText(300 * 1024) }).catch((e: unknown) => e);
      // The runner adds the script to the transport's error (same kind, the original as its cause).
      expect(err).toBeInstanceOf(ProtocolError);
      const e = err as ProtocolError;
      expect(e.cause).toBeInstanceOf(EnvelopeTooLargeError);
      expect(e.context).toMatchObject({ host: tiny.name, script: 'test.echo' });
      expect(e.message).toMatch(new RegExp(`^host ${tiny.name}, script test\\.echo: WinRM refused stdin as too large \\(HTTP 413\\) even in 150 KB envelopes`));
      expect(e.message).toContain('Set-Item WSMan:\\localhost\\MaxEnvelopeSizekb -Value 500');
      // Refused at 500 KB, then at 150 KB: two 413s, no third try.
      expect(counters(tiny.name).tooLarge).toBe(2);
    } finally {
      await closeRunner(r);
    }
  });
});

/**
 * The script runner over the real WinRM client against the lab's WinRM server and powershell.exe
 * emulation (NTLM with message sealing over HTTP, on a loopback address of its own).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationTimeoutError } from '../../src/errors.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../src/lab/winrm/index.js';
import { ScriptRunner, loadScript } from '../../src/runner/index.js';
import type { Session } from '../../src/transport/session.js';
import { openWinrmSession, winrmDefaults } from '../../src/transport/winrm/index.js';
import { createTestExecutor, testScripts } from '../fakes/test-executor.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = { name: 'app40', address: net.addr(21) };
const account = { user: 'cortex', domain: 'LAB', password: 'Lab-Pa55word!' };
const executor = createTestExecutor();
let lab: WinrmLab;
let session: Session;

beforeAll(async () => {
  lab = await startWinrmLab({
    hosts: [{ ref: host, users: [account], http: true, https: false }],
    dispatcher: createPowerShellDispatcher(executor),
    tls: makeSelfSignedCert([host.address]),
  });
  session = await openWinrmSession(host, {
    scheme: 'http',
    port: winrmDefaults.httpPort,
    auth: 'ntlm',
    user: 'LAB\\cortex',
    password: account.password,
    allowUnencrypted: false,
    tls: { ca: null, serverName: null, insecure: false },
    operationTimeoutSec: 5,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 20_000,
  });
});

afterAll(async () => {
  await session?.close();
  await lab?.close();
});

describe('ScriptRunner over WinRM (sealed NTLM over HTTP) against the lab', () => {
  it('runs 100 scripts through one resident powershell.exe', async () => {
    const runner = new ScriptRunner(session);
    const before = lab.counters(host.name).commands;
    for (let i = 0; i < 100; i++) {
      const r = await runner.run<{ i: number }>(testScripts.echo, { i });
      expect(r.data?.i).toBe(i);
    }
    expect(lab.counters(host.name).commands - before).toBe(1);
    const ping = await runner.runData<{ hostName: string }>(loadScript('probes.ping'));
    expect(ping.hostName).toBe('app40');
    await runner.close();
  });

  it('between scripts the resident process is not polled: a late request is one Send and one Receive', async () => {
    const runner = new ScriptRunner(session);
    await runner.run(testScripts.echo, { i: 0 });
    const before = lab.counters(host.name).requests;
    // A step waiting for other hosts: before the idle hint, a 1 s Receive poll was held here and the
    // next request waited behind it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(lab.counters(host.name).requests).toBe(before);
    const r = await runner.run<{ i: number }>(testScripts.echo, { i: 1 });
    expect(r.data?.i).toBe(1);
    expect(lab.counters(host.name).requests - before).toBe(2);
    await runner.close();
  });

  it('a 1 MB parameter and a script timeout with recovery', async () => {
    const runner = new ScriptRunner(session, { graceMs: 2000 });
    const big = 'ü'.repeat(512 * 1024);
    expect((await runner.run(testScripts.echo, { big })).data).toEqual({ big });
    await expect(runner.run(testScripts.sleep, { ms: 10_000 }, { timeoutMs: 100 })).rejects.toBeInstanceOf(OperationTimeoutError);
    expect((await runner.run(testScripts.exit, { code: 3 })).exitCode).toBe(3);
    expect((await runner.run(testScripts.echo, { after: 1 })).data).toEqual({ after: 1 });
    await runner.close();
  });

  it('uploads through stdin, verifies, then skips', async () => {
    const runner = new ScriptRunner(session);
    const local = join(mkdtempSync(join(tmpdir(), 'cortex-e2e-')), 'blob.bin');
    writeFileSync(local, randomBytes(512 * 1024));
    expect(await runner.upload(local, 'C:\\Temp\\blob.bin')).toMatchObject({ skipped: false, method: 'stdin' });
    expect(await runner.upload(local, 'C:\\Temp\\blob.bin')).toMatchObject({ skipped: true });
    await runner.close();
  });
});

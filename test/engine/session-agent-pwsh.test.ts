/**
 * The real HostAgent end to end without the lab: the local transport runs the shipped resource scripts
 * in real pwsh on this machine, in a temp folder (directory, file with its upload, exec's guard; exec's
 * Set reads the pending-reboot registry keys, which pwsh on Linux does not have, so only the lab runs it):
 * Test → Set → Test again shows the change, and the batch answers each step's error on its own.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SessionAgent } from '../../src/engine/agent/session-agent.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { openLocalSession } from '../../src/transport/local/index.js';
import { describeWithPwsh } from '../helpers/pwsh.js';

describeWithPwsh('SessionAgent over the local transport (real pwsh)', (pwsh) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-pwsh-'));
  const src = join(dir, 'src');
  const opened: Array<{ close(): Promise<void> }> = [];
  const agent = new SessionAgent({
    host: 'local1',
    open: async () => {
      const session = await openLocalSession({ name: 'local1', address: '127.0.0.1' }, { searchPath: dirname(pwsh) });
      const runner = new ScriptRunner(session);
      const conn = { runner, close: async () => { await runner.close(); await session.close(); } };
      opened.push(conn);
      return conn;
    },
    factsParams: { roles: [], installPath: null, ports: [] },
    readFacts: false,
    secrets: { count: 0, paramsFor: (_s, _h, p) => p },
    sourceDir: src,
  });
  afterAll(async () => {
    await agent.close();
  });

  it('directory and file Set, exec guard: Test, Set, Test again finds them in sync', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(src);
    const content = 'cortex config\n';
    writeFileSync(join(src, 'app.config'), content);
    const sha = createHash('sha256').update(content).digest('hex');
    const target = join(dir, 'Cortex');
    const reqs = [
      { step: 'dir', resource: 'directory' as const, params: { path: target, state: 'present' } },
      { step: 'cfg', resource: 'file' as const, params: { path: join(target, 'conf', 'app.config'), source: 'app.config', sha256: sha, state: 'present' } },
      { step: 'marker', resource: 'exec' as const, params: { run: 'exit 0', unless: `Test-Path -LiteralPath '${join(target, 'conf')}'` } },
    ];
    const before = await agent.test(reqs);
    expect(before).toEqual({
      dir: { state: { exists: false, isDirectory: false } },
      cfg: { state: { exists: false, sha256: null } },
      marker: { state: { done: false } },
    });
    const signal = new AbortController().signal;
    expect(await agent.set(reqs[0]!, signal)).toMatchObject({ ok: true, rebootRequired: false });
    expect(await agent.set(reqs[1]!, signal)).toMatchObject({ ok: true, rebootRequired: false });
    expect(readFileSync(join(target, 'conf', 'app.config'), 'utf8')).toBe(content);
    expect(existsSync(join(target, 'conf', 'app.config.cortex-upload'))).toBe(false);
    const after = await agent.test(reqs);
    expect(after).toEqual({
      dir: { state: { exists: true, isDirectory: true } },
      cfg: { state: { exists: true, sha256: sha } },
      marker: { state: { done: true } },
    });
    // One resident pwsh for all of it (the upload's own copy aside).
    expect(opened).toHaveLength(1);
  }, 120_000);

  it('a failing Set is ok: false with the host\'s message; one step\'s Test error leaves the others answered', async () => {
    const signal = new AbortController().signal;
    writeFileSync(join(dir, 'occupied'), 'a file');
    const r = await agent.set({ step: 'boom', resource: 'directory', params: { path: join(dir, 'occupied'), state: 'present' } }, signal);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/directory: .*occupied is a file/);
    const t = await agent.test([
      { step: 'bad', resource: 'exec', params: { run: 'x', unless: 'this is not ( valid' } },
      { step: 'good', resource: 'directory', params: { path: dir, state: 'present' } },
    ]);
    expect(t.bad).toMatchObject({ error: expect.stringMatching(/unless/) });
    expect(t.good).toEqual({ state: { exists: true, isDirectory: true } });
  }, 120_000);
});

/** ScriptRunner.call: a shipped script by its contract; parameters checked before sending, data after. */
import { describe, expect, it } from 'vitest';
import { InternalError, ProtocolError, ScriptError } from '../../src/errors.js';
import type { ScriptExecutor, ScriptInvocation } from '../../src/lab/dispatcher.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { runnerFileHash } from '../../src/scripts/catalog.js';
import { FakeSession } from '../fakes/fake-session.js';

function runnerAnswering(answer: (inv: ScriptInvocation) => unknown, seen: ScriptInvocation[] = []) {
  const executor: ScriptExecutor = {
    run: async (inv) => {
      seen.push(inv);
      return { exitCode: 0, output: [JSON.stringify(answer(inv))], errors: [], warnings: [] };
    },
  };
  return new ScriptRunner(new FakeSession({ name: 'web1', address: '127.0.40.62' }, createPowerShellDispatcher(executor)));
}

const sha = 'a'.repeat(64);

describe('ScriptRunner.call', () => {
  it('sends the checked parameters under the contract id and returns typed data', async () => {
    const seen: ScriptInvocation[] = [];
    const runner = runnerAnswering((inv) => ({ ok: true, data: { path: (inv.params as { path: string }).path, exists: true, length: 3, sha256: sha }, error: null }), seen);
    const data = await runner.callData(runnerFileHash, { path: 'C:\\x.zip' });
    expect(data).toEqual({ path: 'C:\\x.zip', exists: true, length: 3, sha256: sha });
    expect(seen.map((s) => [s.scriptId, s.params])).toEqual([['runner.file-hash', { path: 'C:\\x.zip' }]]);
    await runner.close();
  });

  it('refuses parameters the contract does not accept before any round trip', async () => {
    const seen: ScriptInvocation[] = [];
    const runner = runnerAnswering(() => ({ ok: true, data: null, error: null }), seen);
    expect(() => runner.call(runnerFileHash, { path: '' })).toThrow(InternalError);
    expect(seen).toEqual([]);
    await runner.close();
  });

  it('data of another shape is a ProtocolError naming host, script and field; a failed script is a ScriptError', async () => {
    const wrong = runnerAnswering(() => ({ ok: true, data: { path: 'C:\\x', exists: 'yes', length: 3, sha256: null }, error: null }));
    await expect(wrong.call(runnerFileHash, { path: 'C:\\x' })).rejects.toThrow(ProtocolError);
    await expect(wrong.call(runnerFileHash, { path: 'C:\\x' })).rejects.toThrow(/host web1, script runner\.file-hash, field exists/);
    await wrong.close();
    const failing = runnerAnswering(() => ({ ok: false, data: null, error: { message: 'Access is denied', category: 'PermissionDenied' } }));
    const r = await failing.call(runnerFileHash, { path: 'C:\\x' });
    expect(r.ok).toBe(false);
    await expect(failing.callData(runnerFileHash, { path: 'C:\\x' })).rejects.toThrow(ScriptError);
    await failing.close();
  });

  it('pipelined calls are each checked', async () => {
    const runner = runnerAnswering((inv) => ({ ok: true, data: { path: (inv.params as { path: string }).path, exists: false, length: 0, sha256: null }, error: null }));
    const [a, b] = runner.callPipelined([
      { contract: runnerFileHash, params: { path: 'C:\\a' } },
      { contract: runnerFileHash, params: { path: 'C:\\b' } },
    ]);
    expect((await a!).data?.path).toBe('C:\\a');
    expect((await b!).data?.path).toBe('C:\\b');
    await runner.close();
  });
});

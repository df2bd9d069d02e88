/** The executor without sockets: recognition by id, parameter validation, effects, Set-type bookkeeping. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LabExecutor } from '../../src/lab/executor.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { labHostRuntime } from './helpers.js';

function setup(lab: Record<string, unknown> = {}) {
  const ref = { name: 'app1', address: '127.0.20.200' };
  const rt = labHostRuntime(ref, lab);
  const saved: LabHostState[] = [];
  const slept: number[] = [];
  const view: LabView = {
    hosts: () => [ref],
    findHost: (k) => (k === ref.name || k === ref.address ? ref : undefined),
    getHostState: () => rt.state,
    isUp: () => true,
    canConnect: () => true,
  };
  const ex = new LabExecutor({
    host: (n) => (n === 'app1' ? rt : undefined),
    view,
    persist: async (s) => {
      saved.push(structuredClone(s));
    },
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  const run = (scriptId: string | null, params: Record<string, unknown> = {}, script = `# cortex-script: ${scriptId}\nInvoke-CortexScript { Get-Thing }`, input?: Buffer) =>
    ex.run({ host: ref, scriptId, script, params, timeoutMs: 10_000, ...(input ? { input } : {}) });
  return { rt, run, saved, slept };
}

const envelope = (o: { output: string[] }) => JSON.parse(o.output.at(-1)!) as { ok: boolean; data: Record<string, unknown>; error: { message: string; category: string } | null };

describe('lab executor', () => {
  it('answers a known script with the envelope the script would print', async () => {
    const { run } = setup();
    const o = await run('probes.ping');
    expect(o.exitCode).toBe(0);
    expect(envelope(o)).toMatchObject({ ok: true, data: { hostName: 'APP1', psVersion: '5.1.17763.1' }, error: null });
  });

  it('fails an unknown script id like PowerShell fails an unknown command', async () => {
    const { run } = setup();
    const o = await run('nope.unknown', {}, '# cortex-script: nope.unknown\nSet-StrictMode -Version Latest\nInvoke-CortexScript { Install-Frobnicator -Now }');
    expect(o.exitCode).toBe(1);
    expect(o.output).toEqual([]);
    expect(o.errors[0]).toMatchObject({ category: 'ObjectNotFound', fullyQualifiedErrorId: 'CommandNotFoundException' });
    expect(o.errors[0]!.message).toMatch(/^The term 'Install-Frobnicator' is not recognized as the name of a cmdlet/);
  });

  it('rejects bad parameters with an InvalidArgument envelope, exit 1, without running the handler', async () => {
    const { run, rt } = setup();
    const o = await run('runner.receive-file', { path: 42, length: 1 });
    expect(o.exitCode).toBe(1);
    expect(envelope(o).error).toMatchObject({ category: 'InvalidArgument' });
    expect(envelope(o).error!.message).toMatch(/parameter 'path'/);
    expect(rt.state.machine.files).toEqual({});
  });

  it('a Set-type script changes the state, is counted and persisted; read-only ones are not', async () => {
    const { run, rt, saved } = setup();
    const content = Buffer.from('hello lab');
    const sha = createHash('sha256').update(content).digest('hex');
    const o = await run('runner.receive-file', { path: 'C:\\Cortex\\a.txt', length: content.length }, '', content);
    expect(envelope(o)).toMatchObject({ ok: true, data: { path: 'C:\\Cortex\\a.txt', bytes: 9 } });
    expect(rt.state.machine.files['C:\\Cortex\\a.txt']).toBe(sha);
    expect(saved).toHaveLength(1);
    const h = await run('runner.file-hash', { path: 'c:/cortex/A.TXT' });
    expect(envelope(h).data).toEqual({ path: 'c:/cortex/A.TXT', exists: true, length: 9, sha256: sha });
    expect(rt.counters).toMatchObject({ scripts: 2, setCalls: 1 });
    expect(saved).toHaveLength(1);
  });

  it('counts the scripts running on the host until each ends, failed ones included (lab status: scriptsRunning)', async () => {
    const { run, rt } = setup();
    const ping = run('probes.ping');
    const unknown = run('nope.unknown');
    expect(rt.scriptsRunning).toBe(2);
    expect((await unknown).exitCode).toBe(1);
    expect((await ping).exitCode).toBe(0);
    expect(rt.scriptsRunning).toBe(0);
  });

  it('waits the handler default, the profile override, times the slow factor', async () => {
    const { run, slept } = setup({ scriptDurationMs: { 'runner.file-hash': 40 }, faults: { slowFactor: 3 } });
    await run('probes.ping');
    await run('runner.file-hash', { path: 'C:\\x' });
    expect(slept).toEqual([6, 120]);
  });

  it('fail-script once fails the first run only, with the envelope a failing script prints', async () => {
    const { run, rt } = setup({ faults: { failScripts: { 'probes.ping': 'once' } } });
    const a = await run('probes.ping');
    const b = await run('probes.ping');
    expect([a.exitCode, b.exitCode]).toEqual([1, 0]);
    expect(envelope(a).error!.message).toMatch(/fail-script/);
    expect(rt.counters.faults).toBe(1);
  });

  it('without pwsh: answers a few ad-hoc one-liners from the state, and fails the rest as not emulated', async () => {
    const { run } = setup();
    const ok = await run(null, {}, "hostname; Write-Output 'hi'; Get-Service WinRM; Test-Path 'C:\\nothing'");
    expect(ok.exitCode).toBe(0);
    expect(ok.output).toEqual(['APP1', 'hi', 'Running  WinRM', 'False']);
    // Never a made-up answer: the first statement the lab cannot run ends the text, naming what it can run.
    const bad = await run('adhoc', {}, "Write-Output 'before'; Get-Frob; Write-Output 'after'");
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toEqual(['before']);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatchObject({ category: 'NotImplemented', fullyQualifiedErrorId: 'CortexLabNotEmulated' });
    expect(bad.errors[0]!.message).toMatch(/^'Get-Frob' is not emulated by the lab: .*probes\.facts.*Get-Service NAME/);
    // A variable would otherwise be printed as text.
    const variable = await run(null, {}, 'Write-Output $x');
    expect(variable.errors[0]!.fullyQualifiedErrorId).toBe('CortexLabNotEmulated');
    const svc = await run(null, {}, 'Get-Service RabbitMQ');
    expect(svc.errors[0]!.message).toBe("Cannot find any service with service name 'RabbitMQ'.");
    const thrown = await run(null, {}, "throw 'stop here'; Write-Output 'never'");
    expect([thrown.exitCode, thrown.output]).toEqual([1, []]);
    const exit = await run(null, {}, "Write-Output 'a'; exit 7; Write-Output 'b'");
    expect([exit.exitCode, exit.output]).toEqual([7, ['a']]);
  });
});

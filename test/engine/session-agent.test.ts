/**
 * The real HostAgent over a fake runner (the runner's contract checks kept: parseData), so every
 * decision of the agent is seen: one test batch per call, the step id as the run frame's tag, secrets
 * only in a Set's params, reboot codes, the wait for a new boot time with fresh sessions, malformed
 * replies as typed errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REBOOT_AUTH_REFUSALS, SessionAgent, testResultsOf, type AgentConnection, type AgentRunner } from '../../src/engine/agent/session-agent.js';
import { resolveStepSecrets, type StepSecrets } from '../../src/engine/agent/step-secrets.js';
import { AuthError, ProtocolError, ScriptError, UnreachableError } from '../../src/errors.js';
import { parseData, type AnyScriptContract } from '../../src/scripts/contract.js';
import type { ScriptResult, UploadResult } from '../../src/runner/index.js';
import { redact } from '../../src/secrets/registry.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { loadInventory } from '../../src/inventory/index.js';

type Reply = { ok: true; data: unknown } | { ok: false; message: string };
type Handler = (id: string, params: Record<string, unknown>, tag: string | undefined) => Reply | Promise<Reply>;

interface Call {
  conn: number;
  id: string;
  params: Record<string, unknown>;
  tag: string | undefined;
  /** Asked to run under the host's lock (RunOptions.hostLock). */
  hostLock?: boolean | undefined;
  /** The callPipelined() batch it went out in (pipelined hosts only). */
  batch?: number;
}

/** Connections whose runner answers through `handler`, numbered in the order opened. */
function fakeHost(handler: Handler, opts: { failOpen?: (n: number) => Error | undefined; pipelined?: boolean } = {}) {
  const calls: Call[] = [];
  let batches = 0;
  /** How each callPipelined() batch asked to be answered. */
  const answered: unknown[] = [];
  const uploads: Array<{ local: string; remote: string }> = [];
  let opened = 0;
  let closed = 0;
  const open = async (): Promise<AgentConnection> => {
    const n = ++opened;
    const err = opts.failOpen?.(n);
    if (err) throw err;
    const runner: AgentRunner = {
      async call(contract, params, options) {
        calls.push({ conn: n, id: contract.id, params: params as Record<string, unknown>, tag: options?.tag, hostLock: options?.hostLock });
        const r = await handler(contract.id, params as Record<string, unknown>, options?.tag);
        const base = { exitCode: r.ok ? 0 : 1, errors: [], warnings: [], information: [], verbose: [], output: [], stdoutDiagnostics: [], enveloped: true, durationMs: 1 };
        if (!r.ok) return { ...base, ok: false, data: undefined, error: { message: r.message, category: 'NotSpecified' } } as ScriptResult<never>;
        return { ...base, ok: true, data: parseData(contract as AnyScriptContract, 'app1', r.data), error: undefined } as ScriptResult<never>;
      },
      ...(opts.pipelined
        ? {
            callPipelined(items, how) {
              const batch = ++batches;
              answered.push(how);
              // Run in order, as the resident PowerShell does; each call records its batch.
              let previous: Promise<unknown> = Promise.resolve();
              return items.map((i) => {
                const p = previous.then(() => runner.call(i.contract, i.params, i.options)).then((r) => {
                  calls.filter((c) => c.batch === undefined).forEach((c) => (c.batch = batch));
                  return r;
                });
                previous = p.catch(() => undefined);
                return p;
              });
            },
          }
        : {}),
      async upload(local, remote): Promise<UploadResult> {
        uploads.push({ local, remote });
        return { remotePath: remote, bytes: 1, sha256: 'x', skipped: false, method: 'putFile' };
      },
    };
    return { runner, close: async () => void closed++ };
  };
  return { open, calls, uploads, answered, get opened() { return opened; }, get closed() { return closed; } };
}

const noSecrets: StepSecrets = { count: 0, paramsFor: (_s, _h, p) => p };

function agent(host: ReturnType<typeof fakeHost>, extra: Partial<ConstructorParameters<typeof SessionAgent>[0]> = {}) {
  const slept: number[] = [];
  let clock = 0;
  const a = new SessionAgent({
    host: 'app1',
    open: host.open,
    factsParams: { roles: ['app'], installPath: null, ports: [] },
    readFacts: true,
    secrets: noSecrets,
    sourceDir: tmpdir(),
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    reboot: { pollMs: 1000, maxPollMs: 4000, deadlineMs: 20_000 },
    ...extra,
  });
  return { a, slept };
}

const signal = () => new AbortController().signal;

describe('SessionAgent', () => {
  it('tests every request of a call in ONE resources.test-batch round trip, tagged with the steps', async () => {
    const host = fakeHost((id, p) => {
      expect(id).toBe('resources.test-batch');
      const reqs = p.requests as Array<{ step: string }>;
      return { ok: true, data: { results: reqs.map((q) => (q.step === 'b' ? { step: 'b', error: 'access denied' } : { step: q.step, state: { exists: false, isDirectory: false } })) } };
    });
    const { a } = agent(host);
    const r = await a.test([
      { step: 'a', resource: 'directory', params: { path: 'C:\\x', state: 'present' } },
      { step: 'b', resource: 'directory', params: { path: 'C:\\y', state: 'present' } },
    ]);
    expect(r).toEqual({ a: { state: { exists: false, isDirectory: false } }, b: { error: 'access denied' } });
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.tag).toBe('a,b');
    expect(await a.test([])).toEqual({});
    expect(host.calls).toHaveLength(1);
  });

  it('a batch answer that does not match the requests is a ProtocolError naming host and step', () => {
    const reqs = [{ step: 'a', resource: 'directory' as const, params: {} }, { step: 'b', resource: 'directory' as const, params: {} }];
    expect(() => testResultsOf('app1', reqs, { results: [{ step: 'a', state: {} }] })).toThrow(ProtocolError);
    expect(() => testResultsOf('app1', reqs, { results: [{ step: 'a', state: {} }, { step: 'c', state: {} }] })).toThrow(/host app1, step b.*answer 2 is for step c, not b/);
  });

  it('a malformed batch reply from the host is a ProtocolError, never a crash', async () => {
    const host = fakeHost(() => ({ ok: true, data: { results: 'nope' } }));
    const { a } = agent(host);
    await expect(a.test([{ step: 'a', resource: 'directory', params: {} }])).rejects.toBeInstanceOf(ProtocolError);
  });

  it('set() runs the type\'s Set script tagged with the step; 3010 and the pending-reboot flag mean rebootRequired', async () => {
    const replies: Reply[] = [
      { ok: true, data: { rebootRequired: false, exitCode: 0, message: 'created C:\\x' } },
      { ok: true, data: { rebootRequired: false, exitCode: 3010, message: 'installed' } },
      { ok: true, data: { rebootRequired: true, exitCode: null, message: null } },
      { ok: false, message: 'exec: exit code 5: boom' },
    ];
    const host = fakeHost(() => replies.shift()!);
    const { a } = agent(host);
    const req = { step: 'mk', resource: 'directory' as const, params: { path: 'C:\\x', state: 'present' } };
    expect(await a.set(req, signal())).toEqual({ ok: true, rebootRequired: false, message: 'created C:\\x', exitCode: 0 });
    expect(await a.set({ ...req, resource: 'package' }, signal())).toMatchObject({ ok: true, rebootRequired: true, exitCode: 3010 });
    expect(await a.set({ ...req, resource: 'exec' }, signal())).toMatchObject({ ok: true, rebootRequired: true });
    expect(await a.set({ ...req, resource: 'exec' }, signal())).toEqual({ ok: false, rebootRequired: false, message: 'exec: exit code 5: boom' });
    expect(host.calls.map((c) => [c.id, c.tag])).toEqual([
      ['resources.directory', 'mk'],
      ['resources.package', 'mk'],
      ['resources.exec', 'mk'],
      ['resources.exec', 'mk'],
    ]);
    expect(host.opened).toBe(1);
  });

  it('a file step uploads its source beside the destination, and the Set gets the staged path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-src-'));
    writeFileSync(join(dir, 'app.config'), 'x');
    const host = fakeHost(() => ({ ok: true, data: { rebootRequired: false, exitCode: null, message: 'placed' } }));
    const { a } = agent(host, { sourceDir: dir });
    await a.set({ step: 'cfg', resource: 'file', params: { path: 'D:\\Cortex\\app.config', source: 'app.config', sha256: 'a'.repeat(64), state: 'present' } }, signal());
    expect(host.uploads).toEqual([{ local: join(dir, 'app.config'), remote: 'D:\\Cortex\\app.config.cortex-upload' }]);
    expect(host.calls[0]!.params.stagedPath).toBe('D:\\Cortex\\app.config.cortex-upload');
    await expect(a.set({ step: 'cfg2', resource: 'file', params: { path: 'D:\\x', source: 'missing.bin', sha256: 'a'.repeat(64) } }, signal())).rejects.toThrow(/host app1, step cfg2, field source: the file source .*missing.bin does not exist/);
  });

  it('--artifacts pull: a source the pull server serves is not uploaded; the Set gets its download (URL, token, pin); others are still pushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-pull-'));
    writeFileSync(join(dir, 'otp.exe'), 'x');
    writeFileSync(join(dir, 'app.config'), 'y');
    const download = { url: 'https://127.0.0.1:4443/artifacts/erlang/27.3.4', token: 'tok-abc', thumbprint: 'ab'.repeat(32) };
    const asked: string[] = [];
    const host = fakeHost(() => ({ ok: true, data: { rebootRequired: false, exitCode: null, message: 'placed' } }));
    const { a } = agent(host, { sourceDir: dir, downloadFor: (p) => (asked.push(p), p === join(dir, 'otp.exe') ? download : null) });
    await a.set({ step: 'stage', resource: 'file', params: { path: 'C:\\x\\otp.exe', source: 'otp.exe', sha256: 'a'.repeat(64), state: 'present' } }, signal());
    expect(host.uploads).toEqual([]);
    expect(host.calls[0]!.params.download).toEqual(download);
    expect(host.calls[0]!.params.stagedPath).toBeUndefined();
    await a.set({ step: 'cfg', resource: 'file', params: { path: 'C:\\x\\app.config', source: 'app.config', sha256: 'a'.repeat(64), state: 'present' } }, signal());
    expect(host.uploads).toHaveLength(1);
    expect(host.calls[1]!.params.download).toBeUndefined();
    expect(asked).toEqual([join(dir, 'otp.exe'), join(dir, 'app.config')]);
  });

  it('secrets go into the Set params only (stdin), resolved up front and registered with the redactor', async () => {
    process.env.AGENT_TEST_SF_PW = 'S3cret-agent-pw!';
    const dir = mkdtempSync(join(tmpdir(), 'agent-sec-'));
    const invFile = join(dir, 'inv.yaml');
    writeFileSync(invFile, 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 } }\n');
    const inv = await loadInventory(invFile);
    const pb = parsePlaybook(
      "name: t\nphases:\n  - name: p\n    targets: { roles: [app] }\n    steps:\n      - id: sf\n        scheduled_task: { name: sf, command: powershell.exe, runAs: { user: 'CORP\\sf', password: env:AGENT_TEST_SF_PW }, token: '1' }\n",
      join(dir, 'pb.yaml'),
      inv,
    );
    const secrets = await resolveStepSecrets(pb, ['app1']);
    expect(secrets.count).toBe(1);
    expect(redact('pw S3cret-agent-pw! here')).toBe('pw ******** here');
    const step = pb.phases[0]!.steps[0]!;
    const host = fakeHost((id) => (id === 'resources.test-batch' ? { ok: true, data: { results: [{ step: 'sf', state: { lastRun: null } }] } } : { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } }));
    const { a } = agent(host, { secrets });
    await a.test([{ step: 'sf', resource: 'scheduled_task', params: step.params.app1 }]);
    await a.set({ step: 'sf', resource: 'scheduled_task', params: step.params.app1 }, signal());
    expect(JSON.stringify(host.calls[0]!.params)).toContain('env:AGENT_TEST_SF_PW');
    expect(JSON.stringify(host.calls[0]!.params)).not.toContain('S3cret-agent-pw!');
    expect((host.calls[1]!.params.runAs as { password: string }).password).toBe('S3cret-agent-pw!');
    // The playbook's own params keep the reference (journal, plan and logs never see the value).
    expect(JSON.stringify(step.params)).not.toContain('S3cret-agent-pw!');
  });

  it('facts(): the probe when a condition reads facts; none (and no round trip) otherwise', async () => {
    const host = fakeHost(() => ({ ok: false, message: 'Get-CimInstance: not on this OS' }));
    const { a } = agent(host);
    await expect(a.facts()).rejects.toThrow(ScriptError);
    const { a: b } = agent(host, { readFacts: false });
    expect(await b.facts()).toBeNull();
    expect(host.calls.filter((c) => c.id === 'probes.facts')).toHaveLength(1);
  });

  it('the preflight gate probes on the connection the steps then use; the facts it read are the first facts()', async () => {
    const host = fakeHost((id) => (id === 'probes.facts' ? { ok: false, message: 'asked the host' } : { ok: true, data: { results: [{ step: 's', state: { exists: true, isDirectory: true } }] } }));
    const { a } = agent(host);
    await a.connect();
    expect(host.opened).toBe(1);
    const gateFacts = { computerName: 'APP1', cpu: { cores: 4 } };
    a.factsRead(gateFacts);
    // The gate's facts, without a round trip; one session for the gate's connect and the Test.
    expect(await a.facts()).toBe(gateFacts);
    await a.test([{ step: 's', resource: 'directory', params: { path: 'C:\\x', state: 'present' } }]);
    expect(host.opened).toBe(1);
    expect(host.calls.map((c) => c.id)).toEqual(['resources.test-batch']);
    // Only once: later (after a reboot, say) facts() asks the host again.
    await expect(a.facts()).rejects.toThrow(/asked the host/);
    expect(host.calls.filter((c) => c.id === 'probes.facts')).toHaveLength(1);
  });

  it('call() and callPipelined() run scripts on the agent\'s connection (one after the other without pipelining)', async () => {
    const host = fakeHost(() => ({ ok: false, message: 'no facts here' }));
    const { a } = agent(host);
    const one = await a.call({ id: 'probes.facts' } as AnyScriptContract, {} as never, { timeoutMs: 5 });
    expect(one.ok).toBe(false);
    const both = await a.callPipelined([
      { contract: { id: 'probes.facts' } as AnyScriptContract, params: {} as never },
      { contract: { id: 'probes.reach' } as AnyScriptContract, params: {} as never },
    ]);
    expect((await Promise.all(both)).map((r) => r.ok)).toEqual([false, false]);
    expect(host.calls.map((c) => c.id)).toEqual(['probes.facts', 'probes.facts', 'probes.reach']);
    expect(host.opened).toBe(1);
  });

  it('pretestWithProbes(): the Tests ride behind the gate\'s probes (one pipelined batch); the first test() answers them without a round trip, once', async () => {
    const dirState = (q: { step: string }) => ({ step: q.step, state: { exists: q.step === 'a', isDirectory: q.step === 'a' } });
    const host = fakeHost((id, p) => (id === 'resources.test-batch' ? { ok: true, data: { results: (p.requests as Array<{ step: string }>).map(dirState) } } : { ok: false, message: 'probe' }), { pipelined: true });
    const { a } = agent(host);
    const reqA = { step: 'a', resource: 'directory' as const, params: { path: 'C:\\a', state: 'present' } };
    const reqB = { step: 'b', resource: 'directory' as const, params: { path: 'C:\\b', state: 'present' } };
    a.pretestWithProbes([reqA, reqB]);
    const probes = await a.callPipelined([
      { contract: { id: 'probes.facts' } as AnyScriptContract, params: {} as never },
      { contract: { id: 'probes.reach' } as AnyScriptContract, params: {} as never },
    ]);
    // The caller gets its own two answers; the Test went out in the same batch, after them.
    expect(probes).toHaveLength(2);
    await Promise.all(probes);
    await a.pretestSettled();
    expect(host.calls.map((c) => [c.id, c.tag, c.batch, c.hostLock])).toEqual([
      ['probes.facts', undefined, 1, undefined],
      ['probes.reach', undefined, 1, undefined],
      ['resources.test-batch', 'a,b', 1, true],
    ]);
    // Answered from the pretest: no call.
    expect(await a.test([reqA, reqB])).toEqual({ a: { state: { exists: true, isDirectory: true } }, b: { state: { exists: false, isDirectory: false } } });
    expect(host.calls).toHaveLength(3);
    // Only once: the next test() asks the host.
    await a.test([reqA]);
    expect(host.calls.map((c) => c.tag)).toEqual([undefined, undefined, 'a,b', 'a']);
  });

  it('pretest: a request asked differently (other params, another step) is tested again; a Set or a failed pretest leaves nothing to answer from', async () => {
    const results = (p: Record<string, unknown>) => ({ ok: true as const, data: { results: (p.requests as Array<{ step: string }>).map((q) => ({ step: q.step, state: { exists: false, isDirectory: false } })) } });
    let failTest = false;
    const host = fakeHost((id, p) => (id === 'resources.test-batch' ? (failTest ? { ok: false, message: 'boom' } : results(p)) : id === 'probes.facts' ? { ok: false, message: 'probe' } : { ok: true, data: { rebootRequired: false, exitCode: null, message: null } }), { pipelined: true });
    const reqA = { step: 'a', resource: 'directory' as const, params: { path: 'C:\\a', state: 'present' } };
    const reqB = { step: 'b', resource: 'directory' as const, params: { path: 'C:\\b', state: 'present' } };

    // Other params for a, and c never pretested: one round trip for just those two.
    const { a } = agent(host);
    a.pretestWithProbes([reqA, reqB]);
    await a.call({ id: 'probes.facts' } as AnyScriptContract, {} as never);
    await a.pretestSettled();
    const reqC = { step: 'c', resource: 'directory' as const, params: { path: 'C:\\c', state: 'present' } };
    const changedA = { ...reqA, params: { path: 'C:\\other', state: 'present' } };
    expect(Object.keys(await a.test([changedA, reqB, reqC])).sort()).toEqual(['a', 'b', 'c']);
    expect(host.calls.map((c) => c.tag)).toEqual([undefined, 'a,b', 'a,c']);
    expect(host.calls[2]!.params).toEqual({ requests: [changedA, reqC] });

    // A Set before the first test(): the pretest's answers may be stale, so they are not used.
    host.calls.length = 0;
    const b = agent(host).a;
    b.pretestWithProbes([reqA]);
    await b.call({ id: 'probes.facts' } as AnyScriptContract, {} as never);
    await b.pretestSettled();
    await b.set(reqA, signal());
    await b.test([reqA]);
    expect(host.calls.map((c) => [c.id, c.tag])).toEqual([['probes.facts', undefined], ['resources.test-batch', 'a'], ['resources.directory', 'a'], ['resources.test-batch', 'a']]);

    // A pretest that failed is not the run's error: test() asks the host.
    host.calls.length = 0;
    failTest = true;
    const c = agent(host).a;
    c.pretestWithProbes([reqA]);
    await c.call({ id: 'probes.facts' } as AnyScriptContract, {} as never);
    await c.pretestSettled();
    failTest = false;
    expect(await c.test([reqA])).toEqual({ a: { state: { exists: false, isDirectory: false } } });
    expect(host.calls.map((x) => x.tag)).toEqual([undefined, 'a', 'a']);
  });

  it('done(): the session ends now (close() waits for it); a call after it opens a new session', async () => {
    const host = fakeHost(() => ({ ok: true, data: { results: [{ step: 's', state: { exists: true, isDirectory: true } }] } }));
    const { a } = agent(host);
    const req = { step: 's', resource: 'directory' as const, params: { path: 'C:\\x', state: 'present' } };
    await a.test([req]);
    a.done();
    await a.close();
    expect([host.opened, host.closed]).toEqual([1, 1]);
    await a.test([req]);
    expect(host.opened).toBe(2);
    await a.close();
    expect(host.closed).toBe(2);
  });

  it('reboot(): resources.reboot, then fresh sessions polled with backoff until the boot time is NEW', async () => {
    let boot = '2026-12-01T10:00:00Z';
    let polls = 0;
    const host = fakeHost(
      (id, _p, tag) => {
        if (id === 'resources.reboot') return { ok: true, data: { rebootRequired: false, exitCode: 0, message: 'restart in 5 s' } };
        expect(tag).toBe('reboot:boot-time');
        polls++;
        if (polls === 4) boot = '2026-12-01T10:03:00Z';
        return { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: false, bootTime: boot } }] } };
      },
      // While the host restarts, new sessions are refused.
      { failOpen: (n) => (n === 2 || n === 3 ? new UnreachableError('connection refused', { host: 'app1' }) : undefined) },
    );
    const { a, slept } = agent(host);
    await a.reboot('step erlang requires a reboot');
    expect(host.calls.find((c) => c.id === 'resources.reboot')!.params).toEqual({ reason: 'step erlang requires a reboot' });
    expect(slept).toEqual([1000, 2000, 4000, 4000, 4000]);
    // Every poll after the reboot on a new session; the old one was closed.
    expect(host.opened).toBeGreaterThanOrEqual(5);
    expect(host.closed).toBeGreaterThanOrEqual(2);
  });

  it('reboot(): a host that never comes back is an UnreachableError naming the host, after the deadline', async () => {
    const host = fakeHost(
      (id) => (id === 'resources.reboot' ? { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } } : { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: true, bootTime: 'same' } }] } }),
      { failOpen: (n) => (n > 1 ? new UnreachableError('connection refused', { host: 'app1' }) : undefined) },
    );
    const { a, slept } = agent(host);
    const err = await a.reboot('maintenance').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(String((err as Error).message)).toMatch(/^host app1: did not come back within 20 s after the reboot \(maintenance\); last: connection refused/);
    expect(slept.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(20_000);
  });

  it('reboot(): logins refused three times in a row end the wait with the AuthError (no polling to the deadline)', async () => {
    const host = fakeHost(
      (id) => (id === 'resources.reboot' ? { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } } : { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: false, bootTime: 'same' } }] } }),
      { failOpen: (n) => (n > 1 ? new AuthError('authentication refused by app1 (ntlm) for user LAB\\cortex', { host: 'app1' }) : undefined) },
    );
    const { a, slept } = agent(host);
    const err = await a.reboot('maintenance').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).exitCode).toBe(2);
    expect(slept).toHaveLength(REBOOT_AUTH_REFUSALS);
    expect(REBOOT_AUTH_REFUSALS).toBe(3);
  });

  it('reboot(): a refusal or two while the host comes up (its domain not reached yet) is waited out', async () => {
    let reads = 0;
    const host = fakeHost(
      (id) => {
        if (id === 'resources.reboot') return { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } };
        reads++;
        return { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: false, bootTime: reads === 1 ? 'old' : 'new' } }] } };
      },
      // Sessions 2 and 3 refused, 4 refused by the network, 5 refused again: never three refusals in a row.
      { failOpen: (n) => (n === 2 || n === 3 || n === 5 ? new AuthError('authentication refused', { host: 'app1' }) : n === 4 ? new UnreachableError('connection refused', { host: 'app1' }) : undefined) },
    );
    const { a } = agent(host);
    await expect(a.reboot('x')).resolves.toBeUndefined();
    expect(host.opened).toBe(6);
  });

  it('reboot(): a host that answers with the same boot time until the deadline has not restarted', async () => {
    const host = fakeHost((id) => (id === 'resources.reboot' ? { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } } : { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: true, bootTime: 'same' } }] } }));
    const { a } = agent(host);
    await expect(a.reboot('x')).rejects.toThrow(/still reports the boot time same/);
  });

  it('setAndTest(): the Set and the Test verifying it (with the later steps) go out in one pipelined round trip', async () => {
    const replies: Reply[] = [
      { ok: true, data: { rebootRequired: false, exitCode: 3010, message: 'installed' } },
      { ok: true, data: { results: [{ step: 'mk', state: { exists: true, isDirectory: true } }, { step: 'next', error: 'access denied' }] } },
    ];
    const host = fakeHost(() => replies.shift()!, { pipelined: true });
    const { a } = agent(host);
    const req = { step: 'mk', resource: 'directory' as const, params: { path: 'C:\\x', state: 'present' } };
    const verify = [req, { step: 'next', resource: 'directory' as const, params: { path: 'C:\\y', state: 'present' } }];
    const r = await a.setAndTest(req, verify, signal());
    expect(r.set).toEqual({ ok: true, rebootRequired: true, message: 'installed', exitCode: 3010 });
    expect(await r.tested()).toEqual({ mk: { state: { exists: true, isDirectory: true } }, next: { error: 'access denied' } });
    expect(host.calls.map((c) => [c.id, c.tag, c.batch])).toEqual([
      ['resources.directory', 'mk', 1],
      ['resources.test-batch', 'mk,next', 1],
    ]);
    // Both under the host's lock: a Set or Test of a killed run still running there finishes first.
    expect(host.calls.map((c) => c.hostLock)).toEqual([true, true]);
    expect(host.calls[1]!.params).toEqual({ requests: verify });
    // Both answers in one write of the host's (one Receive on WinRM).
    expect(host.answered).toEqual([{ answerTogether: true }]);
  });

  it('setAndTest(): after a failed Set the Test answer is not needed (a failing Test is not unhandled); a malformed one is a ProtocolError', async () => {
    const replies: Reply[] = [
      { ok: false, message: 'exec: exit code 5: boom' },
      { ok: false, message: 'Test threw' },
      { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } },
      { ok: true, data: { results: 'nope' } },
    ];
    const host = fakeHost(() => replies.shift()!, { pipelined: true });
    const { a } = agent(host);
    const req = { step: 's', resource: 'exec' as const, params: { run: 'x' } };
    const failed = await a.setAndTest(req, [req], signal());
    expect(failed.set).toEqual({ ok: false, rebootRequired: false, message: 'exec: exit code 5: boom' });
    await expect(failed.tested()).rejects.toThrow(/Test threw/);
    const malformed = await a.setAndTest(req, [req], signal());
    expect(malformed.set.ok).toBe(true);
    await expect(malformed.tested()).rejects.toBeInstanceOf(ProtocolError);
  });

  it('setAndTest() without a pipelining runner: the Set, then the Test', async () => {
    const replies: Reply[] = [{ ok: true, data: { rebootRequired: false, exitCode: 0, message: null } }, { ok: true, data: { results: [{ step: 's', state: { done: true } }] } }];
    const host = fakeHost(() => replies.shift()!);
    const { a } = agent(host);
    const req = { step: 's', resource: 'exec' as const, params: { run: 'x' } };
    const r = await a.setAndTest(req, [req], signal());
    expect(host.calls.map((c) => c.id)).toEqual(['resources.exec']);
    expect(await r.tested()).toEqual({ s: { state: { done: true } } });
    expect(host.calls.map((c) => c.id)).toEqual(['resources.exec', 'resources.test-batch']);
  });

  it('an aborted Set (the step timed out) closes the session, so the next call opens a new one', async () => {
    let release!: () => void;
    const host = fakeHost(async (id) => {
      if (id === 'resources.exec') await new Promise<void>((r) => (release = r));
      return id === 'resources.exec' ? { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } } : { ok: true, data: { results: [{ step: 's', state: { done: true } }] } };
    });
    const { a } = agent(host);
    const ac = new AbortController();
    const running = a.set({ step: 's', resource: 'exec', params: { run: 'x' } }, ac.signal);
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await new Promise((r) => setTimeout(r, 10));
    expect(host.closed).toBe(1);
    release();
    await running;
    await a.test([{ step: 's', resource: 'exec', params: { run: 'x' } }]);
    expect(host.opened).toBe(2);
  });
});

describe('SessionAgent reboot wait and the run\'s interrupt', () => {
  it('an interrupt ends the wait at once, naming the host (no 20-minute hang)', async () => {
    const ac = new AbortController();
    const host = fakeHost((id) => (id === 'resources.reboot' ? { ok: true, data: { rebootRequired: false, exitCode: 0, message: null } } : { ok: true, data: { results: [{ step: 'reboot:boot-time', state: { pending: true, bootTime: 'same' } }] } }));
    const a = new SessionAgent({
      host: 'app1',
      open: host.open,
      factsParams: { roles: [], installPath: null, ports: [] },
      readFacts: false,
      secrets: noSecrets,
      sourceDir: tmpdir(),
      signal: ac.signal,
      reboot: { pollMs: 60_000, maxPollMs: 60_000, deadlineMs: 20 * 60_000 },
    });
    const t0 = Date.now();
    const waiting = a.reboot('maintenance');
    setTimeout(() => ac.abort(), 50);
    await expect(waiting).rejects.toThrow(/host app1: the run was interrupted while waiting for the host to come back from the reboot \(maintenance\)/);
    // Well under the 60 s poll interval: the sleep itself was cut short.
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe('resolveStepSecrets', () => {
  async function playbookWith(password: string) {
    const dir = mkdtempSync(join(tmpdir(), 'agent-sec2-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 }, app2: { address: 127.0.0.2 } }\n');
    const inv = await loadInventory(join(dir, 'inv.yaml'));
    const text = `name: t\nphases:\n  - name: p\n    targets: { roles: [app] }\n    steps:\n      - id: sf\n        scheduled_task: { name: sf, command: powershell.exe, runAs: { user: 'CORP\\\\sf', password: '${password}' }, token: '1' }\n`;
    return { dir, pb: parsePlaybook(text, join(dir, 'pb.yaml'), inv) };
  }

  it('file: is read relative to the playbook, once per host, and only for the hosts of the run', async () => {
    const { dir, pb } = await playbookWith('file:secrets/sf.txt');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'sf.txt'), 'From-File-Pw-77\n');
    const s = await resolveStepSecrets(pb, ['app2']);
    expect(s.count).toBe(1);
    expect(s.paramsFor('sf', 'app2', pb.phases[0]!.steps[0]!.params.app2)).toMatchObject({ runAs: { password: 'From-File-Pw-77' } });
    // app1 is not in the run: its params keep the reference.
    expect(s.paramsFor('sf', 'app1', pb.phases[0]!.steps[0]!.params.app1)).toMatchObject({ runAs: { password: 'file:secrets/sf.txt' } });
    expect(redact('From-File-Pw-77')).toBe('********');
  });

  it('prompt without a terminal is invalid input naming the step\'s file:line, host and field', async () => {
    const { pb } = await playbookWith('prompt');
    const err = await resolveStepSecrets(pb, ['app1']).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/pb\.yaml:6:\d+, host app1, field scheduled_task\.runAs\.password: is set to prompt, but standard input is not a terminal/);
  });
});

/**
 * ps1/resources/reboot.ps1 held to its lab handler (src/lab/handlers/resources.reboot.ts). The script only
 * asks Windows for a restart (shutdown.exe through Invoke-CortexNative), which leaves no trace in the
 * machine's view: the shim records the call in the view's nativeCalls. The handler, run by the lab's
 * executor on a copy of the same machine, schedules the restart through its host's power. Compared: the
 * result envelopes and exit codes, the restart the handler scheduled (delay, comment) against the
 * shutdown.exe arguments the script passed, and the rest of the view (unchanged by both).
 */
import { describe, expect, it } from 'vitest';
import { LabExecutor } from '../../../src/lab/executor.js';
import type { RestartRequest } from '../../../src/lab/handlers/types.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { WindowsViewSchema, type WindowsView } from '../../../src/lab/shim/view-schema.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { libraryText, loadScript } from '../../../src/runner/scripts.js';
import { diffValues } from './diff.js';
import { labViewOf, presetStates } from './machines.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { labHostRuntime, withShimHost } from '../helpers.js';

const pwsh = pwshForTests('test/lab/differential (resources.reboot)');
const SCRIPT = loadScript('resources.reboot');

interface HandlerRun {
  exitCode: number;
  envelope: unknown;
  scheduled: RestartRequest[];
}

/** The handler through the lab's executor (parameters, envelope, exit code), with a power that records. */
async function runHandler(state: LabHostState, params: Record<string, unknown>, alreadyScheduled: RestartRequest | null): Promise<HandlerRun> {
  const rt = labHostRuntime(state.host, {}, state);
  const scheduled: RestartRequest[] = [];
  let pending = alreadyScheduled ? { ...alreadyScheduled, at: new Date().toISOString() } : null;
  const ex = new LabExecutor({
    host: () => rt,
    view: labViewOf([{ state: rt.state, up: true }]),
    persist: async () => undefined,
    sleep: async () => undefined,
    power: () => ({
      scheduledRestart: () => pending,
      scheduleRestart: (req) => {
        scheduled.push(req);
        pending = { ...req, at: new Date().toISOString() };
      },
    }),
  });
  const o = await ex.run({ host: rt.ref, scriptId: SCRIPT.id, script: SCRIPT.text, params, timeoutMs: 10_000 });
  return { exitCode: o.exitCode, envelope: JSON.parse(o.output.at(-1)!), scheduled };
}

/** The restart a recorded shutdown.exe call asks for: /r, /d p:4:1, the delay and the comment. */
function restartOf(call: { filePath: string; arguments: string[] }): RestartRequest & { reasonCode: string } {
  const a = call.arguments;
  const after = (flag: string) => a[a.indexOf(flag) + 1]!;
  expect(call.filePath).toBe('shutdown.exe');
  expect(a).toContain('/r');
  return { delaySec: Number(after('/t')), comment: after('/c'), reasonCode: after('/d') };
}

const withoutCalls = (v: WindowsView) => ({ ...v, nativeCalls: [] });

let host: ShimHost;

describe.skipIf(!pwsh)('resources.reboot: the script against the shim vs the handler', () => {
  withShimHost(pwsh!, (h) => (host = h));

  const state = presetStates()[0]!.state;
  const long = 'x'.repeat(600);
  const cases: Array<[string, Record<string, unknown>]> = [
    ['reason and delay', { reason: 'KB5034439 installed', delaySeconds: 5 }],
    ['defaults (no parameters)', {}],
    ['no delay', { reason: 'now', delaySeconds: 0 }],
    ['the longest delay', { delaySeconds: 600 }],
    ['a reason past the 512-character comment', { reason: long, delaySeconds: 30 }],
    ['a delay as text', { reason: 'text', delaySeconds: '7' }],
    ['a fractional delay, rounded as [int] does', { delaySeconds: 2.5 }],
    ['a delay above 600', { delaySeconds: 601 }],
    ['a negative delay', { delaySeconds: -1 }],
    ['a null reason', { reason: null, delaySeconds: 1 }],
  ];

  for (const [label, params] of cases) {
    it(label, async () => {
      const before = projectWindowsView(state.machine);
      const run = await host.run({ script: SCRIPT.text, lib: libraryText(), params: { ...params }, view: before, exportView: true });
      expect(run.errors).toEqual([]);
      const after = WindowsViewSchema.parse(run.view);
      const handler = await runHandler(state, params, null);
      expect(handler.envelope).toEqual(JSON.parse(run.output.at(-1)!));
      expect(handler.exitCode).toBe(run.exitCode);
      // What the script asked Windows for is what the handler scheduled; nothing else changed.
      expect(handler.scheduled).toEqual(after.nativeCalls.map((c) => {
        const { reasonCode, ...req } = restartOf(c);
        expect(reasonCode).toBe('p:4:1');
        return req;
      }));
      expect(diffValues(withoutCalls(before), withoutCalls(after))).toEqual([]);
    }, 60_000);
  }

  it('accepted cases do schedule, refused ones do not (the comparison above is not vacuous)', async () => {
    expect((await runHandler(state, { delaySeconds: 5 }, null)).scheduled).toHaveLength(1);
    expect((await runHandler(state, { delaySeconds: 601 }, null)).scheduled).toHaveLength(0);
  });

  it('a restart already scheduled: shutdown.exe exits 1190, and script and handler let that restart go ahead, scheduling none', async () => {
    const first = { delaySec: 60, comment: 'cortex-deploy: first' };
    const view: WindowsView = { ...projectWindowsView(state.machine), nativeCalls: [{ filePath: 'shutdown.exe', arguments: ['/r', '/t', '60', '/d', 'p:4:1', '/c', first.comment] }] };
    const run = await host.run({ script: SCRIPT.text, lib: libraryText(), params: { reason: 'second' }, view, exportView: true });
    const handler = await runHandler(state, { reason: 'second' }, first);
    const script = JSON.parse(run.output.at(-1)!) as { ok: boolean; data: { exitCode: number; message: string } };
    expect(script.ok).toBe(true);
    expect(script.data).toMatchObject({ exitCode: 1190, message: 'a restart was already scheduled; it goes ahead (second)' });
    expect(handler.envelope).toEqual(script);
    expect(handler.exitCode).toBe(run.exitCode);
    expect(handler.scheduled).toEqual([]);
  }, 60_000);

  it('a handler that schedules a different delay is caught', async () => {
    const params = { reason: 'r', delaySeconds: 9 };
    const run = await host.run({ script: SCRIPT.text, lib: libraryText(), params, view: projectWindowsView(state.machine), exportView: true });
    const asked = restartOf(WindowsViewSchema.parse(run.view).nativeCalls[0]!);
    const handler = await runHandler(state, { ...params, delaySeconds: 8 }, null);
    expect(handler.scheduled[0]!.delaySec).not.toBe(asked.delaySec);
  }, 60_000);
});

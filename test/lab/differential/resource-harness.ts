/**
 * How a resource script is held to its lab model (docs/lab.md, "Resource scripts"): the script runs in
 * pwsh against the Windows shim on a machine's view; its handler (src/lab/handlers/) runs on a copy of
 * the same machine. The envelopes must be equal (data, or error message and category), and so must the
 * views after the run: the shim's, and the projection of the handler's machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HANDLERS } from '../../../src/lab/handlers/index.js';
import type { AnyLabHandler, HandlerResult } from '../../../src/lab/handlers/types.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { WindowsViewSchema, type WindowsView } from '../../../src/lab/shim/view-schema.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState, LabMachine } from '../../../src/lab/state/types.js';
import { libraryText } from '../../../src/runner/scripts.js';
import { REPO_ROOT } from '../../helpers/pwsh.js';
import { diffValues } from './diff.js';
import { labViewOf } from './machines.js';

export const NOW = new Date('2026-01-15T10:00:00.000Z');

export function handlerOf(id: string): AnyLabHandler {
  const h = HANDLERS.find((x) => x.id === id);
  if (!h) throw new Error(`no lab handler ${id}`);
  return h;
}

/** A view in comparable form: registry keys and paths without regard to case, a folder existing when something is below it. */
export function comparableView(v: WindowsView): unknown {
  const norm = (p: string) => p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
  const folders = new Set<string>();
  const addAncestors = (p: string) => {
    const parts = norm(p).split('\\');
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join('\\'));
  };
  v.directories.forEach(addAncestors);
  Object.keys(v.files).forEach((f) => addAncestors(norm(f).split('\\').slice(0, -1).join('\\')));
  const hive = (h: WindowsView['registry']) =>
    Object.fromEntries(
      Object.entries(h)
        .map(([k, vals]) => [k.toLowerCase(), Object.fromEntries(Object.entries(vals).map(([n, x]) => [n.toLowerCase(), { stored: n, ...x }]))] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  return {
    ...v,
    // What the script asked native programs for is a record of requests, not state: the state they
    // change (a service's start type) is compared; the handler's projection has none.
    nativeCalls: [],
    // What the lab says installing IIS or an IIS extension would change: its knowledge, not a Windows fact.
    iisInstall: null,
    iisExtensionInstall: null,
    // What the lab knows of package files by their hash (a handler's write keeps a .json's text): its
    // knowledge, not a Windows fact; the files themselves are compared by hash and length.
    serviceFabric: { ...v.serviceFabric, labPackageFiles: null },
    registry: hive(v.registry),
    currentUserRegistry: hive(v.currentUserRegistry),
    env: Object.fromEntries(Object.entries(v.env).map(([k, x]) => [k.toLowerCase(), { stored: k, value: x }])),
    files: Object.fromEntries(Object.entries(v.files).map(([k, f]) => [norm(k), { ...f, sha256: f.sha256.toLowerCase() }])),
    directories: [...folders].sort(),
  };
}

export interface Outcome {
  /** The envelope as the script prints it. */
  envelope: { ok: boolean; data: unknown; error: { message: string; category: string } | null };
  view: WindowsView;
  /** Handler only: whether it reported a change (undefined for a failure or a read-only script). */
  changed?: boolean | undefined;
}

export async function runScript(host: ShimHost, file: string, params: Record<string, unknown>, machine: LabMachine): Promise<Outcome> {
  const script = readFileSync(join(REPO_ROOT, file), 'utf8');
  const run = await host.run({ script, lib: libraryText(), params: structuredClone(params), view: projectWindowsView(machine), exportView: true, timeoutMs: 60_000 });
  if (run.output.length === 0) throw new Error(`${file} printed nothing: ${JSON.stringify(run.errors)}`);
  return { envelope: JSON.parse(run.output.at(-1)!) as Outcome['envelope'], view: WindowsViewSchema.parse(run.view) };
}

export async function runHandler(handler: AnyLabHandler, params: Record<string, unknown>, state: LabHostState): Promise<Outcome> {
  const copy = structuredClone(state);
  const parsed = handler.params.parse(structuredClone(params));
  const result: HandlerResult = await handler.run({
    host: copy.host,
    state: copy,
    params: parsed,
    lab: labViewOf([{ state: copy, up: true }]),
    now: () => NOW,
  });
  if ('raw' in result) throw new Error(`${handler.id} answered a raw outcome`);
  const envelope = result.ok ? { ok: true, data: result.data ?? null, error: null } : { ok: false, data: result.data ?? null, error: result.error };
  return { envelope, view: projectWindowsView(copy.machine), changed: result.ok ? result.changed : undefined };
}

/** Runs both sides and asserts they agree; returns both for further checks. */
export async function expectSame(host: ShimHost, scriptId: string, params: Record<string, unknown>, state: LabHostState): Promise<{ script: Outcome; handler: Outcome; before: WindowsView }> {
  const handler = handlerOf(scriptId);
  const before = projectWindowsView(state.machine);
  const [script, modelled] = [await runScript(host, handler.script, params, state.machine), await runHandler(handler, params, state)];
  expect(modelled.envelope, 'envelope: handler vs script').toEqual(script.envelope);
  const diffs = diffValues(comparableView(modelled.view), comparableView(script.view));
  expect(diffs, `views differ (handler vs script):\n${diffs.join('\n')}`).toEqual([]);
  return { script, handler: modelled, before };
}

/** Whether a run changed the view at all. */
export function viewChanged(before: WindowsView, after: WindowsView): boolean {
  return diffValues(comparableView(before), comparableView(after)).length > 0;
}

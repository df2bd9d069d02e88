/**
 * Holding a resource type's lab model to its scripts (docs/lab.md, "The differential test"): the Set
 * script runs in pwsh against the Windows shim and hands its view back; the type's Set handler runs on a
 * copy of the machine, which is projected; views, envelopes (ok, data, error message and category) must be
 * equal. Then test-batch.ps1 reads the changed view and the model reads the changed machine: the states
 * must be equal too. Shared by the resources-b differential tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceSetHandler } from '../../../src/lab/handlers/resources/set-handler.js';
import { answerRequest } from '../../../src/lab/handlers/resources.test-batch.js';
import { resolveProfile } from '../../../src/lab/profile/resolve.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { WindowsViewSchema } from '../../../src/lab/shim/view-schema.js';
import { projectWindowsView, type ProjectOptions } from '../../../src/lab/shim/windows-view.js';
import { deriveState } from '../../../src/lab/state/derive.js';
import type { LabHostState, LabMachine } from '../../../src/lab/state/types.js';
import type { LabView } from '../../../src/lab/handlers/types.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import { libraryText } from '../../../src/runner/scripts.js';
import { REPO_ROOT } from '../../helpers/pwsh.js';
import { diffValues } from './diff.js';
import { comparableView } from './resource-harness.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');

/** A host state from `lab:` overrides, validated as an inventory's would be. */
export function machineFrom(overrides: Record<string, unknown>, name = 'app1'): LabHostState {
  const r = resolveProfile(overrides);
  if (!r.ok) throw new Error(`invalid profile: ${JSON.stringify(r.issues)}`);
  return deriveState({ name, address: '127.0.0.10' }, r.profile, NOW);
}

/** web1 (127.0.0.21) with the Gateway site on 443 in its pool, started or stopped: a backend gobetween balances. */
export function gatewayWebServer(site: 'Started' | 'Stopped' = 'Started'): LabHostState {
  const web = machineFrom({}, 'web1');
  web.host = { name: 'web1', address: '127.0.0.21' };
  web.machine.iis = {
    version: '10.0',
    urlRewrite: null,
    appPools: [{ name: 'CortexGateway', runtime: 'v4.0', pipeline: 'Integrated', identity: 'ApplicationPoolIdentity', userName: '', state: 'Started' }],
    sites: [{ name: 'CortexGateway', id: 2, physicalPath: 'C:\\Cortex\\Gateway\\1.1.0', appPool: 'CortexGateway', bindings: [{ protocol: 'https', bindingInformation: '*:443:gateway.corp.example.com', certificateHash: 'AB', sslFlags: 1 }], state: site }],
  };
  return web;
}

/** Puts a file with these bytes on the machine, as an upload records it. */
export function withFile(m: LabMachine, path: string, sha256: string, length: number): void {
  m.files[path] = sha256;
  m.fileSizes[path] = length;
}

/** A lab with no other hosts (the handlers of one machine need none). */
export const NO_LAB: LabView = {
  hosts: () => [],
  findHost: () => undefined,
  getHostState: () => undefined,
  isUp: () => true,
  canConnect: () => false,
};

/** A view in comparable form: part A's (registry keys and paths without regard to case, folders with their ancestors). */
export const comparable = comparableView;

/** The MSI log's time stamp differs between two runs by the clock: compared without it. */
export function normalizeText(s: string): string {
  // And the time a scheduled task's run ended (its marker's FinishedAt): the host's clock, ToString('o').
  return s.replace(/-\d{8}-\d{6}\.log/g, '-<stamp>.log').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z/g, '<time>');
}

function normalizeEnvelope(e: unknown): unknown {
  return JSON.parse(normalizeText(JSON.stringify(e)));
}

export interface Compared {
  /** The script's envelope ({ok, data, error}). */
  script: { ok: boolean; data: unknown; error: { message: string; category: string } | null };
  /** Differences: envelope, view, then the Test's state after the change. */
  diffs: string[];
  /** The machine after the handler ran. */
  machine: LabMachine;
  viewChanged: boolean;
}

const scriptText = (file: string) => readFileSync(join(REPO_ROOT, 'ps1', 'resources', file), 'utf8');

/** The rest of the lab, for a type whose model looks at other hosts: the handler's view of it, and the projection's options. */
export interface World {
  lab: LabView;
  project: ProjectOptions;
}

/** Runs the Set script and the Set handler of `type` from the same machine; compares them. */
export async function compareSet(host: ShimHost, state: LabHostState, type: ResourceTypeName, params: Record<string, unknown>, readParams?: Record<string, unknown>, world?: World): Promise<Compared> {
  const file = `${type.replace(/_/g, '-')}.ps1`;
  const lab = world?.lab ?? NO_LAB;
  const before = projectWindowsView(state.machine, world?.project);
  const run = await host.run({ script: scriptText(file), lib: libraryText(), params, view: before, exportView: true, timeoutMs: 60_000 });
  const last = run.output.at(-1);
  if (last === undefined) throw new Error(`the script printed nothing: ${JSON.stringify(run.errors)}`);
  const script = JSON.parse(last) as Compared['script'];
  const after = WindowsViewSchema.parse(run.view);

  const machine = structuredClone(state.machine);
  const handlerState = { ...structuredClone(state), machine };
  const result = await resourceSetHandler(type).run({ host: state.host, state: handlerState, params, lab, now: () => new Date() });
  if ('raw' in result) throw new Error('a Set handler answered raw');
  const handlerEnvelope = result.ok ? { ok: true, data: result.data ?? null, error: null } : { ok: false, data: null, error: result.error };

  const diffs = diffValues(normalizeEnvelope(handlerEnvelope), normalizeEnvelope(script)).map((d) => `envelope ${d}`);
  diffs.push(...diffValues(normalizeEnvelope(comparable(projectWindowsView(machine, world?.project))), normalizeEnvelope(comparable(after))).map((d) => `view ${d}`));
  if (run.exitCode !== (script.ok ? 0 : 1)) diffs.push(`exit code ${run.exitCode} for ok=${script.ok}`);

  // The Test of the same step reads the changed machine as test-batch.ps1 reads the changed view.
  const request = { step: 's1', resource: type, params: readParams ?? params };
  const read = await host.run({ script: scriptText('test-batch.ps1'), lib: libraryText(), params: { requests: [request] }, view: after, timeoutMs: 60_000 });
  const readEnvelope = JSON.parse(read.output.at(-1) ?? 'null') as { ok: boolean; data: { results: unknown[] } };
  const modelRead = answerRequest(request, { machine, host: state.host, lab, now: () => new Date() });
  diffs.push(...diffValues(normalizeEnvelope(modelRead), normalizeEnvelope(readEnvelope.data.results[0])).map((d) => `test ${d}`));

  return { script, diffs, machine, viewChanged: diffValues(comparable(before), comparable(after)).length > 0 };
}

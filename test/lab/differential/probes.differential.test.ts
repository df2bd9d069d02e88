/**
 * The lab held to the scripts (docs/lab.md, "The differential test"): for every ps1/ script a lab handler
 * models, the real script runs under pwsh 7 with the Windows shim answering from a machine state, and its
 * answer must equal the handler's for the same state. States: every preset, and generated ones (seeded;
 * the seed is printed; DIFFERENTIAL_SEED and DIFFERENTIAL_COUNT replay or widen a run). Only the clock
 * (utcNow) is normalised, after checking it is the host's clock. Both answers must pass the zod schema
 * the product reads them with. One pwsh runs every state, each in a fresh runspace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HANDLERS, handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { AnyLabHandler, HandlerResult, LabView } from '../../../src/lab/handlers/types.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { projectNetwork, projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { systemFiles } from '../../../src/lab/state/system-files.js';
import { probesFacts, probesPing, probesReach, runnerFileHash } from '../../../src/scripts/catalog.js';
import { libraryText, loadScript } from '../../../src/runner/scripts.js';
import { diffValues } from './diff.js';
import { factsParams, generatedStates, labViewOf, presetStates, reachTargets, rng, type LabMember, type NamedState } from './machines.js';
import { pwshForTests, REPO_ROOT } from '../../helpers/pwsh.js';

const pwsh = pwshForTests('test/lab/differential');
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20261202);
const COUNT = Number(process.env.DIFFERENTIAL_COUNT ?? 50);

/** The scripts compared here, with the schema of their data: their contracts' (src/scripts/catalog.ts). */
const COMPARED: Record<string, z.ZodType> = Object.fromEntries([probesFacts, runnerFileHash, probesPing, probesReach].map((c) => [c.id, c.result]));

/**
 * .NET calls no shim can replace: PowerShell resolves a type name to the real type whatever is loaded.
 * Scripts make them through the seams of ps1/lib/windows.ps1 instead. [Environment]::ExpandEnvironmentVariables
 * is not one of them: it reads the process environment, which the shim fills from the view.
 */
const UNREPLACEABLE = [/\[System\.Net\.Dns\]/, /System\.Net\.Sockets\.TcpClient/, /\$PSVersionTable/, /\[Console\]::OpenStandardInput/, /\[IO\.File\]::/, /\[Microsoft\.Win32\.Registry/, /\[Environment\]::(?!ExpandEnvironmentVariables\b)/];

/**
 * Handlers whose scripts may still make such calls, and why. The others must be compared here: a test
 * fails when a script of any other handler makes one, or when a script without any has no comparison.
 */
const MAY_AWAIT_SEAMS: Record<string, string> = {
  'runner.receive-file': 'it reads raw stdin and writes the file through [IO.File] in its own process: compared for real in receive-file.differential.test.ts',
};

/**
 * Handlers compared against their scripts in a test of their own (the Set scripts change the view, so
 * those tests compare the views after the run as well): the file, which must name the id.
 */
const COMPARED_ELSEWHERE: Record<string, string> = Object.fromEntries(
  [
    ...['resources.test-batch', 'resources.service', 'resources.env-var', 'resources.registry-value', 'resources.file', 'resources.directory'].map((id) => [id, 'test/lab/differential/resources-a.differential.test.ts']),
    ['resources.reboot', 'test/lab/differential/reboot.differential.test.ts'],
    ...['resources.nssm-service', 'resources.sql-schema', 'resources.nservicebus-queues', 'resources.gobetween-backend'].map((id) => [id, 'test/lab/differential/lb-db.differential.test.ts']),
  ],
);
// lab-res-b: the Set scripts of package, windows_feature, firewall_rule, acl, scheduled_task, exec and archive.
Object.assign(
  COMPARED_ELSEWHERE,
  Object.fromEntries(
    ['resources.package', 'resources.windows-feature', 'resources.firewall-rule', 'resources.acl', 'resources.scheduled-task', 'resources.exec', 'resources.archive'].map((id) => [
      id,
      'test/lab/differential/resources-b.differential.test.ts',
    ]),
  ),
);

// Service Fabric: the Set scripts of service_fabric_cluster and service_fabric_application.
Object.assign(
  COMPARED_ELSEWHERE,
  Object.fromEntries(['resources.service-fabric-cluster', 'resources.service-fabric-application'].map((id) => [id, 'test/lab/differential/service-fabric.differential.test.ts'])),
);
// h5-iis: the Set scripts of certificate, iis_app_pool and iis_site.
Object.assign(COMPARED_ELSEWHERE, Object.fromEntries(['resources.certificate', 'resources.iis-app-pool', 'resources.iis-site'].map((id) => [id, 'test/lab/differential/iis.differential.test.ts'])));
// issue 12: the RabbitMQ component's Set scripts.
COMPARED_ELSEWHERE['resources.nservicebus-license'] = 'test/lab/differential/nservicebus-license.differential.test.ts';
// the transport upgrade's migrations and the licence's restart handler.
COMPARED_ELSEWHERE['resources.nservicebus-migrate'] = 'test/lab/differential/nservicebus-migrate.differential.test.ts';
COMPARED_ELSEWHERE['resources.service-fabric-restart'] = 'test/lab/differential/service-fabric.differential.test.ts';
Object.assign(COMPARED_ELSEWHERE, Object.fromEntries(['resources.erlang-cookie', 'resources.rabbitmq-plugin', 'resources.rabbitmq-cluster', 'resources.rabbitmq-config', 'resources.rabbitmq-upgrade'].map((id) => [id, 'test/lab/differential/rabbitmq.differential.test.ts'])));

function unreplaceableCalls(id: string): string[] {
  const text = loadScript(id).text;
  return UNREPLACEABLE.filter((re) => re.test(text)).map(String);
}

const handlers = handlerRegistry(HANDLERS);
let host: ShimHost;
const timings: number[] = [];

function handlerOf(id: string): AnyLabHandler {
  const h = handlers.get(id);
  if (!h) throw new Error(`no lab handler for ${id}`);
  return h;
}

/** The envelope the handler's answer becomes (as src/lab/executor.ts builds it). */
async function handlerEnvelope(id: string, state: LabHostState, params: unknown, now: () => Date, lab: LabView): Promise<{ exitCode: number; envelope: unknown }> {
  const handler = handlerOf(id);
  const parsed = handler.params.safeParse(params);
  if (!parsed.success) throw new Error(`the test gave ${id} parameters its handler rejects: ${parsed.error.message}`);
  const r: HandlerResult = await handler.run({ host: state.host, state: structuredClone(state), params: parsed.data, lab, now });
  if ('raw' in r) throw new Error(`${id}: a raw outcome is not comparable`);
  return r.ok ? { exitCode: 0, envelope: { ok: true, data: r.data ?? null, error: null } } : { exitCode: 1, envelope: { ok: false, data: r.data ?? null, error: r.error } };
}

/** utcNow must be the host's clock (the lab's plus its skew); then it is replaced by a marker. */
function normaliseClock(envelope: unknown, expected: number, side: string, problems: string[]): unknown {
  const e = structuredClone(envelope) as { data?: { utcNow?: unknown } | null };
  if (e.data && typeof e.data === 'object' && 'utcNow' in e.data) {
    const t = Date.parse(String(e.data.utcNow));
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(String(e.data.utcNow)) || Math.abs(t - expected) > 120_000) {
      problems.push(`data.utcNow: ${side} ${JSON.stringify(e.data.utcNow)} is not the host's clock (${new Date(expected).toISOString()}) in ToString('o') form`);
    }
    e.data.utcNow = '<utcNow>';
  }
  return e;
}

/** Run one script both ways for a state; the lines of every difference (empty: they agree). */
async function compare(id: string, named: NamedState, params: Record<string, unknown>, members: LabMember[] = [{ state: named.state, up: true }]): Promise<string[]> {
  const { state } = named;
  const skewMs = state.machine.clockSkewSec * 1000;
  const now = () => new Date(Date.now() + skewMs);
  const lab = labViewOf(members);
  const expected = await handlerEnvelope(id, state, params, now, lab);
  const asked = ((params.targets ?? []) as Array<{ ports: number[] }>).flatMap((t) => t.ports);
  const view = projectWindowsView(state.machine, { network: projectNetwork(lab, state.host.name, asked) });
  const started = Date.now();
  const run = await host.run({ script: loadScript(id).text, lib: libraryText(), params, view, timeoutMs: 60_000 });
  timings.push(Date.now() - started);
  const problems: string[] = [];
  const where = `${id} on ${named.label} with ${JSON.stringify(params)}`;
  if (run.errors.length > 0) problems.push(`script errors: ${run.errors.map((e) => e.message).join(' | ')}`);
  if (run.output.length !== 1) {
    problems.push(`the script printed ${run.output.length} output lines instead of one JSON result: ${JSON.stringify(run.output).slice(0, 600)}`);
    return [where, ...problems];
  }
  let scriptEnvelope: unknown;
  try {
    scriptEnvelope = JSON.parse(run.output[0]!);
  } catch {
    return [where, `the script's output is not JSON: ${run.output[0]!.slice(0, 300)}`];
  }
  if (run.exitCode !== expected.exitCode) problems.push(`exit code: handler ${expected.exitCode} vs script ${run.exitCode}`);
  const a = normaliseClock(expected.envelope, now().getTime(), 'handler', problems);
  const b = normaliseClock(scriptEnvelope, now().getTime(), 'script', problems);
  problems.push(...diffValues(a, b));
  const schema = COMPARED[id]!;
  for (const [side, env] of [['handler', expected.envelope], ['script', scriptEnvelope]] as const) {
    const e = env as { ok: boolean; data: unknown };
    if (!e.ok) continue;
    const r = schema.safeParse(e.data);
    if (!r.success) problems.push(`${side}'s data fails the product's schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return problems.length > 0 ? [where, ...problems.map((p) => `  ${p}`)] : [];
}

/** file-hash paths for a state: each file as written, in other case and slashes; implied binaries; absent files; a folder. */
function fileHashPaths(state: LabHostState): string[] {
  const m = state.machine;
  const paths = Object.keys(m.files).flatMap((p) => [p, p.toUpperCase(), p.replace(/\\/g, '/')]);
  paths.push(...systemFiles(m).map((f) => f.path.toLowerCase()));
  paths.push('C:\\Windows\\System32\\inetsrv\\w3wp.exe', 'C:\\Cortex\\missing.zip', 'C:\\Windows', 'D:\\nothing\\here.txt');
  return paths;
}

/** Scripts compared today: those of COMPARED whose text makes no unreplaceable call. */
const comparable = (id: string) => id in COMPARED && unreplaceableCalls(id).length === 0;

async function compareState(named: NamedState, seed: number, pool: NamedState[]): Promise<string[]> {
  const r = rng(seed);
  const diffs: string[] = [];
  if (comparable('probes.facts')) {
    diffs.push(...(await compare('probes.facts', named, { roles: [], installPath: null, ports: [] })));
    diffs.push(...(await compare('probes.facts', named, factsParams(r))));
  }
  if (comparable('runner.file-hash')) {
    for (const path of fileHashPaths(named.state)) diffs.push(...(await compare('runner.file-hash', named, { path })));
  }
  if (comparable('probes.ping')) diffs.push(...(await compare('probes.ping', named, {})));
  if (comparable('probes.reach')) {
    // A small lab around the host: three other states, one of them perhaps down.
    const others = pool.filter((p) => p.state.host.name !== named.state.host.name).sort(() => r.next() - 0.5).slice(0, 3);
    const peers: LabMember[] = others.map((o) => ({ state: o.state, up: r.chance(0.8) }));
    const members: LabMember[] = [{ state: named.state, up: true }, ...peers];
    diffs.push(...(await compare('probes.reach', named, { targets: reachTargets(r, named.state, peers), timeoutMs: 5000 }, members)));
  }
  return diffs;
}

describe.skipIf(!pwsh)('lab handlers agree with the scripts they model (pwsh 7 + Windows shim)', () => {
  beforeAll(async () => {
    host = new ShimHost(pwsh!);
    await host.warm();
    console.log(`differential: seed ${SEED}, ${COUNT} generated states (replay: DIFFERENTIAL_SEED=${SEED}); pwsh ready in ${host.startMs} ms`);
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    if (timings.length > 0) {
      const sorted = [...timings].sort((a, b) => a - b);
      const total = timings.reduce((a, b) => a + b, 0);
      console.log(`differential: ${timings.length} script runs, ${total} ms in pwsh, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`);
    }
  });

  it('every handler is compared here, or its script still waits for seams for a named reason', () => {
    const waiting: string[] = [];
    for (const h of HANDLERS) {
      const calls = unreplaceableCalls(h.id);
      if (calls.length > 0) {
        expect(MAY_AWAIT_SEAMS[h.id], `${h.script} makes .NET calls the shim cannot replace (${calls.join(', ')}): call them through seams of ps1/lib/windows.ps1`).toBeDefined();
        waiting.push(`${h.id} (${calls.join(', ')}): ${MAY_AWAIT_SEAMS[h.id]}`);
      } else {
        const elsewhere = COMPARED_ELSEWHERE[h.id];
        if (elsewhere !== undefined) {
          expect(readFileSync(join(REPO_ROOT, elsewhere), 'utf8'), `${elsewhere} compares ${h.id}`).toContain(`'${h.id}'`);
          continue;
        }
        expect(COMPARED[h.id], `${h.script} can run against the shim: compare it in this test`).toBeDefined();
      }
    }
    if (waiting.length > 0) console.warn(`differential: not compared against the shim (see their reasons):\n  ${waiting.join('\n  ')}`);
    expect(HANDLERS.filter((h) => comparable(h.id)).map((h) => h.id)).toEqual(expect.arrayContaining(['probes.facts', 'runner.file-hash', 'probes.ping', 'probes.reach']));
  });

  const presets = presetStates();
  const generated = generatedStates(SEED, COUNT);
  const pool = [...presets, ...generated];
  for (const [i, named] of presets.entries()) {
    it(`${named.label}`, async () => {
      const diffs = await compareState(named, SEED + i, pool);
      expect(diffs, diffs.join('\n')).toEqual([]);
    }, 120_000);
  }

  for (const [i, named] of generated.entries()) {
    it(`${named.label}`, async () => {
      const diffs = await compareState(named, SEED * 7 + i, pool);
      expect(diffs, diffs.join('\n')).toEqual([]);
    }, 120_000);
  }
});

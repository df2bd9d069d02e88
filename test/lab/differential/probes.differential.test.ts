/**
 * The lab held to the scripts (docs/lab.md, "The differential test"): for every ps1/ script a lab handler
 * models, the real script runs under pwsh 7 with the Windows shim answering from a machine state, and its
 * answer must equal the handler's for the same state. States: every preset, and generated ones (seeded;
 * the seed is printed; DIFFERENTIAL_SEED and DIFFERENTIAL_COUNT replay or widen a run). Only the clock
 * (utcNow) is normalised, after checking it is the host's clock. Both answers must pass the zod schema
 * the product reads them with. One pwsh runs every state, each in a fresh runspace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HANDLERS, handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { AnyLabHandler, HandlerResult, LabView } from '../../../src/lab/handlers/types.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { systemFiles } from '../../../src/lab/state/system-files.js';
import { Facts } from '../../../src/preflight/facts.js';
import { libraryText, loadScript } from '../../../src/runner/scripts.js';
import { diffValues } from './diff.js';
import { factsParams, generatedStates, presetStates, rng, type NamedState } from './machines.js';
import { pwshForTests } from './pwsh.js';

const pwsh = pwshForTests('test/lab/differential');
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20261202);
const COUNT = Number(process.env.DIFFERENTIAL_COUNT ?? 50);

/**
 * runner.file-hash's data as src/runner/upload.ts reads it. The product has only a TypeScript interface
 * for it (no zod schema yet), so this one mirrors that interface.
 */
const FileHashData = z.strictObject({ path: z.string(), exists: z.boolean(), length: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable() });

/** The scripts compared here, with the schema of their data. */
const COMPARED: Record<string, z.ZodType> = { 'probes.facts': Facts, 'runner.file-hash': FileHashData };

/**
 * Handlers whose scripts still make .NET calls the shim cannot replace (PowerShell resolves a type name to
 * the real type, whatever is loaded): they join the comparison once those calls move behind seams in
 * ps1/lib/windows.ps1. Each entry names the calls; a test below checks they are still there, so this list
 * cannot outlive its reason.
 */
const AWAITING_SEAMS: Record<string, RegExp[]> = {
  'probes.ping': [/\[System\.Net\.Dns\]::GetHostName\(\)/, /\$PSVersionTable/],
  'probes.reach': [/\[System\.Net\.Dns\]::GetHostAddresses/, /System\.Net\.Sockets\.TcpClient/],
  'runner.receive-file': [/\[Console\]::OpenStandardInput\(\)/, /\[IO\.File\]::Create/],
};

const handlers = handlerRegistry(HANDLERS);
let host: ShimHost;
const timings: number[] = [];

function handlerOf(id: string): AnyLabHandler {
  const h = handlers.get(id);
  if (!h) throw new Error(`no lab handler for ${id}`);
  return h;
}

const noLab: LabView = {
  hosts: () => [],
  findHost: () => undefined,
  getHostState: () => undefined,
  isUp: () => false,
  canConnect: () => false,
};

/** The envelope the handler's answer becomes (as src/lab/executor.ts builds it). */
async function handlerEnvelope(id: string, state: LabHostState, params: unknown, now: () => Date): Promise<{ exitCode: number; envelope: unknown }> {
  const handler = handlerOf(id);
  const parsed = handler.params.safeParse(params);
  if (!parsed.success) throw new Error(`the test gave ${id} parameters its handler rejects: ${parsed.error.message}`);
  const r: HandlerResult = await handler.run({ host: state.host, state: structuredClone(state), params: parsed.data, lab: noLab, now });
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
async function compare(id: string, named: NamedState, params: Record<string, unknown>): Promise<string[]> {
  const { state } = named;
  const skewMs = state.machine.clockSkewSec * 1000;
  const now = () => new Date(Date.now() + skewMs);
  const expected = await handlerEnvelope(id, state, params, now);
  const started = Date.now();
  const run = await host.run({ script: loadScript(id).text, lib: libraryText(), params, view: projectWindowsView(state.machine), timeoutMs: 60_000 });
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

async function compareState(named: NamedState, seed: number): Promise<string[]> {
  const r = rng(seed);
  const diffs: string[] = [];
  diffs.push(...(await compare('probes.facts', named, { roles: [], installPath: null, ports: [] })));
  diffs.push(...(await compare('probes.facts', named, factsParams(r))));
  for (const path of fileHashPaths(named.state)) diffs.push(...(await compare('runner.file-hash', named, { path })));
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

  it('every handler is compared here or waits for named seams, and those calls are still in its script', () => {
    for (const h of HANDLERS) {
      const listed = h.id in COMPARED || h.id in AWAITING_SEAMS;
      expect(listed, `handler ${h.id}: add it to COMPARED (or to AWAITING_SEAMS with the calls the shim cannot replace)`).toBe(true);
    }
    for (const [id, calls] of Object.entries(AWAITING_SEAMS)) {
      const text = loadScript(id).text;
      for (const c of calls) expect(c.test(text), `${id} no longer calls ${c}: compare it in this test`).toBe(true);
    }
  });

  for (const [i, named] of presetStates().entries()) {
    it(`${named.label}`, async () => {
      const diffs = await compareState(named, SEED + i);
      expect(diffs, diffs.join('\n')).toEqual([]);
    }, 120_000);
  }

  for (const [i, named] of generatedStates(SEED, COUNT).entries()) {
    it(`${named.label}`, async () => {
      const diffs = await compareState(named, SEED * 7 + i);
      expect(diffs, diffs.join('\n')).toEqual([]);
    }, 120_000);
  }
});

/**
 * The JSON the scripts under ps1/ printed in the Pester tests (test-results/ps1-samples/<script id>/,
 * written by test/ps1/helpers/CortexScriptTest.ps1) parsed with the product's own zod schemas: what a
 * script prints on a host is what the TypeScript that reads it accepts. For facts, the preflight rules
 * must also conclude what the Pester test expected of that machine state (its `.meta.json`).
 *
 * scripts/test.sh runs Pester first. When the samples are missing or older than a script, this file
 * runs scripts/pester.sh itself (where pwsh is installed); under CI=true missing samples fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Facts } from '../../src/preflight/facts.js';
import { evaluateHost } from '../../src/preflight/rules/index.js';
import { RESOURCE_TYPES, RESOURCES, SetResultData, TEST_BATCH_SCRIPT, TestBatchData, TestBatchRequest, setScriptId, UnreachableStateError } from '../../src/resources/index.js';
import type { ResourceType } from '../../src/resources/index.js';
import { SCRIPTS } from '../../src/scripts/catalog.js';

const root = resolve(import.meta.dirname, '../..');
const samplesDir = join(root, 'test-results/ps1-samples');
const pwsh = join(root, '.tools/bin/pwsh');
const ci = process.env.CI === 'true';

/**
 * Every script's result schema: from its contract (src/scripts/catalog.ts), and for the resource
 * scripts (not in the catalog yet) from src/resources.
 */
const SCHEMAS: Record<string, z.ZodType> = {
  ...Object.fromEntries(SCRIPTS.map((s) => [s.id, s.result])),
  [TEST_BATCH_SCRIPT]: TestBatchData,
  ...Object.fromEntries(RESOURCE_TYPES.map((t) => [setScriptId(t), SetResultData])),
};

interface Sample {
  scriptId: string;
  file: string;
  envelope: { ok: boolean; data: unknown; error: { message: string; category: string } | null };
  meta: { params?: Record<string, unknown> | null; expect?: Record<string, string> | null } | null;
}

function newestMtime(dir: string, filter: (name: string) => boolean): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(name)) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

function samplesAreStale(): boolean {
  if (!existsSync(samplesDir)) return true;
  const samples = newestMtime(samplesDir, (n) => n.endsWith('.json'));
  return samples === 0 || samples < newestMtime(join(root, 'ps1'), (n) => n.endsWith('.ps1'));
}

function loadSamples(): Sample[] {
  const out: Sample[] = [];
  if (!existsSync(samplesDir)) return out;
  for (const scriptId of readdirSync(samplesDir).sort()) {
    const dir = join(samplesDir, scriptId);
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.json') || name.endsWith('.meta.json')) continue;
      const metaFile = join(dir, name.replace(/\.json$/, '.meta.json'));
      out.push({
        scriptId,
        file: `${scriptId}/${name}`,
        envelope: JSON.parse(readFileSync(join(dir, name), 'utf8')) as Sample['envelope'],
        meta: existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as Sample['meta']) : null,
      });
    }
  }
  return out;
}

let samples: Sample[] = [];
let unavailable: string | null = null;

beforeAll(() => {
  if (!ci && samplesAreStale()) {
    if (existsSync(pwsh)) {
      // Missing or older than a script: produce them (about a minute or two on a busy machine).
      try {
        execFileSync(join(root, 'scripts/pester.sh'), [], { cwd: root, stdio: 'ignore', timeout: 15 * 60_000 });
      } catch (err) {
        throw new Error(`scripts/pester.sh failed while producing the samples (${(err as Error).message.split('\n')[0]}): run it to see which Pester test fails`);
      }
    } else if (!existsSync(samplesDir)) {
      unavailable = `no samples under ${samplesDir} and no pwsh at ${pwsh}: run scripts/setup.sh (needs the .NET SDK), then scripts/pester.sh`;
    }
  }
  samples = loadSamples();
}, 16 * 60_000);

describe('ps1 outputs pass the product schemas', () => {
  it('has samples for every script with a schema', (ctx) => {
    if (unavailable && !ci) {
      console.warn(`samples-schema: SKIPPED: ${unavailable}`);
      ctx.skip();
    }
    for (const id of Object.keys(SCHEMAS)) {
      const ok = samples.filter((s) => s.scriptId === id && s.envelope.ok);
      expect(ok.length, `no successful samples of ${id} under ${samplesDir}: run scripts/pester.sh`).toBeGreaterThan(0);
    }
  });

  it('every sample is one envelope result: ok with data, or not ok with a message and category', () => {
    for (const s of samples) {
      expect(typeof s.envelope.ok, s.file).toBe('boolean');
      if (s.envelope.ok) {
        expect(s.envelope.error, s.file).toBeNull();
      } else {
        expect(s.envelope.data, s.file).toBeNull();
        expect(s.envelope.error?.message, s.file).toMatch(/\S/);
        expect(s.envelope.error?.category, s.file).toMatch(/^[A-Za-z]+$/);
      }
    }
  });

  it("every successful sample's data passes its script's schema", () => {
    const failures: string[] = [];
    for (const s of samples) {
      const schema = SCHEMAS[s.scriptId];
      if (!schema || !s.envelope.ok) continue;
      const r = schema.safeParse(s.envelope.data);
      if (!r.success) failures.push(`${s.file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('the preflight rules conclude from each facts sample what its Pester test expected', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const s of samples) {
      const expected = s.meta?.expect;
      if (s.scriptId !== 'probes.facts' || !s.envelope.ok || !expected) continue;
      const facts = Facts.parse(s.envelope.data);
      const params = s.meta?.params ?? {};
      const findings = evaluateHost({
        host: { name: 'app1', address: '10.0.0.11', roles: (params.roles as Array<'web' | 'app' | 'db' | 'lb'>) ?? [], installPath: (params.installPath as string | null) ?? null },
        facts,
        clock: null,
      });
      for (const [id, status] of Object.entries(expected)) {
        const f = findings.find((x) => x.id === id);
        checked++;
        if (f?.status !== status) mismatches.push(`${s.file}: ${id} expected ${status}, got ${f ? `${f.status} (${f.actual})` : 'no finding'}`);
      }
    }
    expect(mismatches).toEqual([]);
    if (samples.length > 0) expect(checked).toBeGreaterThan(20);
  });

  it("every state a resource Test returned passes its type's state schema, and the planner's diff accepts it", () => {
    const failures: string[] = [];
    const typesSeen = new Set<string>();
    for (const s of samples) {
      if (s.scriptId !== TEST_BATCH_SCRIPT || !s.envelope.ok) continue;
      // Requests the test sent on purpose malformed (no step) have no state to check.
      const sent = (s.meta?.params as { requests?: unknown[] } | undefined)?.requests ?? [];
      const requests = sent.flatMap((x) => {
        const r = TestBatchRequest.safeParse(x);
        return r.success ? [r.data] : [];
      });
      for (const answer of TestBatchData.parse(s.envelope.data).results) {
        if (!('state' in answer)) continue;
        const request = requests.find((r) => r.step === answer.step);
        const type = (RESOURCES as Record<string, ResourceType>)[request?.resource ?? ''];
        if (!request || !type) {
          failures.push(`${s.file}: step ${answer.step} has a state but no request of a known resource type`);
          continue;
        }
        typesSeen.add(type.type);
        const state = type.state.safeParse(answer.state);
        if (!state.success) {
          failures.push(`${s.file}: ${type.type} state: ${state.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          continue;
        }
        // Where the test's params are a valid step, the diff runs on the state (a state it cannot reach is its answer too).
        const params = type.params.safeParse(request.params);
        if (!params.success) continue;
        try {
          type.diff(params.data, state.data);
        } catch (err) {
          if (!(err instanceof UnreachableStateError)) failures.push(`${s.file}: ${type.type} diff threw ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    if (samples.length > 0) expect([...typesSeen].sort()).toEqual([...RESOURCE_TYPES].sort());
  });
});

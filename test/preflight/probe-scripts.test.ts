/**
 * The probe scripts and the TypeScript that reads them stay in step: every field of the facts and reach
 * schemas is written by its script, and both scripts pass the PowerShell 5.1 lint (syntax, -Depth, no
 * aliases, no Write-Host, envelope). What the scripts print is tested by running them: the Pester tests
 * under test/ps1/ and test/ps1/samples-schema.test.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Facts } from '../../src/preflight/facts.js';
import { ReachResult } from '../../src/preflight/reach.js';
import { lintFiles } from '../../src/ps1lint/lint.js';
import { libraryText } from '../../src/runner/scripts.js';

const ps1 = (name: string) => resolve(import.meta.dirname, '../../ps1/probes', name);
const facts = readFileSync(ps1('facts.ps1'), 'utf8');
// The lib travels with every script; facts.ps1 builds some parts of its result there (pending reboot).
const factsWithLib = facts + libraryText();
const reach = readFileSync(ps1('reach.ps1'), 'utf8');

/** Every object key of a zod schema, recursively (through nullable, optional and arrays). */
function keysOf(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } }).def;
  if (def.type === 'nullable' || def.type === 'optional') return keysOf(def.innerType as z.ZodType);
  if (def.type === 'array') return keysOf(def.element as z.ZodType);
  if (def.type === 'object') return Object.entries(def.shape ?? {}).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe('probe scripts', () => {
  it('facts.ps1 (with the lib) writes every field of the facts schema', () => {
    expect(keysOf(Facts)).toEqual(expect.arrayContaining(['factsVersion', 'totalPhysicalBytes', 'clientDisabledByDefault', 'pendingFileRenameOperations', 'w3wpFileVersion']));
    const missing = [...new Set(keysOf(Facts))].filter((k) => !new RegExp(`\\b${k}\\s*=`).test(factsWithLib));
    expect(missing).toEqual([]);
  });

  it('reach.ps1 writes every field of the reach result schema', () => {
    const missing = [...new Set(keysOf(ReachResult))].filter((k) => !new RegExp(`\\b${k}\\s*=`).test(reach));
    expect(missing).toEqual([]);
  });

  it('both start with their header and pass the PowerShell 5.1 lint', async () => {
    expect(facts.split('\n')[0]).toBe('# cortex-script: probes.facts');
    expect(reach.split('\n')[0]).toBe('# cortex-script: probes.reach');
    const report = await lintFiles([ps1('facts.ps1'), ps1('reach.ps1')]);
    expect(report.findings).toEqual([]);
  });
});

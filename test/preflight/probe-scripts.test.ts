/**
 * The probe scripts and the TypeScript that reads them stay in step: every field of the facts and reach
 * schemas is written by its script, the §11 expressions that are easy to get wrong are there, and both
 * scripts pass the PowerShell 5.1 lint (syntax, -Depth, no aliases, no Write-Host, envelope).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Facts } from '../../src/preflight/facts.js';
import { ReachResult } from '../../src/preflight/reach.js';
import { lintFiles } from '../../src/ps1lint/lint.js';

const ps1 = (name: string) => resolve(import.meta.dirname, '../../ps1/probes', name);
const facts = readFileSync(ps1('facts.ps1'), 'utf8');
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
  it('facts.ps1 writes every field of the facts schema', () => {
    expect(keysOf(Facts)).toEqual(expect.arrayContaining(['factsVersion', 'totalPhysicalBytes', 'clientDisabledByDefault', 'pendingFileRenameOperations', 'w3wpFileVersion']));
    const missing = [...new Set(keysOf(Facts))].filter((k) => !new RegExp(`\\b${k}\\s*=`).test(facts));
    expect(missing).toEqual([]);
  });

  it('reach.ps1 writes every field of the reach result schema', () => {
    const missing = [...new Set(keysOf(ReachResult))].filter((k) => !new RegExp(`\\b${k}\\s*=`).test(reach));
    expect(missing).toEqual([]);
  });

  it('facts.ps1 uses the expressions that are easy to get wrong (components.md §11)', () => {
    // PendingFileRenameOperations is a value, not a key: read as a value, never Test-Path'ed.
    expect(facts).toMatch(/-Name 'PendingFileRenameOperations'/);
    expect(facts).not.toMatch(/Test-Path[^\n]*PendingFileRenameOperations/);
    // Both registry views where 32-bit installers write.
    expect(facts).toContain('RegistryView]::Registry32');
    expect(facts).toMatch(/Read-CortexRegistryValueBothViews -SubKey 'SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full'/);
    expect(facts).toMatch(/foreach \(\$view in @\('64', '32'\)\)/);
    // Dates as ISO 8601, architecture from the API (OSArchitecture text is localized).
    expect(facts).toContain('ConvertTo-CortexDate (Get-Date)');
    expect(facts).toContain('[Environment]::Is64BitOperatingSystem');
    expect(facts).toContain('PowerShellEngine');
    expect(facts).toContain('Get-NetTCPConnection -State Listen');
  });

  it('both start with their header and pass the PowerShell 5.1 lint', async () => {
    expect(facts.split('\n')[0]).toBe('# cortex-script: probes.facts');
    expect(reach.split('\n')[0]).toBe('# cortex-script: probes.reach');
    const report = await lintFiles([ps1('facts.ps1'), ps1('reach.ps1')]);
    expect(report.findings).toEqual([]);
  });
});

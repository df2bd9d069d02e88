/**
 * The layer boundaries of design.md ("Boundaries worth keeping"), checked on the import graph:
 * - the product (transport, runner, engine, preflight, inventory, report, …) never imports src/lab/;
 * - pure decision modules (inventory, preflight rules, resource diffs, config generators) import no transport;
 * - nothing below src/cli/ writes to the screen (reporters render events; the CLI prints them).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = walk(src).map((abs) => ({ abs, rel: relative(src, abs).split(sep).join('/'), text: readFileSync(abs, 'utf8') }));

function importsOf(file: { abs: string; text: string }): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of file.text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.startsWith('.')) specs.push(relative(src, resolve(dirname(file.abs), spec)).split(sep).join('/'));
  }
  return specs;
}

const productAreas = ['transport/', 'runner/', 'engine/', 'preflight/', 'inventory/', 'report/', 'resources/', 'components/', 'protocol/', 'log/', 'secrets/'];
const pureAreas = ['inventory/', 'preflight/rules/', 'resources/', 'components/'];

describe('layer boundaries', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('the product never imports the lab', () => {
    const offenders = files
      .filter((f) => productAreas.some((a) => f.rel.startsWith(a)))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('lab/')).map((i) => `${f.rel} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('pure decision modules import no transport, runner or lab', () => {
    const offenders = files
      .filter((f) => pureAreas.some((a) => f.rel.startsWith(a)))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => /^(transport|runner|lab)\//.test(i))
          .map((i) => `${f.rel} -> ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('nothing below src/cli writes to the screen', () => {
    // Entry points run as their own processes (the ps1 linter's CLI, the lab's SSH entry) may write.
    const allowed = (rel: string) => rel.startsWith('cli/') || /(^|\/)(cli|entry)\.ts$/.test(rel);
    const offenders = files
      .filter((f) => !allowed(f.rel))
      .filter((f) => /\bconsole\.(log|error|warn|info)\(|process\.(stdout|stderr)\.write\(/.test(f.text))
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });
});

/**
 * Golden files of the config generators (test/fixtures/components/README.md): each case's inventory and
 * settings are generated afresh and compared byte for byte with expected/<target>/<file>, missing and
 * extra files included. CORTEX_UPDATE_GOLDENS=1 rewrites them (review the diff).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateComponentFiles } from '../../src/components/index.js';
import { parseInventory } from '../../src/inventory/index.js';

const casesDir = resolve(import.meta.dirname, '../fixtures/components');
const cases = readdirSync(casesDir).filter((n) => statSync(join(casesDir, n)).isDirectory());
const update = process.env.CORTEX_UPDATE_GOLDENS === '1';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

export function generateCase(name: string) {
  const dir = join(casesDir, name);
  const inventoryFile = join(dir, 'inventory.yaml');
  const inventory = parseInventory(readFileSync(inventoryFile, 'utf8'), inventoryFile);
  const settings = parse(readFileSync(join(dir, 'settings.yaml'), 'utf8')) as Parameters<typeof generateComponentFiles>[1];
  return generateComponentFiles(inventory.hosts, settings);
}

describe('config generator goldens', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
  });

  for (const name of cases) {
    it(`${name}: every generated file equals its golden`, () => {
      const expectedDir = join(casesDir, name, 'expected');
      const generated = new Map(generateCase(name).map((f) => [`${f.target}/${f.name}`, f.text]));
      if (update) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const [rel, text] of generated) {
          mkdirSync(dirname(join(expectedDir, rel)), { recursive: true });
          writeFileSync(join(expectedDir, rel), text);
        }
      }
      const onDisk = filesUnder(expectedDir).map((f) => relative(expectedDir, f).split('\\').join('/')).sort();
      expect(onDisk, 'the golden files are the generated files (CORTEX_UPDATE_GOLDENS=1 to rewrite)').toEqual([...generated.keys()].sort());
      for (const [rel, text] of generated) {
        expect(text, `${name}/expected/${rel}`).toBe(readFileSync(join(expectedDir, rel), 'utf8'));
      }
    });
  }
});

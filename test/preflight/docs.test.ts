/** docs/preflight.md documents every check id, every lab preset and the exit codes. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/preflight/check-ids.js';
import { PRESET_NAMES } from '../../src/lab/profile/presets.js';

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/preflight.md'), 'utf8');

describe('docs/preflight.md', () => {
  it('has a row for every check id', () => {
    expect(CHECK_IDS.filter((id) => !doc.includes(`| \`${id}\` |`))).toEqual([]);
  });
  it('names every lab preset', () => {
    expect(PRESET_NAMES.filter((p) => !doc.includes(`\`${p}\``))).toEqual([]);
  });
  it('lists exit codes 0 to 4', () => {
    for (const c of [0, 1, 2, 3, 4]) expect(doc).toMatch(new RegExp(`^\\| ${c} \\|`, 'm'));
  });
});

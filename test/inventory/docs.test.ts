import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/inventory/topology/index.js';
import { exitCodeDescriptions } from '../../src/exit-codes.js';
import { VERSION_KEYS, VarsShape, WinrmVars, SshVars } from '../../src/inventory/schema.js';

describe('docs stay in step with the code', () => {
  it('docs/topology.md documents every rule id with its severity', () => {
    const doc = readFileSync('docs/topology.md', 'utf8');
    for (const r of RULES) expect(doc).toMatch(new RegExp(`\\| \`${r.id.replace('.', '\\.')}\` \\| ${r.severity} \\|`));
  });
  it('docs/exit-codes.md lists every exit code', () => {
    const doc = readFileSync('docs/exit-codes.md', 'utf8');
    for (const code of Object.keys(exitCodeDescriptions)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
  it('docs/inventory.md documents every key', () => {
    const doc = readFileSync('docs/inventory.md', 'utf8');
    for (const k of Object.keys(VarsShape)) expect(doc).toContain(`| \`${k}\` |`);
    for (const k of Object.keys(WinrmVars.shape)) expect(doc).toMatch(new RegExp(`\\| \`${k}(\\.|\`)`));
    for (const k of Object.keys(SshVars.shape)) expect(doc).toContain(`| \`${k}\` |`);
    for (const k of VERSION_KEYS) expect(doc).toContain(`\`${k}\``);
  });
});

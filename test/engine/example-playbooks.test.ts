/**
 * The example playbooks under examples/playbooks/ (docs/rehearse.md and docs/playbooks.md run them)
 * load against the example lab inventory: a broken example is a broken page of the docs.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybook } from '../../src/engine/playbook/loader.js';
import { stepsOf } from '../../src/engine/playbook/types.js';

const root = resolve(import.meta.dirname, '../..');
const examples = readdirSync(join(root, 'examples/playbooks')).filter((f) => f.endsWith('.yaml'));

describe('examples/playbooks', () => {
  it('has examples', () => expect(examples.length).toBeGreaterThan(0));
  it.each(examples)('%s loads against examples/lab/inventory.yaml, every step on some host', async (name) => {
    const inv = await loadInventory(join(root, 'examples/lab/inventory.yaml'));
    const pb = await loadPlaybook(join(root, 'examples/playbooks', name), inv);
    const steps = stepsOf(pb);
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) expect(Object.keys(s.params), `${name}: step ${s.id} targets no host`).not.toHaveLength(0);
  });
});

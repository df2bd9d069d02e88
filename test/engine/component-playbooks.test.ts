/**
 * The component phases under test/fixtures/playbooks/components/ (what playbooks/cortex.yaml takes from
 * them) load against their inventory: every step's params pass their type's schema on every host it
 * targets, and the broker password stays a reference in the loaded playbook.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybook } from '../../src/engine/playbook/loader.js';
import { stepsOf } from '../../src/engine/playbook/types.js';
import { SECRET_PARAM_PATHS } from '../../src/engine/index.js';

const dir = resolve(import.meta.dirname, '../fixtures/playbooks/components');
// Each playbook loads against its own inventory (<name>-inventory.yaml) where it has one, else inventory.yaml.
const inventories = new Set(readdirSync(dir).filter((f) => f.endsWith('inventory.yaml')));
const playbooks = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !inventories.has(f) && !/^iis-site-before/.test(f));
const inventoryOf = (name: string) => join(dir, inventories.has(name.replace(/\.yaml$/, '-inventory.yaml')) ? name.replace(/\.yaml$/, '-inventory.yaml') : 'inventory.yaml');

describe('component playbook fixtures', () => {
  it.each(playbooks)('%s loads, every step on some host', async (name) => {
    const inv = await loadInventory(inventoryOf(name));
    const pb = await loadPlaybook(join(dir, name), inv);
    for (const s of stepsOf(pb)) expect(Object.keys(s.params), `${name}: step ${s.id} targets no host`).not.toHaveLength(0);
  });

  it('nservicebus_queues: one app server, the password a reference the agent resolves', async () => {
    const inv = await loadInventory(join(dir, 'inventory.yaml'));
    const pb = await loadPlaybook(join(dir, 'nservicebus.yaml'), inv);
    const step = stepsOf(pb).find((s) => s.id === 'nsb-queues')!;
    expect(step.hosts).toEqual(['app1']);
    expect((step.params.app1 as { connection: { password: string } }).connection.password).toBe('env:CORTEX_RABBITMQ_PASSWORD');
    expect(SECRET_PARAM_PATHS.nservicebus_queues).toEqual([['connection', 'password']]);
  });
});

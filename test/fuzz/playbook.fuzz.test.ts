/**
 * Fuzz: the playbook loader (src/engine/playbook/loader.ts, over the inventory's YamlSource). Whatever
 * the text, parsing ends in a Playbook or an InputError (exit 3), in bounded time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { fuzz, mutated, regressionInputs, rejectsOnlyWith, timed, tokenSoup } from './fuzz.js';

const dir = join(import.meta.dirname, '../fixtures/playbooks');
const EXAMPLES = ['site.yaml', 'small.yaml'].map((f) => readFileSync(join(dir, f), 'utf8'));
let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory(join(dir, 'inventory.yaml'));
});

const load = (text: string) => rejectsOnlyWith(() => void parsePlaybook(text, 'fuzz-playbook.yaml', inv), [InputError]);

const TOKENS = ['phases:', '\n', '  ', '- ', ': ', 'name: ', 'hosts: ', 'steps:', 'id: ', 'resource: ', 'params:', 'when: ', 'notify: ', '{{ ', ' }}', 'host.address', 'facts.os.build >= ', 'vars.', '&a ', '*a', '<<: *a', '{', '}', '[', ']', ',', '"', "'", 'all', 'app', 'web1', 'retries:', 'timeout: ', '30m', '-1', '1e400', 'null', '~', '__proto__: ', 'constructor: '];

describe('fuzz: playbook loader', () => {
  for (const { name, bytes } of regressionInputs('playbook')) {
    it(`regression input ${name}`, () => timed(() => load(bytes.toString('utf8'))));
  }

  it('token soup: a Playbook or an InputError', () => {
    fuzz(tokenSoup(TOKENS, 120), load, 300);
  });

  it('the fixture playbooks with random edits', () => {
    fuzz(fc.constantFrom(...EXAMPLES).chain((t) => mutated(t, 5)), load, 250);
  });
});

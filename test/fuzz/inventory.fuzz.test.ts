/**
 * Fuzz: the inventory loader (src/inventory/). Whatever the text, loading ends in an Inventory or an
 * InputError (exit 3) with a position, in bounded time — never another error (exit 4).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { InventoryError, parseInventory } from '../../src/inventory/index.js';
import { fuzz, mutated, regressionInputs, timed, tokenSoup } from './fuzz.js';

const EXAMPLES = ['examples/lab/inventory.yaml', 'examples/minimal-4-servers.yaml'].map((f) => readFileSync(f, 'utf8'));

function load(text: string): void {
  try {
    parseInventory(text, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (e instanceof InventoryError) for (const p of e.problems) expect(p.position.file).toBe('fuzz.yaml');
  }
}

const YAML_TOKENS = ['all:', '\n', '  ', '- ', ': ', 'children:', 'hosts:', 'vars:', 'app:', 'web:', 'app1:', '&a ', '*a', '<<: *a', '{', '}', '[', ']', ',', '"', "'", '#', '|', '>', '!!str ', '!!binary ', '? ', '---', '...', 'address: ', '127.0.0.1', '::1', 'null', '~', 'true', '0x1F', '1e400', 'winrm:', 'password: env:X', 'file:', '%YAML 1.2', '\t', '\u0000', '\ufeff'];

describe('fuzz: inventory loader', () => {
  for (const { name, bytes } of regressionInputs('inventory')) {
    it(`regression input ${name}`, () => timed(() => load(bytes.toString('utf8'))));
  }

  it('YAML token soup: an Inventory or an InputError', () => {
    fuzz(tokenSoup(YAML_TOKENS, 120), load, 400);
  });

  it('the example inventories with random edits', () => {
    fuzz(fc.constantFrom(...EXAMPLES).chain((t) => mutated(t, 5)), load, 250);
  });

  it('aliases, nesting and anchors at random: bounded', () => {
    const alias = fc.nat({ max: 12 }).map((n) => {
      let t = 'all:\n  vars:\n    lab:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i <= n; i++) t += `      a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
      return t;
    });
    const nest = fc.tuple(fc.nat({ max: 400 }), fc.constantFrom('[', '{a: ', '- ')).map(([n, open]) => `all:\n  vars:\n    lab: ${open.repeat(n)}x`);
    // An alias inside the node it names (a cycle): found crashing the loader, now test/fixtures/fuzz/inventory/recursive-alias.yaml.
    const cycle = fc.tuple(fc.constantFrom('lab', 'winrm', 'versions'), fc.boolean()).map(
      ([key, twice]) => `all:\n  children:\n    app:\n      hosts:\n        a1: &v { address: 127.0.0.1, ${key}: { x: *v } }\n${twice ? '    web:\n      hosts:\n        a1: { lab: 1 }\n' : ''}`,
    );
    fuzz(fc.oneof(alias, nest, cycle), load, 60);
  });
});

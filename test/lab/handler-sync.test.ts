/**
 * Every script under ps1/ (except the library and the bootstrap, which are not scripts a host runs on
 * its own) has a lab handler, and every handler models a script that exists, under the id it declares.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLERS, handlerRegistry } from '../../src/lab/handlers/index.js';
import { scriptIdOf } from '../../src/protocol/script-frames.js';
import { SUPPORT_SCRIPT_IDS } from '../../src/scripts/catalog.js';

const root = resolve(import.meta.dirname, '../..');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ps1') ? [p] : [];
  });
}

const scripts = walk(join(root, 'ps1'))
  .map((abs) => relative(root, abs).split(sep).join('/'))
  .filter((rel) => !rel.startsWith('ps1/lib/') && !rel.startsWith('ps1/bootstrap/'))
  .map((rel) => ({ rel, id: scriptIdOf(readFileSync(join(root, rel), 'utf8').split(/\r?\n/, 1)[0] ?? '') }))
  // Files a host does not run on its own (src/scripts/catalog.ts, e.g. a health check copied to a host).
  .filter((s) => !(SUPPORT_SCRIPT_IDS as readonly string[]).includes(s.id ?? ''));

/**
 * Resource scripts whose lab handlers are the next step of issue 11 (§7, held to the scripts by the
 * differential test through the lab's Windows shim). A ratchet, not a skip: every other script must have
 * its handler, and an id here fails the suite as soon as its handler exists (remove it then).
 */
// Empty: every resource script has its handler now. Kept so a new script can wait here for its handler, named.
const AWAITING_HANDLERS = new Set<string>([]);

describe('ps1 ↔ lab handlers', () => {
  it('finds the scripts', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(3);
  });

  it('every script has a handler for its id, naming that script', () => {
    const registry = handlerRegistry();
    const missing = scripts.filter((s) => !s.id || (!AWAITING_HANDLERS.has(s.id) && registry.get(s.id)?.script !== s.rel)).map((s) => `${s.rel} (${s.id ?? 'no header'})`);
    expect(missing).toEqual([]);
  });

  it('the scripts awaiting a handler exist and have none yet (remove an id once its handler is written)', () => {
    const registry = handlerRegistry();
    const ids = new Set(scripts.map((s) => s.id));
    expect([...AWAITING_HANDLERS].filter((id) => !ids.has(id) || registry.has(id))).toEqual([]);
  });

  it('every handler models an existing script whose header declares its id', () => {
    const orphans = HANDLERS.filter((h) => {
      const file = join(root, h.script);
      if (!existsSync(file)) return true;
      return scriptIdOf(readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '') !== h.id;
    }).map((h) => `${h.id} → ${h.script}`);
    expect(orphans).toEqual([]);
  });

  it('every handler file names the script it models in its first comment', () => {
    for (const h of HANDLERS) {
      const text = readFileSync(join(root, 'src/lab/handlers', `${h.id}.ts`), 'utf8');
      expect(text.split('\n', 1)[0], h.id).toContain(`Models ${h.script}`);
    }
  });

  it('ids are unique', () => {
    expect(() => handlerRegistry()).not.toThrow();
    expect(new Set(HANDLERS.map((h) => h.id)).size).toBe(HANDLERS.length);
  });
});

/**
 * The script catalog (src/scripts/catalog.ts) is the one list of script ids: it matches the ps1/
 * headers, and the lab's handlers validate parameters with the very schemas the orchestrator sends by.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InternalError, ProtocolError } from '../../src/errors.js';
import { HANDLERS } from '../../src/lab/handlers/index.js';
import { scriptIdOf } from '../../src/protocol/script-frames.js';
import { SCRIPTS, SUPPORT_SCRIPT_IDS, probesFacts, probesReach, runnerFileHash, scriptContract } from '../../src/scripts/catalog.js';
import { checkParams, defineScript, parseData } from '../../src/scripts/contract.js';

const root = resolve(import.meta.dirname, '../..');
const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.ps1') ? [join(dir, n)] : []));
const headerOf = (file: string) => scriptIdOf(readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '');

describe('the script catalog', () => {
  it('ids are unique, and each contract names a file whose header declares its id', () => {
    expect(new Set(SCRIPTS.map((s) => s.id)).size).toBe(SCRIPTS.length);
    for (const s of SCRIPTS) {
      expect(existsSync(join(root, s.file)), s.file).toBe(true);
      expect(headerOf(join(root, s.file)), s.file).toBe(s.id);
      expect(scriptContract(s.id)).toBe(s);
    }
  });

  it('lists every script under ps1/ (the resource scripts from the resource types: a Test batch and one Set per type)', () => {
    const known = new Set<string>([...SCRIPTS.map((s) => s.id), ...SUPPORT_SCRIPT_IDS]);
    const unlisted = walk(join(root, 'ps1'))
      .map((abs) => ({ file: relative(root, abs), id: headerOf(abs) }))
      .filter((s) => !s.id || !known.has(s.id))
      .map((s) => `${s.file} (${s.id ?? 'no header'})`);
    expect(unlisted).toEqual([]);
  });

  it("every lab handler takes its id, file and parameter schema from the script's contract", () => {
    for (const h of HANDLERS) {
      const c = scriptContract(h.id);
      expect(c, h.id).toBeDefined();
      expect(h.script, h.id).toBe(c!.file);
      // The same schema object: one definition, used by the orchestrator and by the lab.
      expect(h.params, h.id).toBe(c!.params);
    }
  });
});

describe('checkParams and parseData', () => {
  it("applies the script's defaults and drops keys the script does not read", () => {
    expect(checkParams(probesFacts, 'app1', {})).toEqual({ roles: [], installPath: null, ports: [] });
    expect(checkParams(probesReach, 'app1', { targets: [] })).toEqual({ targets: [], timeoutMs: 5000 });
    expect(checkParams(runnerFileHash, 'app1', { path: 'C:\\a', extra: 1 } as never)).toEqual({ path: 'C:\\a' });
  });

  it('parameters a script does not accept are our bug (InternalError, exit 4) naming host, script and field', () => {
    const bad = () => checkParams(probesFacts, 'app1', { roles: ['mail'] } as never);
    expect(bad).toThrow(InternalError);
    expect(bad).toThrow(/^host app1, script probes\.facts, field roles\[0\]: /);
    expect(() => checkParams(runnerFileHash, 'web1', { path: '' })).toThrow(/field path/);
  });

  it('data of another shape is a ProtocolError naming host, script and field, and how many more', () => {
    const c = defineScript({ id: 'test.shape', file: 'ps1/test/shape.ps1', params: z.object({}), result: z.object({ a: z.number(), b: z.string() }) });
    expect(parseData(c, 'db1', { a: 1, b: 'x' })).toEqual({ a: 1, b: 'x' });
    const bad = () => parseData(c, 'db1', { a: 'one' });
    expect(bad).toThrow(ProtocolError);
    expect(bad).toThrow(/^host db1, script test\.shape, field a: test\.shape returned an unexpected shape: .* \(and 1 more\)/);
  });
});

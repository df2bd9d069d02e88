/**
 * Defects 3, 4, 6 (issue 14): inventories had no size, depth, alias or host-count limit, and were
 * read whatever the file was (a FIFO hung, /dev/zero was read to 640 MB). Each is now invalid input
 * (exit 3) with file:line where there is one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliSync } from '../helpers/cli.js';
import { InputError } from '../../src/errors.js';
import { InventoryError, loadInventory } from '../../src/inventory/index.js';
import { INVENTORY_LIMITS } from '../../src/inventory/limits.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-inv-limits-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function loadError(path: string): Promise<InputError> {
  const err = await loadInventory(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const HEAD = 'all:\n  vars: { winrm: { user: u, password: env:X } }\n  children:\n    app:\n      hosts:\n';

describe('inventory limits', () => {
  it('a file larger than the limit is refused before it is parsed, naming it', async () => {
    const p = file('big.yaml', HEAD + '#'.repeat(INVENTORY_LIMITS.maxBytes) + '\n');
    const err = await loadError(p);
    expect(err.message).toContain(p);
    expect(err.message).toMatch(/larger than the 1 MiB allowed/);
  });

  it('a FIFO, a device and a folder are refused at once, naming the path', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const p of [fifo, '/dev/zero', dir]) {
      const t0 = Date.now();
      const err = await loadError(p);
      expect(err.message).toContain(p);
      expect(err.message).toMatch(/not a regular file/);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });

  it('a YAML alias bomb is invalid input at file:line, not a crash', async () => {
    let text = 'all:\n  vars:\n    lab:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) text += `      a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const p = file('alias-bomb.yaml', text);
    const err = await loadError(p);
    expect(err).toBeInstanceOf(InventoryError);
    expect(err.message).toMatch(new RegExp(`${p}:\\d+:\\d+`));
    expect(err.message).toMatch(/aliases/);
  });

  it('1,000 levels of block nesting (10,000 is over the size limit) and 5,000 of flow nesting: invalid input at file:line', async () => {
    let block = 'all:\n  vars:\n    lab:\n';
    for (let i = 0; i < 1000; i++) block += `${' '.repeat(i + 6)}k:\n`;
    const flow = `all:\n  vars:\n    lab: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    for (const [name, text] of [['block.yaml', block], ['flow.yaml', flow]] as const) {
      const p = file(name, text);
      const err = await loadError(p);
      expect(err.message).toMatch(new RegExp(`${p}:\\d+:\\d+`));
      expect(err.message).toMatch(/nested deeper than 64 levels/);
    }
  });

  it('more hosts than the limit: invalid input naming the limit', async () => {
    let text = HEAD;
    for (let i = 0; i <= INVENTORY_LIMITS.maxHosts; i++) text += `        h${i}: { address: 127.${(i >> 8) & 255}.${i & 255}.1 }\n`;
    const err = await loadError(file('many.yaml', text));
    expect(err.message).toMatch(new RegExp(`${INVENTORY_LIMITS.maxHosts + 1} hosts; at most ${INVENTORY_LIMITS.maxHosts} are allowed`));
  });

  it('a duplicate key in a large mapping is still found (duplicate keys are checked in linear time)', async () => {
    // 55,000 keys, just under the 1 MiB limit. A linear-time check takes about 3 s here, even at a load
    // of 20 on 2 cores. The yaml package's own uniqueKeys check, which is quadratic, takes about 25 s
    // on a quiet machine (a 1 MiB mapping: 28.7 s against 2.7 s).
    let text = 'all:\n  vars:\n    lab:\n';
    for (let i = 0; i < 55_000; i++) text += `      key${i}: v\n`;
    text += '      key7: again\n';
    expect(text.length).toBeLessThan(INVENTORY_LIMITS.maxBytes);
    const t0 = Date.now();
    const err = await loadError(file('dup.yaml', text));
    expect(err.message).toMatch(/:55004:7.*unique/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 60_000);

  it('through the CLI: exit 3, one line, no stack trace', () => {
    let text = 'all:\n  vars:\n    lab:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) text += `      a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const p = file('alias-cli.yaml', text);
    for (const args of [['inventory', 'check', '-i', p], ['preflight', '-i', p], ['exec', '-i', p, '--', 'hostname']]) {
      const r = runCliSync(args, { cwd: dir, env: process.env, timeoutMs: 30_000 });
      expect({ args, status: r.status }).toEqual({ args, status: 3 });
      expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
    }
  });
});

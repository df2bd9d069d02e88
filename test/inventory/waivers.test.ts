/** Waivers in the inventory: where they apply, how they add up, and every mistake reported with its line. */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, InventoryError } from '../../src/inventory/loader.js';
import { checkInventoryFile } from '../../src/inventory/check.js';

const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/waivers', name));

describe('inventory waivers', () => {
  it('apply to the hosts of the level they are written at, add up over levels, and hosts: narrows', async () => {
    const inv = await loadInventory(fixture('site.yaml'));
    const of = (name: string) => (inv.hosts.find((h) => h.name === name)!.waivers ?? []).map((w) => w.check).sort();
    expect(of('web1')).toEqual(['ram.size', 'reboot.pending']);
    expect(of('db1')).toEqual(['ram.size', 'reboot.pending']);
    expect(of('lb1')).toEqual(['reboot.pending']);
    expect(of('app1')).toEqual(['cpu.cores', 'reboot.pending']);
    // A host-level waiver does not drop its group's or all's: waivers add up.
    expect(of('app2')).toEqual(['cpu.cores', 'disk.programdata-free', 'reboot.pending']);
    const w = inv.hosts.find((h) => h.name === 'app2')!.waivers!.find((x) => x.check === 'disk.programdata-free')!;
    expect(w).toMatchObject({ reason: 'Data disk extended next week', expires: null });
    expect(w.position).toMatchObject({ file: fixture('site.yaml'), line: 28 });
    // An unquoted YAML date is read as the date it says.
    expect(inv.hosts.find((h) => h.name === 'db1')!.waivers!.find((x) => x.check === 'ram.size')!.expires).toBe('2026-11-30');
  });

  it('every mistake is an error with file:line and field; an unknown check id suggests the nearest', async () => {
    let err: unknown;
    try {
      await loadInventory(fixture('bad.yaml'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InventoryError);
    const lines = (err as InventoryError).problems.map((p) => `${p.position.line} ${p.field}: ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^7 all\.vars\.waivers\[0\]\.check: a string "ram\.sise" is not allowed\. Did you mean 'ram\.size'\?/),
      '10 all.vars.waivers[1].reason: must not be empty.',
      '13 all.vars.waivers[2].expires: is not a calendar date',
      expect.stringMatching(/^19 all\.vars\.waivers\[4\]\.until: unknown key 'until'/),
    ]);
  });

  it("a hosts: term that names nothing is an error (it would waive nothing), with the nearest name", async () => {
    const text = ['all:', "  vars: { winrm: { user: u, password: env:X }, waivers: [ { check: tls.12, reason: r, hosts: [app9] } ] }", '  children:', '    app: { hosts: { app1: {} } }', ''].join('\n');
    const { parseInventory } = await import('../../src/inventory/loader.js');
    expect(() => parseInventory(text, 'site.yaml')).toThrow(/site\.yaml:2:\d+, field all\.vars\.waivers\[0\]\.hosts: 'app9' matches no host or group of the inventory\. Did you mean 'app1'\?/);
  });

  it('inventory check warns about an expired waiver, naming where it is and its hosts', async () => {
    const doc = await checkInventoryFile(fixture('site.yaml'), { CORTEX_TEST_PW: 'x' }, '2026-12-02');
    const expired = doc.findings.filter((f) => f.id === 'inventory.waiver-expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ severity: 'warning', hosts: ['web1', 'web2', 'db1'] });
    expect(expired[0]!.message).toMatch(/site\.yaml:9:9: the waiver of ram\.size expired on 2026-11-30 \("RAM upgrade ordered, PO 4471"\)/);
    expect(doc.valid).toBe(true);
    // The day it expires, it still applies.
    const onTheDay = await checkInventoryFile(fixture('site.yaml'), { CORTEX_TEST_PW: 'x' }, '2026-11-30');
    expect(onTheDay.findings.filter((f) => f.id === 'inventory.waiver-expired')).toEqual([]);
  });
});

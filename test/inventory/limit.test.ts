import { describe, expect, it } from 'vitest';
import { selectHosts } from '../../src/cli/limit.js';
import { loadInventory } from '../../src/inventory/loader.js';
import { InputError } from '../../src/errors.js';

const inv = await loadInventory('examples/lab/inventory.yaml');
const pick = (pattern?: string) => selectHosts(inv, pattern).map((h) => h.name);

describe('selectHosts (--limit)', () => {
  it('no pattern, all or * selects every host in inventory order', () => {
    const all = ['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1'];
    expect(pick()).toEqual(all);
    expect(pick('all')).toEqual(all);
    expect(pick('*')).toEqual(all);
  });
  it('names, groups and addresses, separated by , or :', () => {
    expect(pick('app1')).toEqual(['app1']);
    expect(pick('db1,lb1')).toEqual(['db1', 'lb1']);
    expect(pick('lb:web')).toEqual(['web1', 'web2', 'lb1']);
    expect(pick('127.0.1.6')).toEqual(['db1']);
    expect(pick('APP2')).toEqual(['app2']);
  });
  it('globs over host and group names', () => {
    expect(pick('app*')).toEqual(['app1', 'app2', 'app3']);
    expect(pick('web?')).toEqual(['web1', 'web2']);
  });
  it('!exclusions and &intersections', () => {
    expect(pick('app:!app2')).toEqual(['app1', 'app3']);
    expect(pick('!lb')).toEqual(['web1', 'web2', 'app1', 'app2', 'app3', 'db1']);
    expect(pick('all:&web')).toEqual(['web1', 'web2']);
  });
  it('a term that matches nothing is an InputError naming it, with a suggestion', () => {
    expect(() => pick('app9')).toThrow(InputError);
    expect(() => pick('app1,dbb1')).toThrow(/--limit: 'dbb1' matches no host or group\. Did you mean 'db1'\?/);
    expect(() => pick('!nope')).toThrow(/'nope' matches no host or group/);
  });
  it('a pattern that leaves no host is an error', () => {
    expect(() => pick('app1:!app1')).toThrow(/selects no host/);
  });
});

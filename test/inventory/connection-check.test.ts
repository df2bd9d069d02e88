import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/loader.js';
import { checkConnectionSettings } from '../../src/inventory/connection-check.js';

const inv = (winrm: string) =>
  parseInventory(['all:', '  vars:', `    winrm: { user: svc, password: env:X, ${winrm} }`, '  hosts:', '    h1: { address: 10.0.0.1 }', '    h2: { address: 10.0.0.2, transport: local }', ''].join('\n'), 'site.yaml');

describe('connection settings that weaken security', () => {
  it('tls.insecure over https is a warning naming the hosts', () => {
    expect(checkConnectionSettings(inv('scheme: https, tls: { insecure: true }').hosts)).toEqual([expect.objectContaining({ id: 'inventory.tls-insecure', severity: 'warning', hosts: ['h1'] })]);
  });
  it('Basic over http (allowed explicitly) is a warning', () => {
    expect(checkConnectionSettings(inv('auth: basic, allowUnencrypted: true').hosts)).toEqual([expect.objectContaining({ id: 'inventory.basic-unencrypted', hosts: ['h1'] })]);
  });
  it('verified https and NTLM over http pass', () => {
    expect(checkConnectionSettings(inv('scheme: https').hosts)).toEqual([]);
    expect(checkConnectionSettings(inv('scheme: http, auth: ntlm').hosts)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { syntheticHosts } from '../../src/cli/commands/lab.js';
import { InputError } from '../../src/errors.js';
import type { LabHostSpec } from '../../src/lab/lab.js';
import { resolveProfile } from '../../src/lab/profile/resolve.js';

const r = resolveProfile({});
if (!r.ok) throw new Error('default profile');
const template: LabHostSpec = { name: 'app1', address: '127.0.1.3', transport: 'winrm', users: [], profile: r.profile };

describe('lab up --hosts N --base A', () => {
  it('makes N hosts on consecutive loopback addresses after the base, across octets', () => {
    const hosts = syntheticHosts(template, 300, '127.1.0.0');
    expect(hosts).toHaveLength(300);
    expect(hosts[0]).toMatchObject({ name: 'lab001', address: '127.1.0.1' });
    expect(hosts[255]).toMatchObject({ name: 'lab256', address: '127.1.1.0' });
    expect(hosts[299]).toMatchObject({ name: 'lab300', address: '127.1.1.44' });
    expect(new Set(hosts.map((h) => h.address)).size).toBe(300);
  });

  it('refuses a base outside 127.0.0.0/8 and counts that do not fit', () => {
    expect(() => syntheticHosts(template, 10, '10.0.0.0')).toThrow(InputError);
    expect(() => syntheticHosts(template, 10, '127.255.255.250')).toThrow(/does not fit/);
  });
});

/**
 * The twin's addresses (src/lab/twin/addresses.ts): consecutive loopback addresses after a base, each
 * checked free on the lab's ports; a taken one is refused with who holds it (this test's own listener).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { addressesAfter, firstTaken, pickTwinAddresses } from '../../../src/lab/twin/addresses.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function listen(address: string, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen({ host: address, port, exclusive: true }, () => ok());
    servers.push(s);
  });
}

describe('twin addresses', () => {
  it('consecutive addresses after the base, across a /24 boundary; only 127.0.0.0/8', () => {
    expect(addressesAfter('127.2.0.0', 3)).toEqual(['127.2.0.1', '127.2.0.2', '127.2.0.3']);
    expect(addressesAfter('127.2.0.254', 3)).toEqual(['127.2.0.255', '127.2.1.0', '127.2.1.1']);
    expect(() => addressesAfter('10.0.0.0', 2)).toThrow(InputError);
    expect(() => addressesAfter('10.0.0.0', 2)).toThrow(/--base 10\.0\.0\.0 is not a loopback IPv4 address/);
    expect(() => addressesAfter('127.255.255.250', 10)).toThrow(/do not fit/);
  });

  it('free addresses after a free base are given as they are', async () => {
    expect(await pickTwinAddresses(4, `${net.prefix}100`)).toEqual({ addresses: [net.addr(101), net.addr(102), net.addr(103), net.addr(104)], skipped: [] });
  });

  it('a taken address is refused, naming the address, the port and the process that holds it', async () => {
    await listen(net.addr(2), 5985);
    const taken = await firstTaken([net.addr(1), net.addr(2)]);
    expect(taken).toMatchObject({ address: net.addr(2), port: 5985, pid: process.pid });
    const err = await pickTwinAddresses(3, `${net.prefix}0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(`field --base: the twin cannot use the addresses after ${net.prefix}0: ${net.addr(2)}:5985 is held by pid ${process.pid} (`);
    expect((err as Error).message).toMatch(/pass another --base/);
  });
});

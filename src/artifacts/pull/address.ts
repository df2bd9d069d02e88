/**
 * The address a host reaches the workstation by, for the pull server's URL: the setting when given,
 * else the workstation's own address on its route to the host (what the OS would send from; a
 * connected UDP socket sends nothing). A lab host on 127.x.y.z gets loopback.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InputError } from '../../errors.js';

export async function routeSourceAddress(hostAddress: string): Promise<string> {
  let ip = hostAddress;
  if (!isIP(ip)) {
    try {
      ip = (await lookup(hostAddress)).address;
    } catch (err) {
      throw new InputError(`cannot resolve ${hostAddress} to find the workstation's address toward it: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, {
        field: 'pullAddress',
        hint: 'Set the address hosts reach this workstation by: --pull-address ADDR (docs/artifacts.md, "Pull").',
      });
    }
  }
  const sock = createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.connect(9, ip, () => res());
    });
    return sock.address().address;
  } catch (err) {
    throw new InputError(`no route from this workstation to ${hostAddress}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, {
      field: 'pullAddress',
      hint: 'Set the address hosts reach this workstation by: --pull-address ADDR (docs/artifacts.md, "Pull").',
    });
  } finally {
    sock.close();
  }
}

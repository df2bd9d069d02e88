/**
 * Loopback addresses for a twin's hosts: consecutive addresses after a base, every one free on the
 * lab's ports. With no base given, blocks are tried from 127.2.0.0 on (away from the 127.0.x.x and
 * 127.1.x.x addresses of users' labs and the 127.200+ blocks of the tests); a block something holds is
 * skipped, and who holds it is said. With a base given, a taken address is an error naming its holder.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { InputError } from '../../errors.js';
import { LAB_SSH_PORT } from '../ssh/server.js';

/** WinRM HTTP and HTTPS, and the lab's SSH port: what a twin host listens on. */
export const TWIN_PORTS: readonly number[] = [5985, 5986, LAB_SSH_PORT];
export const DEFAULT_TWIN_BASES = Array.from({ length: 32 }, (_, i) => `127.2.${i * 4}.0`);

/** Pure: `count` consecutive addresses after `base` (127.x.y.z), or an InputError naming the flag. */
export function addressesAfter(base: string, count: number, flag = '--base'): string[] {
  const parts = base.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new InputError(`${flag} ${base} is not a loopback IPv4 address (127.x.y.z)`, { field: flag, hint: 'The lab binds loopback addresses only, e.g. --base 127.2.0.0.' });
  }
  const start = ((parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + 1;
  if (start + count - 1 > 0xfffffe) throw new InputError(`${count} hosts do not fit after ${base} in 127.0.0.0/8`, { field: flag });
  return Array.from({ length: count }, (_, i) => {
    const k = start + i;
    return `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
  });
}

/** What holds a listening TCP socket: the process, as far as this machine lets us see. */
export interface Holder {
  address: string;
  port: number;
  /** Null when the process cannot be found (another user's, or not Linux). */
  pid: number | null;
  command: string | null;
}

export function describeHolder(h: Holder): string {
  const who = h.pid === null ? 'another program' : `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`;
  return `${h.address}:${h.port} is held by ${who}`;
}

function hexToIpv4(hex: string): string {
  // /proc/net/tcp writes the address in host byte order (little-endian on the machines we run on).
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join('.');
}

/** The inodes of listening sockets on port, by local address (Linux /proc/net/tcp). */
function listeningInodes(port: number): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
    const [addr, p] = (f[1] ?? '').split(':');
    if (Number.parseInt(p ?? '', 16) !== port) continue;
    out.set(hexToIpv4(addr ?? ''), f[9] ?? '');
  }
  return out;
}

function processOfInode(inode: string): { pid: number; command: string } | null {
  const target = `socket:[${inode}]`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) === target) {
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
          return { pid: Number(entry), command };
        }
      } catch {
        // The process ended or is not ours to read.
      }
    }
  }
  return null;
}

/** Who listens on address:port (directly, or on 0.0.0.0 which covers it). */
export function holderOf(address: string, port: number): Holder {
  const inodes = listeningInodes(port);
  const at = inodes.has(address) ? address : inodes.has('0.0.0.0') ? '0.0.0.0' : address;
  const inode = inodes.get(at);
  const proc = inode ? processOfInode(inode) : null;
  return { address: at, port, pid: proc?.pid ?? null, command: proc?.command ?? null };
}

function bindable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code !== 'EADDRINUSE'));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first address:port of `addresses` something already listens on, with its holder; null: all free. */
export async function firstTaken(addresses: readonly string[], ports: readonly number[] = TWIN_PORTS): Promise<Holder | null> {
  for (const address of addresses) {
    const free = await Promise.all(ports.map((p) => bindable(address, p)));
    const i = free.indexOf(false);
    if (i >= 0) return holderOf(address, ports[i]!);
  }
  return null;
}

export interface PickedAddresses {
  addresses: string[];
  /** Blocks passed over, each with what holds it. */
  skipped: string[];
}

/** `count` free addresses: after `base` (an error if one is taken), or in the first free default block. */
export async function pickTwinAddresses(count: number, base?: string, ports: readonly number[] = TWIN_PORTS): Promise<PickedAddresses> {
  if (base !== undefined) {
    const addresses = addressesAfter(base, count);
    const taken = await firstTaken(addresses, ports);
    if (taken) throw new InputError(`the twin cannot use the addresses after ${base}: ${describeHolder(taken)}`, { field: '--base', hint: 'Stop that program (a lab still running? cortex-deploy lab down), or pass another --base.' });
    return { addresses, skipped: [] };
  }
  const skipped: string[] = [];
  for (const b of DEFAULT_TWIN_BASES) {
    const addresses = addressesAfter(b, count);
    const taken = await firstTaken(addresses, ports);
    if (!taken) return { addresses, skipped };
    skipped.push(`${b}: ${describeHolder(taken)}`);
  }
  throw new InputError(`no free loopback block for ${count} twin hosts after ${DEFAULT_TWIN_BASES.length} tries: ${skipped.slice(0, 3).join('; ')}`, { field: '--base', hint: 'Pass --base 127.x.y.0 with a free block.' });
}

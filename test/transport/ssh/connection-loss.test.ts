/**
 * Nothing hangs: a server that never completes the handshake hits the connect timeout; a connection
 * cut mid-command fails the running process with "connection lost"; a connection that goes silent
 * is detected by the keep-alive. A TCP relay between client and the lab sshd plays the network.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import { openSshSession } from '../../../src/transport/ssh/index.js';
import { program } from '../contract.js';
import { startContractLab, type ContractLab } from './lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const labAddress = net.addr(10);
const relayAddress = net.addr(11);
let lab: ContractLab;

/** Relays relayAddress:port → lab sshd. `cut()` drops every connection; `mute()` stops forwarding silently. */
function startRelay(port: number): Promise<{ server: Server; cut(): void; mute(): void; close(): Promise<void> }> {
  const pairs: Array<[Socket, Socket]> = [];
  let muted = false;
  const server = createServer((client) => {
    const upstream = connect({ host: labAddress, port });
    pairs.push([client, upstream]);
    client.on('data', (d) => !muted && upstream.write(d));
    upstream.on('data', (d) => !muted && client.write(d));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(port, relayAddress, () =>
      resolve({
        server,
        cut: () => pairs.forEach(([a, b]) => (a.destroy(), b.destroy())),
        mute: () => {
          muted = true;
        },
        close: () => new Promise<void>((r) => (pairs.forEach(([a, b]) => (a.destroy(), b.destroy())), server.close(() => r()))),
      }),
    ),
  );
}

beforeAll(async () => {
  lab = await startContractLab([labAddress]);
});
afterAll(async () => {
  await lab?.stop();
});

const host = { name: 'flaky', address: relayAddress };
const knownHosts = () => join(mkdtempSync(join(tmpdir(), 'cortex-kh-')), 'known_hosts');

describe('SSH connection failures', () => {
  it('a server that never completes the handshake: unreachable after the connect timeout', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(lab.lab.port, relayAddress, () => r()));
    try {
      const err = await openSshSession(host, lab.settings({ connectTimeoutMs: 500 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CortexError);
      expect((err as CortexError).kind).toBe('unreachable');
      expect((err as Error).message).toContain('host flaky');
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('a connection cut mid-command fails the process with "connection lost"; nothing hangs', async () => {
    const relay = await startRelay(lab.lab.port);
    try {
      const session = await openSshSession(host, lab.settings({ knownHostsPath: knownHosts() }), { acceptNewHostKeys: true });
      const proc = await session.spawn(program('sleep', '600000'));
      relay.cut();
      const err = await proc.exit.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CortexError);
      expect((err as CortexError).kind).toBe('unreachable');
      expect((err as Error).message).toContain('was lost');
      await expect(session.spawn(program('echo', 'x'))).rejects.toThrow(/was lost/);
      await session.close();
    } finally {
      await relay.close();
    }
  });

  it('a connection gone silent is detected by the keep-alive', async () => {
    const relay = await startRelay(lab.lab.port);
    try {
      const session = await openSshSession(host, lab.settings({ knownHostsPath: knownHosts(), keepaliveIntervalMs: 200 }), { acceptNewHostKeys: true });
      const proc = await session.spawn(program('sleep', '600000'));
      relay.mute();
      const err = await proc.exit.catch((e: unknown) => e);
      expect((err as CortexError).kind).toBe('unreachable');
      await session.close();
    } finally {
      await relay.close();
    }
  });
});

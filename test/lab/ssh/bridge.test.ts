/**
 * The lab SSH bridge (src/lab/ssh/bridge.ts) driven over its unix socket as entry.ts would: what a
 * command reaching it for a host that is down, or for no host, gets back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../src/lab/dispatcher.js';
import { encode, Frame, FrameReader, type EntryHeader } from '../../../src/lab/ssh/bridge-protocol.js';
import { startBridge, type Bridge } from '../../../src/lab/ssh/bridge.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-bridge-'));
const socketPath = join(dir, 'bridge.sock');
const started: string[] = [];
const echo: Dispatcher = {
  start(host, command, _args, out) {
    started.push(`${host.name}:${command}`);
    out.stdout(Buffer.from('hi'));
    setImmediate(() => out.exit(0));
    return { stdin: () => undefined, terminate: () => undefined };
  },
};
let bridge: Bridge;
beforeAll(async () => {
  bridge = await startBridge({
    socketPath,
    dispatcher: echo,
    hostAt: (a) => (a === '127.0.74.11' ? { name: 'up1', address: a } : a === '127.0.74.12' ? 'down' : null),
  });
});
afterAll(async () => {
  await bridge?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Send a header for `serverAddress`; collect frames for `ms` or until the bridge ends the socket. */
async function ask(serverAddress: string, ms: number): Promise<{ frames: Array<{ type: number; payload: Buffer }>; ended: boolean }> {
  const header: EntryHeader = { command: 'powershell.exe -Command x', serverAddress, serverPort: 5922, clientAddress: '127.0.0.1', user: 'u' };
  const frames: Array<{ type: number; payload: Buffer }> = [];
  const sock: Socket = connect(socketPath);
  const reader = new FrameReader((type, payload) => frames.push({ type, payload }));
  sock.on('data', (c: Buffer) => reader.push(c));
  const ended = new Promise<boolean>((resolve) => {
    sock.once('end', () => resolve(true));
    setTimeout(() => resolve(false), ms);
  });
  sock.write(encode(Frame.Header, Buffer.from(JSON.stringify(header))));
  const e = await ended;
  sock.destroy();
  return { frames, ended: e };
}

describe('lab SSH bridge', () => {
  it('runs the command of a host that is up', async () => {
    const r = await ask('127.0.74.11', 5_000);
    expect(r.ended).toBe(true);
    expect(r.frames.map((f) => String.fromCharCode(f.type))).toEqual(['O', 'X']);
    expect(started).toEqual(['up1:powershell.exe']);
  });

  it('answers a command that reaches a host which went down with nothing (no exit status): its connection is being cut', async () => {
    const r = await ask('127.0.74.12', 600);
    expect(r.ended).toBe(false);
    expect(r.frames).toEqual([]);
    expect(started).toEqual(['up1:powershell.exe']);
  });

  it('fails a command for an address no lab host has, with exit 255 and a message', async () => {
    const r = await ask('127.0.74.13', 5_000);
    expect(r.ended).toBe(true);
    const exit = r.frames.find((f) => f.type === Frame.Exit);
    expect(exit?.payload.readUInt32BE(0)).toBe(255);
    expect(Buffer.concat(r.frames.filter((f) => f.type === Frame.Stderr).map((f) => f.payload)).toString()).toContain('no lab host listens on 127.0.74.13');
  });
});

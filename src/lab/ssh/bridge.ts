/**
 * The lab-process side of the SSH endpoint: a unix socket the entry points connect to. Each
 * connection is one SSH channel; its command goes to the lab dispatcher for the host whose address
 * the client reached, and the simulated process's output goes back as frames.
 */
import { unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Dispatcher, LabHostRef, LabProcess, LabProcessOutput } from '../dispatcher.js';
import { commandLineToArgv } from '../windows/command-line.js';
import { encode, encodeExit, Frame, FrameReader, type EntryHeader } from './bridge-protocol.js';

export interface BridgeOptions {
  socketPath: string;
  dispatcher: Dispatcher;
  /** The lab host listening on an address (SSH_CONNECTION's server address), or null. */
  hostAt(address: string): LabHostRef | null;
  /** Handles the `sftp` subsystem, when the lab offers one. */
  sftp?: (host: LabHostRef, out: LabProcessOutput) => LabProcess;
}

export interface Bridge {
  close(): Promise<void>;
}

/** What sshd reports as the command of a subsystem request under ForceCommand. */
function isSftpSubsystem(command: string): boolean {
  return command === 'internal-sftp' || /(^|\/)sftp-server$/.test(command);
}

function handleConnection(sock: Socket, o: BridgeOptions): void {
  let proc: LabProcess | null = null;
  let ended = false;
  const out: LabProcessOutput = {
    stdout: (c) => {
      if (!ended && c.length > 0) sock.write(encode(Frame.Stdout, c));
    },
    stderr: (c) => {
      if (!ended && c.length > 0) sock.write(encode(Frame.Stderr, c));
    },
    exit: (code) => {
      if (ended) return;
      ended = true;
      sock.end(encodeExit(code));
    },
  };
  const fail = (message: string, code: number): void => {
    out.stderr(Buffer.from(`${message}\r\n`, 'utf8'));
    out.exit(code);
  };
  const reader = new FrameReader((type, payload) => {
    if (type === Frame.Header) {
      const header = JSON.parse(payload.toString('utf8')) as EntryHeader;
      const host = o.hostAt(header.serverAddress);
      if (!host) return fail(`no lab host listens on ${header.serverAddress}`, 255);
      if (header.command === null || header.command.trim() === '') {
        return fail('the lab does not offer interactive shells over SSH; pass a command', 1);
      }
      if (isSftpSubsystem(header.command)) {
        if (!o.sftp) return fail('the lab does not offer SFTP', 1);
        proc = o.sftp(host, out);
        return;
      }
      const [command, ...args] = commandLineToArgv(header.command);
      if (!command) return fail('empty command', 1);
      try {
        proc = o.dispatcher.start(host, command, args, out);
      } catch (err) {
        fail(`lab dispatcher failed: ${(err as Error).message}`, 1);
      }
    } else if (type === Frame.Stdin) {
      proc?.stdin(payload, false);
    } else if (type === Frame.StdinEof) {
      proc?.stdin(Buffer.alloc(0), true);
    } else if (type === Frame.Terminate) {
      if (!ended) proc?.terminate();
      ended = true;
    }
  });
  sock.on('data', (c: Buffer) => reader.push(c));
  sock.on('error', () => undefined);
  sock.on('close', () => {
    // The entry went away (channel closed, signal): the simulated process ends with it.
    if (!ended) proc?.terminate();
    ended = true;
  });
}

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  try {
    unlinkSync(o.socketPath);
  } catch {
    /* no stale socket */
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    handleConnection(sock, o);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          try {
            unlinkSync(o.socketPath);
          } catch {
            /* already gone */
          }
          resolve();
        });
      }),
  };
}

/**
 * The lab sshd's ForceCommand (through a `#!/bin/sh` wrapper that execs node on this file). sshd
 * starts one per channel; it forwards the client's command, which lab address it reached
 * (SSH_CONNECTION) and its stdin to the lab process over a unix socket, and relays stdout, stderr
 * and the exit code back. It writes nothing of its own to stdout: the channel carries only what
 * the simulated process prints.
 *
 * Hosts listed in the real-pwsh file (startLabSsh's `pwsh` host option) do not go through the lab:
 * their PowerShell command lines run in a real pwsh (real-pwsh.ts), and SFTP in the real sftp-server.
 *
 * Usage: node entry.js <bridge-socket-path> [<real-pwsh.json>]
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { encode, Frame, FrameReader, parseSshConnection, type EntryHeader } from './bridge-protocol.js';
import { runRealPwsh, type RealPwshHosts } from './real-pwsh.js';

const socketPath = process.argv[2];
const conn = parseSshConnection(process.env.SSH_CONNECTION);
if (!socketPath || !conn) {
  process.stderr.write('cortex lab ssh entry: missing bridge socket or SSH_CONNECTION\n');
  process.exit(255);
}

function realPwshHosts(path: string | undefined): RealPwshHosts {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RealPwshHosts;
  } catch {
    return {};
  }
}
const realPwsh = realPwshHosts(process.argv[3])[conn.serverAddress];
if (realPwsh) {
  runRealPwsh(realPwsh, process.env.SSH_ORIGINAL_COMMAND ?? null, {
    stdoutReaderGone,
    fail: (message, code) => {
      process.stderr.write(`${message}\r\n`);
      process.exit(code);
    },
  });
} else {
  relayToLab(socketPath, conn);
}

/** The ordinary path: the command goes to the lab over the bridge socket. */
function relayToLab(socketPath: string, conn: { serverAddress: string; serverPort: number; clientAddress: string }): void {
  const header: EntryHeader = {
    command: process.env.SSH_ORIGINAL_COMMAND ?? null,
    serverAddress: conn.serverAddress,
    serverPort: conn.serverPort,
    clientAddress: conn.clientAddress,
    user: process.env.USER ?? '',
  };

  let exited = false;
  const sock = connect(socketPath);
  sock.write(encode(Frame.Header, Buffer.from(JSON.stringify(header), 'utf8')));

  /** Relay with back-pressure: stop reading the lab while sshd has not taken what we wrote. */
  function relay(stream: NodeJS.WriteStream, payload: Buffer): void {
    if (!stream.write(payload)) {
      sock.pause();
      stream.once('drain', () => sock.resume());
    }
  }

  /** Exit once everything written has reached sshd. */
  function exitAfterFlush(code: number): void {
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) process.exit(code & 0xff);
    };
    process.stdout.write('', done);
    process.stderr.write('', done);
  }

  const reader = new FrameReader((type, payload) => {
    if (type === Frame.Stdout) relay(process.stdout, payload);
    else if (type === Frame.Stderr) relay(process.stderr, payload);
    else if (type === Frame.Exit) {
      exited = true;
      process.stdin.pause();
      sock.end();
      exitAfterFlush(payload.readUInt32BE(0));
    }
  });
  sock.on('data', (c: Buffer) => reader.push(c));
  sock.on('error', (err) => {
    if (exited) return;
    process.stderr.write(`cortex lab ssh entry: the lab is not answering (${err.message})\n`);
    process.exit(255);
  });
  sock.on('close', () => {
    if (exited) return;
    process.stderr.write('cortex lab ssh entry: the lab closed the connection\n');
    process.exit(255);
  });

  process.stdin.on('data', (c: Buffer) => {
    sock.write(encode(Frame.Stdin, c));
  });
  process.stdin.on('end', () => {
    sock.write(encode(Frame.StdinEof));
  });
  process.stdin.on('error', () => undefined);

  function terminate(): void {
    if (!exited) sock.end(encode(Frame.Terminate));
    exited = true;
    setTimeout(() => process.exit(143), 50);
  }
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, terminate);
  setInterval(() => {
    if (!exited && stdoutReaderGone()) terminate();
  }, 250).unref();
}

/**
 * sshd refuses `signal` requests for forced commands, and when the client closes the channel it
 * just closes its end of our stdout pipe. Notice that (sshd, our parent, no longer holds the pipe)
 * and end the simulated process, as Windows' sshd ends the process on channel close.
 */
function stdoutReaderGone(): boolean {
  try {
    const mine = readlinkSync('/proc/self/fd/1');
    if (!mine.startsWith('pipe:')) return false;
    const parentFds = `/proc/${process.ppid}/fd`;
    for (const fd of readdirSync(parentFds)) {
      try {
        if (readlinkSync(`${parentFds}/${fd}`) === mine) return false;
      } catch {
        /* closed meanwhile */
      }
    }
    return true;
  } catch {
    return false;
  }
}

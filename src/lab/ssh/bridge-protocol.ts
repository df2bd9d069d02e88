/**
 * Frames between the ForceCommand entry point (entry.ts, one process per SSH channel) and the lab
 * process (bridge.ts) over a unix socket. Binary and tiny: one type byte, a uint32 length, payload.
 *
 * entry → lab: HEADER (JSON EntryHeader) once, then STDIN chunks, STDIN_EOF, TERMINATE (the entry
 * got a signal: the client sent one or went away).
 * lab → entry: STDOUT / STDERR chunks, then EXIT (uint32 exit code); nothing after it.
 *
 * Imports nothing: entry.ts must run as plain JavaScript with only Node built-ins.
 */
export const Frame = {
  Header: 0x48, // 'H'
  Stdin: 0x49, // 'I'
  StdinEof: 0x45, // 'E'
  Terminate: 0x54, // 'T'
  Stdout: 0x4f, // 'O'
  Stderr: 0x52, // 'R'
  Exit: 0x58, // 'X'
} as const;

export interface EntryHeader {
  /** SSH_ORIGINAL_COMMAND: what the client asked to run (null: an interactive shell). */
  command: string | null;
  /** SSH_CONNECTION field 3: the local address the client connected to — which lab host it addressed. */
  serverAddress: string;
  serverPort: number;
  clientAddress: string;
  user: string;
}

export function encode(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export function encodeExit(code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code >>> 0, 0);
  return encode(Frame.Exit, p);
}

/** Accumulates bytes and yields complete frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) return;
      const type = this.buf[0]!;
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onFrame(type, payload);
    }
  }
}

/** Parse SSH_CONNECTION: "client_ip client_port server_ip server_port". */
export function parseSshConnection(value: string | undefined): { clientAddress: string; serverAddress: string; serverPort: number } | null {
  const f = (value ?? '').trim().split(/\s+/);
  if (f.length !== 4) return null;
  // sshd may report IPv4 as an IPv4-mapped IPv6 address on dual-stack sockets.
  const unmap = (a: string): string => a.replace(/^::ffff:/i, '');
  return { clientAddress: unmap(f[0]!), serverAddress: unmap(f[2]!), serverPort: Number(f[3]) };
}

/**
 * A minimal SFTP (version 3) server for the lab's SSH hosts, enough for uploads (what the SSH
 * transport's putFile does: open for writing, write at offsets, close; plus stat, realpath,
 * setstat and mkdir answered plausibly). Served through the ForceCommand bridge like any command,
 * so an uploaded file lands in the simulated host's state (through `sink`), not on this machine.
 *
 * Wire format: draft-ietf-secsh-filexfer-02 — uint32 length, byte type, uint32 request id, fields.
 */
import type { LabHostRef, LabProcess, LabProcessOutput } from '../dispatcher.js';

export interface SftpSink {
  /** A file was uploaded completely to `path` (Windows form, e.g. `C:\ProgramData\x.zip`). */
  writeFile(host: LabHostRef, path: string, content: Buffer): void | Promise<void>;
}

const T = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8, SETSTAT: 9, FSETSTAT: 10,
  OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, RENAME: 18,
  STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105,
} as const;
const Status = { OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, OP_UNSUPPORTED: 8 } as const;
const ATTR_SIZE = 0x1;

/** `/C:/ProgramData/x` (how SFTP clients name Windows paths) → `C:\ProgramData\x`. */
export function windowsPathOf(sftpPath: string): string {
  const p = sftpPath.replace(/^\/(?=[A-Za-z]:)/, '');
  return /^[A-Za-z]:/.test(p) ? p.replace(/\//g, '\\') : p;
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number {
    const v = this.b.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  u64(): number {
    const v = Number(this.b.readBigUInt64BE(this.at));
    this.at += 8;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  string(): string {
    return this.bytes().toString('utf8');
  }
}

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}
function sizeAttrs(size: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(ATTR_SIZE, 0);
  b.writeBigUInt64BE(BigInt(size), 4);
  return b;
}

interface OpenFile {
  path: string;
  chunks: Array<{ offset: number; data: Buffer }>;
  size: number;
}

/** One SFTP session: a LabProcess fed the channel's stdin, answering on stdout. */
export function startLabSftp(host: LabHostRef, out: LabProcessOutput, sink: SftpSink): LabProcess {
  let inbox: Buffer = Buffer.alloc(0);
  const handles = new Map<string, OpenFile>();
  const written = new Map<string, number>(); // path → size, for stat after close
  let nextHandle = 1;
  let chain = Promise.resolve();

  const send = (type: number, ...parts: Buffer[]): void => {
    const body = Buffer.concat([Buffer.from([type]), ...parts]);
    out.stdout(Buffer.concat([u32(body.length), body]));
  };
  const status = (id: number, code: number, message: string): void => send(T.STATUS, u32(id), u32(code), str(message), str(''));

  async function handle(type: number, r: Reader): Promise<void> {
    if (type === T.INIT) return send(T.VERSION, u32(3));
    const id = r.u32();
    switch (type) {
      case T.OPEN: {
        const path = r.string();
        const h = String(nextHandle++);
        handles.set(h, { path, chunks: [], size: 0 });
        return send(T.HANDLE, u32(id), str(h));
      }
      case T.WRITE: {
        const f = handles.get(r.string());
        if (!f) return status(id, Status.FAILURE, 'invalid handle');
        const offset = r.u64();
        const data = Buffer.from(r.bytes());
        f.chunks.push({ offset, data });
        f.size = Math.max(f.size, offset + data.length);
        return status(id, Status.OK, 'Success');
      }
      case T.CLOSE: {
        const h = r.string();
        const f = handles.get(h);
        handles.delete(h);
        if (!f) return status(id, Status.FAILURE, 'invalid handle');
        const content = Buffer.alloc(f.size);
        for (const c of f.chunks) c.data.copy(content, c.offset);
        try {
          await sink.writeFile(host, windowsPathOf(f.path), content);
        } catch (err) {
          return status(id, Status.FAILURE, (err as Error).message);
        }
        written.set(f.path, f.size);
        return status(id, Status.OK, 'Success');
      }
      case T.FSTAT: {
        const f = handles.get(r.string());
        return f ? send(T.ATTRS, u32(id), sizeAttrs(f.size)) : status(id, Status.FAILURE, 'invalid handle');
      }
      case T.STAT:
      case T.LSTAT: {
        const size = written.get(r.string());
        return size === undefined ? status(id, Status.NO_SUCH_FILE, 'No such file') : send(T.ATTRS, u32(id), sizeAttrs(size));
      }
      case T.SETSTAT:
      case T.FSETSTAT:
      case T.MKDIR:
        return status(id, Status.OK, 'Success');
      case T.REALPATH: {
        const p = r.string();
        const abs = p === '.' || p === '' ? '/C:/Users/lab' : p;
        return send(T.NAME, u32(id), u32(1), str(abs), str(abs), u32(0));
      }
      default:
        return status(id, Status.OP_UNSUPPORTED, 'not supported by the lab');
    }
  }

  return {
    stdin(chunk, end) {
      inbox = inbox.length === 0 ? Buffer.from(chunk) : Buffer.concat([inbox, chunk]);
      while (inbox.length >= 5) {
        const len = inbox.readUInt32BE(0);
        if (inbox.length < 4 + len) break;
        const packet = inbox.subarray(4, 4 + len);
        inbox = inbox.subarray(4 + len);
        const type = packet[0]!;
        // In order: a CLOSE must not overtake the WRITEs before it.
        chain = chain.then(() => handle(type, new Reader(packet.subarray(1)))).catch(() => out.exit(1));
      }
      if (end) void chain.then(() => out.exit(0));
    },
    terminate() {
      handles.clear();
    },
  };
}

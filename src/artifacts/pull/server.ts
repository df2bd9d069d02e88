/**
 * The short-lived HTTPS server `apply --artifacts pull` starts on the workstation (docs/artifacts.md,
 * "Pull"): hosts download the run's store artifacts from it instead of receiving them over the session.
 * It serves only the artifacts it is given, by name and version (GET /artifacts/<name>/<version>), to
 * requests carrying the run's token (`Authorization: Bearer`); anything else is 401 (no or wrong token,
 * checked first, so an unknown caller learns nothing), 404 (not one of the run's artifacts) or 405. It
 * listens only on the addresses hosts reach the workstation by, and stops when apply ends.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { PullCertificate } from './certificate.js';
import { bearerToken, tokenMatches } from './token.js';

export interface ServedArtifact {
  name: string;
  version: string;
  /** Absolute path of the file in the store. */
  path: string;
  sha256: string;
  size: number;
}

/** One request as the server logs it: never the token, never a header. */
export interface PullRequestRecord {
  status: number;
  method: string;
  /** name/version asked for; null when the path is not an artifact's. */
  artifact: string | null;
  remote: string;
  bytes: number;
}

export interface PullServerOptions {
  artifacts: readonly ServedArtifact[];
  token: string;
  certificate: PullCertificate;
  /** Where to listen: the workstation's addresses hosts reach it by (one listener each). */
  addresses: readonly string[];
  /** 0 (default): a free port per address. */
  port?: number;
  onRequest?: (r: PullRequestRecord) => void;
}

export interface PullServer {
  /** SHA-256 of the server's certificate: hosts pin it. */
  readonly thumbprint: string;
  /** Where a host that reaches the workstation at `address` downloads an artifact. */
  url(address: string, name: string, version: string): string;
  /** The listening ports by address. */
  readonly ports: ReadonlyMap<string, number>;
  stats(): { served: number; refused: number; bytes: number };
  close(): Promise<void>;
}

const key = (name: string, version: string) => `${name}\n${version}`;

/** /artifacts/<name>/<version> → [name, version]; null for any other path. */
export function artifactOfPath(path: string): [string, string] | null {
  const m = /^\/artifacts\/([^/?#]+)\/([^/?#]+)$/.exec(path);
  if (!m) return null;
  try {
    return [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
  } catch {
    return null;
  }
}

/** How long close() lets responses under way finish before it cuts them. */
const DRAIN_MS = 2_000;

export async function startPullServer(o: PullServerOptions): Promise<PullServer> {
  const byKey = new Map(o.artifacts.map((a) => [key(a.name, a.version), a]));
  const counts = { served: 0, refused: 0, bytes: 0 };
  const inFlight = new Set<Promise<void>>();
  const record = (req: IncomingMessage, status: number, artifact: string | null, bytes = 0, remote = req.socket.remoteAddress ?? '') => {
    if (status === 200) counts.served++;
    else counts.refused++;
    counts.bytes += bytes;
    o.onRequest?.({ status, method: req.method ?? '', artifact, remote, bytes });
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, text: string, artifact: string | null, headers: Record<string, string> = {}) => {
    record(req, status, artifact);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers });
    res.end(`${text}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!tokenMatches(o.token, bearerToken(req.headers.authorization))) return refuse(req, res, 401, 'a valid token is required', null, { 'www-authenticate': 'Bearer' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, 405, 'only GET and HEAD', null, { allow: 'GET, HEAD' });
    const pathname = (req.url ?? '').split('?')[0]!;
    const nv = artifactOfPath(pathname);
    const a = nv ? byKey.get(key(nv[0], nv[1])) : undefined;
    if (!nv || !a) return refuse(req, res, 404, 'not an artifact of this run', nv ? `${nv[0]}/${nv[1]}` : null);
    const label = `${a.name}/${a.version}`;
    let fh;
    try {
      fh = await open(a.path, 'r');
    } catch {
      return refuse(req, res, 404, 'the artifact is missing from the store', label);
    }
    // The length sent is the file's as opened; the host re-hashes what it received against the step's SHA-256.
    const size = (await fh.stat()).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size), 'cache-control': 'no-store' });
    if (req.method === 'HEAD') {
      await fh.close();
      record(req, 200, label);
      return void res.end();
    }
    const stream = createReadStream('', { fd: fh, autoClose: true });
    stream.on('error', () => res.destroy());
    const remote = req.socket.remoteAddress ?? '';
    // A host has every byte once the length is sent, which can be before the read stream's last, empty
    // read comes back from the thread pool and ends the response: a host that then closes its
    // connection leaves a response that closes without finishing. Each response is recorded once, on
    // whichever comes first, by the bytes it sent: all of them read and none left in the response's or
    // the socket's buffers is served; fewer, the host went away (499).
    let sent = 0;
    stream.on('data', (chunk: string | Buffer) => {
      sent += chunk.length;
    });
    let recorded = false;
    const done = () => {
      if (recorded) return;
      recorded = true;
      record(req, sent === size && res.writableLength === 0 ? 200 : 499, label, sent, remote);
    };
    res.on('finish', done);
    const ended = new Promise<void>((resolve) =>
      res.once('close', () => {
        stream.destroy(); // its file handle, which pipe() leaves open when the response closes early
        done();
        resolve();
      }),
    );
    // close() waits for responses under way.
    inFlight.add(ended);
    void ended.then(() => inFlight.delete(ended));
    stream.pipe(res);
  };

  const servers: Server[] = [];
  const ports = new Map<string, number>();
  const sockets = new Set<Socket>();
  const close = async () => {
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    // Responses under way end first, within a bound, so each is recorded as served.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(inFlight), new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(timer);
    for (const s of servers) s.closeAllConnections();
    await Promise.all(closed);
    for (const s of sockets) s.destroy();
  };
  try {
    for (const address of [...new Set(o.addresses)]) {
      const s = createServer({ key: o.certificate.key, cert: o.certificate.cert, minVersion: 'TLSv1.2' }, (req, res) => {
        handle(req, res).catch(() => res.destroy());
      });
      s.on('connection', (sock: Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      // A client that fails the handshake (a wrong pin, a scanner) must not take the server down.
      s.on('tlsClientError', () => undefined);
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(o.port ?? 0, address, () => {
          s.off('error', reject);
          resolve();
        });
      });
      ports.set(address, (s.address() as { port: number }).port);
    }
  } catch (err) {
    await close();
    throw err;
  }

  return {
    thumbprint: o.certificate.thumbprint,
    ports,
    url(address, name, version) {
      const port = ports.get(address);
      if (port === undefined) throw new Error(`the pull server does not listen on ${address}`);
      return `https://${isIPv6(address) ? `[${address}]` : address}:${port}/artifacts/${encodeURIComponent(name)}/${encodeURIComponent(version)}`;
    },
    stats: () => ({ ...counts }),
    close,
  };
}

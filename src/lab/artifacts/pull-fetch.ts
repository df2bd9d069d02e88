/**
 * A lab host's download from apply's artifact pull server (docs/artifacts.md, "Pull"), as
 * Save-CortexPinnedDownload (ps1/lib/windows.ps1) does it on Windows: a real HTTPS GET with the run's
 * token, over a TLS connection whose certificate must have the pinned SHA-256 before the request (and so
 * the token) is sent. The lab keeps files as hashes, so what it records is the bytes' SHA-256 and length,
 * as an upload's. Only loopback is reached: a lab host has no other network.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';

export interface Fetched {
  sha256: string;
  length: number;
}

/** A download that failed, with the message Save-CortexPinnedDownload throws. */
export class PullFetchError extends Error {
  constructor(
    message: string,
    /** Something the lab does not model (a non-loopback address): the caller says "not emulated". */
    readonly notEmulated = false,
  ) {
    super(message);
    this.name = 'PullFetchError';
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '[::1]' || host === '::1';
}

export async function fetchPinned(o: {
  url: string;
  token: string;
  thumbprint: string;
  timeoutMs?: number;
  corrupt?: boolean;
  /** The lab host's own address: its connection comes from there, as a Windows host's would from its NIC. */
  localAddress?: string | undefined;
}): Promise<Fetched> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new PullFetchError(`cannot download ${o.url}: Invalid URI: The format of the URI could not be determined.`);
  }
  if (url.protocol !== 'https:') throw new PullFetchError(`a download over ${url.protocol.replace(':', '')} is not emulated by the lab (the pull server is HTTPS)`, true);
  const host = url.hostname;
  if (!isLoopback(host)) throw new PullFetchError(`a download from ${host} is not emulated by the lab: a lab host reaches the workstation over loopback only`, true);
  const port = Number(url.port || 443);
  const pin = o.thumbprint.toLowerCase();
  const timeoutMs = o.timeoutMs ?? 60_000;
  const why = (reason: string) => new PullFetchError(`cannot download ${o.url}: ${reason} (the server must present the certificate with SHA-256 ${o.thumbprint})`);

  const socket: TLSSocket = await new Promise((resolve, reject) => {
    const s = connect({ host: host.replace(/^\[|\]$/g, ''), port, rejectUnauthorized: false, minVersion: 'TLSv1.2', ...(o.localAddress && isLoopback(o.localAddress) ? { localAddress: o.localAddress } : {}) });
    s.setTimeout(timeoutMs, () => s.destroy(new Error('The operation has timed out.')));
    s.once('secureConnect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => reject(why(err.code === 'ECONNREFUSED' ? 'Unable to connect to the remote server' : err.message)));
  });
  const presented = socket.getPeerX509Certificate()?.fingerprint256.replace(/:/g, '').toLowerCase() ?? null;
  if (presented !== pin) {
    socket.destroy();
    throw why('The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.');
  }
  return new Promise<Fetched>((resolve, reject) => {
    const req = request({ createConnection: () => socket, host, port, path: `${url.pathname}${url.search}`, method: 'GET', headers: { authorization: `Bearer ${o.token}`, connection: 'close' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        socket.destroy();
        return reject(new PullFetchError(`the pull server answered HTTP ${res.statusCode ?? 0} for ${o.url}`));
      }
      const hash = createHash('sha256');
      let length = 0;
      let first = true;
      res.on('data', (chunk: Buffer) => {
        let bytes = chunk;
        if (first && o.corrupt && bytes.length) {
          bytes = Buffer.from(bytes);
          bytes[0] = bytes[0]! ^ 0xff;
        }
        if (bytes.length) first = false;
        hash.update(bytes);
        length += bytes.length;
      });
      res.on('end', () => {
        socket.destroy();
        resolve({ sha256: hash.digest('hex'), length });
      });
      res.on('error', (err) => reject(why(err.message)));
    });
    req.on('error', (err) => reject(why(err.message)));
    req.end();
  });
}

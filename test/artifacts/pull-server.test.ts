/**
 * The artifact pull server (docs/artifacts.md, "Pull"): the token (random, constant-time compare), the
 * server refusing a missing or wrong token (401, before anything else), unknown files (404) and other
 * methods (405), serving the run's artifacts by name/version, TLS pinning (a client that pins another
 * thumbprint never sends its request, so the token never leaves it), and stopping when closed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearerToken, newPullToken, tokenMatches } from '../../src/artifacts/pull/token.js';
import { artifactOfPath, startPullServer, type PullRequestRecord, type PullServer } from '../../src/artifacts/pull/server.js';
import { certificateThumbprint, givenCertificate, runCertificate, type PullCertificate } from '../../src/artifacts/pull/certificate.js';
import { storeArtifactOf } from '../../src/artifacts/pull/served.js';
import { routeSourceAddress } from '../../src/artifacts/pull/address.js';
import { addArtifact } from '../../src/artifacts/store.js';
import { fetchPinned, PullFetchError } from '../../src/lab/artifacts/pull-fetch.js';
import { redact } from '../../src/secrets/registry.js';
import { InputError } from '../../src/errors.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);
const ADDR = net.addr(1);
const dir = mkdtempSync(join(tmpdir(), 'cortex-pull-'));
const bytes = Buffer.from('synthetic installer bytes\n'.repeat(1000));
const sha = createHash('sha256').update(bytes).digest('hex');
const file = join(dir, 'otp_win64_27.3.4.exe');
writeFileSync(file, bytes);

let cert: PullCertificate;
let server: PullServer;
let token: string;
const seen: PullRequestRecord[] = [];

/** A raw HTTPS request (no pinning: the server's answers are what is tested). */
function raw(path: string, o: { method?: string; auth?: string } = {}): Promise<{ status: number; body: Buffer }> {
  const port = server.ports.get(ADDR)!;
  return new Promise((resolve, reject) => {
    const req = request({ host: ADDR, port, path, method: o.method ?? 'GET', rejectUnauthorized: false, agent: false, headers: o.auth ? { authorization: o.auth } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A server for one artifact of `size` bytes, named `name`/1, and the requests it records. */
async function bigArtifactServer(name: string, size: number): Promise<{ s: PullServer; records: PullRequestRecord[]; size: number }> {
  const file = join(dir, `${name}.bin`);
  writeFileSync(file, Buffer.alloc(size, 7));
  const records: PullRequestRecord[] = [];
  const s = await startPullServer({ artifacts: [{ name, version: '1', path: file, sha256: '', size }], token, certificate: cert, addresses: [ADDR], onRequest: (r) => records.push(r) });
  return { s, records, size };
}
/** A GET of `name`/1 from `s` with the token, handing the response to `onResponse`. */
function getArtifact(s: PullServer, name: string, onResponse: (res: IncomingMessage) => void, onError: (e: Error) => void): void {
  const req = request({ host: ADDR, port: s.ports.get(ADDR)!, path: `/artifacts/${name}/1`, rejectUnauthorized: false, agent: false, headers: { authorization: `Bearer ${token}` } }, onResponse);
  req.on('error', onError);
  req.end();
}

beforeAll(async () => {
  cert = runCertificate([ADDR]);
  token = newPullToken();
  server = await startPullServer({ artifacts: [{ name: 'erlang', version: '27.3.4', path: file, sha256: sha, size: bytes.length }], token, certificate: cert, addresses: [ADDR], onRequest: (r) => seen.push(r) });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the token', () => {
  it('is random per run, 43 base64url characters, and registered as a secret', () => {
    const a = newPullToken();
    const b = newPullToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(redact(`Bearer ${a}`)).toBe('Bearer ********');
  });

  it('matches only itself: another token, a prefix, a longer one, empty or none are refused', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token}x`)).toBe(false);
    expect(tokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(tokenMatches(token, newPullToken())).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
  });

  it('is read from a Bearer header only', () => {
    expect(bearerToken('Bearer abc_-1')).toBe('abc_-1');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('the pull server', () => {
  it('serves a run artifact by name and version to a request with the token', async () => {
    const r = await raw('/artifacts/erlang/27.3.4', { auth: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(sha);
  });

  it('refuses a request without the token or with another one (401), whatever it asks for', async () => {
    expect((await raw('/artifacts/erlang/27.3.4')).status).toBe(401);
    expect((await raw('/artifacts/erlang/27.3.4', { auth: `Bearer ${newPullToken()}` })).status).toBe(401);
    expect((await raw('/artifacts/erlang/27.3.4', { auth: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` })).status).toBe(401);
    // An unknown file without the token is 401 too: an unauthenticated caller learns nothing of what is served.
    expect((await raw('/artifacts/nssm/2.24-101')).status).toBe(401);
  });

  it('refuses what is not one of the run artifacts (404) and other methods (405)', async () => {
    const auth = `Bearer ${token}`;
    expect((await raw('/artifacts/nssm/2.24-101', { auth })).status).toBe(404);
    expect((await raw('/artifacts/erlang/27.3.5', { auth })).status).toBe(404);
    expect((await raw('/manifest.yaml', { auth })).status).toBe(404);
    expect((await raw('/artifacts/erlang/../../otp_win64_27.3.4.exe', { auth })).status).toBe(404);
    expect((await raw('/artifacts/erlang%2F27.3.4/x', { auth })).status).toBe(404);
    expect((await raw('/artifacts/erlang/27.3.4', { auth, method: 'POST' })).status).toBe(405);
  });

  it('never records the token', () => {
    expect(seen.length).toBeGreaterThan(5);
    expect(JSON.stringify(seen)).not.toContain(token);
    expect(seen.find((r) => r.status === 200)).toMatchObject({ artifact: 'erlang/27.3.4', bytes: bytes.length });
  });

  it('the lab client downloads with the pinned thumbprint and records what arrived', async () => {
    const got = await fetchPinned({ url: server.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: cert.thumbprint });
    expect(got).toEqual({ sha256: sha, length: bytes.length });
    const corrupt = await fetchPinned({ url: server.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: cert.thumbprint, corrupt: true });
    expect(corrupt.length).toBe(bytes.length);
    expect(corrupt.sha256).not.toBe(sha);
  });

  it('TLS pinning: a server with another certificate is refused before the request, so the token is never sent', async () => {
    const records: PullRequestRecord[] = [];
    const s = await startPullServer({ artifacts: [{ name: 'erlang', version: '27.3.4', path: file, sha256: sha, size: bytes.length }], token, certificate: cert, addresses: [ADDR], onRequest: (r) => records.push(r) });
    try {
      const other = runCertificate([ADDR]);
      expect(other.thumbprint).not.toBe(cert.thumbprint);
      const err = await fetchPinned({ url: s.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: other.thumbprint }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PullFetchError);
      expect((err as Error).message).toMatch(/Could not establish trust relationship.*the server must present the certificate with SHA-256 [0-9a-f]{64}/);
      // The same client with the right pin gets through: the refusal was the pin.
      expect((await fetchPinned({ url: s.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: cert.thumbprint })).sha256).toBe(sha);
      // The server records a request when its response has finished: wait for that.
      for (let i = 0; i < 100 && !records.length; i++) await new Promise((r) => setTimeout(r, 20));
      // Only the second attempt reached the HTTP layer: the first never sent its request (nor the token).
      expect(records.map((r) => r.status)).toEqual([200]);
    } finally {
      await s.close();
    }
  });

  it('a wrong token through the lab client fails with the status, naming the URL, not the token', async () => {
    const wrong = newPullToken();
    const err = (await fetchPinned({ url: server.url(ADDR, 'erlang', '27.3.4'), token: wrong, thumbprint: cert.thumbprint }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`the pull server answered HTTP 401 for ${server.url(ADDR, 'erlang', '27.3.4')}`);
    expect(err.message).not.toContain(wrong);
  });

  it('the lab reaches loopback only', async () => {
    const err = (await fetchPinned({ url: 'https://192.0.2.1:1/artifacts/a/1', token, thumbprint: cert.thumbprint }).catch((e: unknown) => e)) as PullFetchError;
    expect(err.notEmulated).toBe(true);
    expect(err.message).toMatch(/not emulated by the lab/);
  });

  it('stops when closed: nothing more is served', async () => {
    const s = await startPullServer({ artifacts: [], token, certificate: cert, addresses: [ADDR] });
    const url = s.url(ADDR, 'erlang', '27.3.4');
    await s.close();
    const err = (await fetchPinned({ url, token, thumbprint: cert.thumbprint }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Unable to connect to the remote server/);
  });

  it('a host that closes its connection the moment it has every byte is recorded as served, all bytes; one that goes away early as 499', async () => {
    const { s, records, size } = await bigArtifactServer('eager', 4 * 1024 * 1024);
    const fetchUntil = (stopAt: number) =>
      new Promise<number>((resolve, reject) => {
        getArtifact(
          s,
          'eager',
          (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => {
              n += c.length;
              // The lab's client and Windows' alike may drop the connection once they have what they asked for.
              if (n >= stopAt) {
                res.socket.destroy();
                resolve(n);
              }
            });
            res.on('error', () => resolve(n));
          },
          reject,
        );
      });
    expect(await fetchUntil(size)).toBe(size);
    await fetchUntil(64 * 1024);
    await s.close();
    expect(records.map((r) => [r.status, r.status === 200 ? r.bytes : 'partial'])).toEqual([
      [200, size],
      [499, 'partial'],
    ]);
  });

  it('closing while a host still reads a download lets it finish (bounded) and records it as served', async () => {
    // More than the socket buffers hold: the client has to read for the response to end.
    const { s, records, size } = await bigArtifactServer('big', 8 * 1024 * 1024);
    let closed = false;
    const got = await new Promise<number>((resolve, reject) => {
      getArtifact(s, 'big', (res) => {
        let n = 0;
        res.once('data', (c: Buffer) => {
          n += c.length;
          // The run ends while this host is mid-download; it goes on reading a moment later.
          res.pause();
          void s.close().then(() => (closed = true));
          setTimeout(() => res.resume(), 200);
          res.on('data', (d: Buffer) => (n += d.length));
        });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      }, reject);
    });
    expect(got).toBe(size);
    await vi.waitFor(() => expect(closed).toBe(true));
    expect(records).toEqual([expect.objectContaining({ status: 200, artifact: 'big/1', bytes: size })]);
  });
});

describe('certificates', () => {
  it('the thumbprint is the SHA-256 of the DER bytes, as the host computes it', () => {
    const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: cert.cert });
    expect(cert.thumbprint).toBe(createHash('sha256').update(der).digest('hex'));
    expect(certificateThumbprint(cert.cert)).toBe(cert.thumbprint);
  });

  it('a given certificate is read from PEM files; a key that is not its own is refused', () => {
    const other = runCertificate([ADDR]);
    writeFileSync(join(dir, 'c.pem'), cert.cert);
    writeFileSync(join(dir, 'k.pem'), cert.key);
    writeFileSync(join(dir, 'other.pem'), other.key);
    expect(givenCertificate(join(dir, 'c.pem'), join(dir, 'k.pem')).thumbprint).toBe(cert.thumbprint);
    expect(() => givenCertificate(join(dir, 'c.pem'), join(dir, 'other.pem'))).toThrow(InputError);
    expect(() => givenCertificate(join(dir, 'k.pem'), join(dir, 'k.pem'))).toThrow(/not a PEM certificate/);
  });
});

describe('what is served', () => {
  it('a source that is a store artifact, by the manifest; other files are not', async () => {
    const store = join(dir, 'store');
    await addArtifact(store, file);
    const a = await storeArtifactOf(join(store, 'erlang', '27.3.4', 'otp_win64_27.3.4.exe'));
    expect(a).toMatchObject({ name: 'erlang', version: '27.3.4', sha256: sha, size: bytes.length });
    expect(await storeArtifactOf(file)).toBeNull();
    writeFileSync(join(store, 'erlang', '27.3.4', 'notes.txt'), 'x');
    expect(await storeArtifactOf(join(store, 'erlang', '27.3.4', 'notes.txt'))).toBeNull();
  });

  it('the path of an artifact URL', () => {
    expect(artifactOfPath('/artifacts/serviceFabric/10.1')).toEqual(['serviceFabric', '10.1']);
    expect(artifactOfPath('/artifacts/a%20b/1')).toEqual(['a b', '1']);
    expect(artifactOfPath('/artifacts/a/1/x')).toBeNull();
    expect(artifactOfPath('/artifacts/%E0/1')).toBeNull();
  });

  it('the workstation address toward a loopback host is loopback', async () => {
    expect(await routeSourceAddress(ADDR)).toMatch(/^127\./);
  });
});

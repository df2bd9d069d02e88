/**
 * ps1/files/gobetween-healthcheck.ps1 run for real (pwsh, no mocks) the way healthcheck-<server>.cmd
 * runs it, against HTTP servers on 127.0.0.1: stdout must be exactly the one byte gobetween compares
 * with (1 or 0, no newline), and the exit code 0, whatever the backend does.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPwsh, REPO_ROOT } from '../helpers/pwsh.js';

const SCRIPT = join(REPO_ROOT, 'ps1/files/gobetween-healthcheck.ps1');

function run(pwsh: string, args: string[]): Promise<{ stdout: Buffer; code: number | null }> {
  return new Promise((resolve) => {
    const child = execFile(pwsh, ['-NoProfile', '-NonInteractive', '-File', SCRIPT, ...args], { encoding: 'buffer', timeout: 60_000 }, (_err, stdout) => resolve({ stdout, code: child.exitCode }));
  });
}

it('the script is ASCII without a BOM: Windows PowerShell 5.1 reads a file on disk in the ANSI code page', () => {
  const bytes = readFileSync(SCRIPT);
  expect(bytes.every((b) => b < 0x80)).toBe(true);
});

describeWithPwsh('gobetween health check against real backends', (pwsh) => {
  let server: Server;
  let port = 0;
  const hung: Array<() => void> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/health') return void res.writeHead(200).end('ok');
      if (req.url === '/down') return void res.writeHead(503).end('down');
      if (req.url === '/slow') return void hung.push(() => res.end());
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const release of hung) release();
    await new Promise((r) => server.close(r));
  });

  const args = (path: string, p = port, timeout = 3) => ['-BackendHost', '127.0.0.1', '-BackendPort', String(p), '-Scheme', 'http', '-Path', path, '-TimeoutSec', String(timeout)];

  it('a backend that answers 200: stdout is the single byte 1, exit 0', async () => {
    const r = await run(pwsh, args('/health'));
    expect(r.stdout.toString('latin1')).toBe('1');
    expect(r.code).toBe(0);
  }, 90_000);

  it('503: the single byte 0, exit 0', async () => {
    const r = await run(pwsh, args('/down'));
    expect(r.stdout.toString('latin1')).toBe('0');
    expect(r.code).toBe(0);
  }, 90_000);

  it('a port nothing listens on: 0, exit 0', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await run(pwsh, args('/health', freePort));
    expect(r.stdout.toString('latin1')).toBe('0');
    expect(r.code).toBe(0);
  }, 90_000);

  it('a backend that never answers: 0 once the request timeout passes, exit 0', async () => {
    const r = await run(pwsh, args('/slow', port, 1));
    expect(r.stdout.toString('latin1')).toBe('0');
    expect(r.code).toBe(0);
  }, 90_000);
});

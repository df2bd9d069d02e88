/**
 * Save-CortexPinnedDownload (ps1/lib/windows.ps1), the real function under pwsh 7, against the real pull
 * server (src/artifacts/pull/server.ts) on loopback: it sends the token, accepts only the pinned
 * certificate (one no trust store holds), writes the body to OutFile, and fails with the server's status
 * or the TLS refusal, never showing the token. (Under Windows PowerShell 5.1 the same code runs on
 * .NET Framework's HttpWebRequest; the C# callback is the same.)
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCertificate, type PullCertificate } from '../../../src/artifacts/pull/certificate.js';
import { startPullServer, type PullServer } from '../../../src/artifacts/pull/server.js';
import { newPullToken } from '../../../src/artifacts/pull/token.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';
import { describeWithPwsh, REPO_ROOT } from '../../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);
const ADDR = net.addr(1);
const dir = mkdtempSync(join(tmpdir(), 'cortex-pinned-'));
const bytes = Buffer.from('pulled bytes\n'.repeat(5000));
const source = join(dir, 'src.bin');
writeFileSync(source, bytes);
let cert: PullCertificate;
let server: PullServer;
let token: string;

beforeAll(async () => {
  cert = runCertificate([ADDR]);
  token = newPullToken();
  server = await startPullServer({ artifacts: [{ name: 'erlang', version: '27.3.4', path: source, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }], token, certificate: cert, addresses: [ADDR] });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The function as a script would call it; the token travels in the environment, never on a command line. */
async function download(pwsh: string, o: { url: string; token: string; thumbprint: string; out: string }) {
  const script = `$ErrorActionPreference = 'Stop'; . '${join(REPO_ROOT, 'ps1', 'lib', 'windows.ps1')}'
try { $n = Save-CortexPinnedDownload -Url $env:T_URL -Token $env:T_TOKEN -Thumbprint $env:T_PIN -OutFile $env:T_OUT; "OK $n" } catch { "ERR $($_.Exception.Message)" }`;
  const r = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], { reject: false, env: { T_URL: o.url, T_TOKEN: o.token, T_PIN: o.thumbprint, T_OUT: o.out } });
  return r.stdout.trim();
}

describeWithPwsh('Save-CortexPinnedDownload under pwsh against the pull server', (pwsh) => {
  it('downloads with the token from the pinned server, byte for byte', async () => {
    const out = join(dir, 'ok.bin');
    expect(await download(pwsh, { url: server.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: cert.thumbprint, out })).toBe(`OK ${bytes.length}`);
    expect(readFileSync(out).equals(bytes)).toBe(true);
  }, 60_000);

  it('refuses a server whose certificate is not the pinned one, and writes nothing', async () => {
    const out = join(dir, 'pin.bin');
    const other = runCertificate([ADDR]).thumbprint;
    const said = await download(pwsh, { url: server.url(ADDR, 'erlang', '27.3.4'), token, thumbprint: other, out });
    expect(said).toMatch(new RegExp(`^ERR cannot download ${server.url(ADDR, 'erlang', '27.3.4').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* \\(the server must present the certificate with SHA-256 ${other}\\)$`));
    expect(said).not.toContain(token);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('a wrong token: the server status, naming the URL, not the token', async () => {
    const wrong = newPullToken();
    const said = await download(pwsh, { url: server.url(ADDR, 'erlang', '27.3.4'), token: wrong, thumbprint: cert.thumbprint, out: join(dir, 'tok.bin') });
    expect(said).toBe(`ERR the pull server answered HTTP 401 for ${server.url(ADDR, 'erlang', '27.3.4')}`);
  }, 60_000);

  it('an artifact the run does not serve: 404', async () => {
    const said = await download(pwsh, { url: server.url(ADDR, 'nssm', '2.24-101'), token, thumbprint: cert.thumbprint, out: join(dir, 'nf.bin') });
    expect(said).toBe(`ERR the pull server answered HTTP 404 for ${server.url(ADDR, 'nssm', '2.24-101')}`);
  }, 60_000);
});

/**
 * Certificate authentication end to end: a client certificate (UPN in its subjectAltName, issued by
 * a test CA) presented in the TLS handshake, the WS-Management HTTPS mutual profile in every
 * request, and the lab mapping issuer + UPN to an account as WSMan:\localhost\ClientCertificate
 * does. Clients: the CLI's preflight and exec from an inventory, direct sessions (refusals), and
 * Debian's pywinrm with transport='certificate'. Host: web01.lab.test, .1 of this file's loopback block.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecCommand, type ExecDocument } from '../../src/cli/commands/exec.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { AuthError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { labHostsFromInventory } from '../../src/lab/profile/from-inventory.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { openWinrmSession, type WinrmConnectSettings } from '../../src/transport/winrm/index.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { sink } from '../helpers/sink.js';

const run = promisify(execFile);
const net = await claimLoopbackBlock(import.meta.url, { hosts: 1 });
const web01 = { name: 'web01.lab.test', address: net.addr(1) };
let dir: string;
let inventory: string;
let lab: RunningLab;
let ca: string;

/** A CA (key + cert) in `dir`, named `name`. */
function makeCa(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert };
}

/** A client certificate for `upn` from `issuer`; `chain`: the file also holds the CA certificate. */
function makeClient(name: string, upn: string, issuer: { key: string; cert: string }, opts: { eku?: string; chain?: boolean } = {}): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr], { stdio: 'ignore' });
  writeFileSync(ext, `extendedKeyUsage=${opts.eku ?? 'clientAuth'}\nsubjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${upn}\n`);
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', issuer.cert, '-CAkey', issuer.key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert], { stdio: 'ignore' });
  if (opts.chain) writeFileSync(cert, readFileSync(cert, 'utf8') + readFileSync(issuer.cert, 'utf8'));
  return { cert, key };
}

function settings(client: { cert: string; key: string }): WinrmConnectSettings {
  return {
    scheme: 'https',
    port: 5986,
    auth: 'certificate',
    user: '',
    password: '',
    allowUnencrypted: false,
    tls: { ca, serverName: null, insecure: false, clientCertificate: { cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') } },
    operationTimeoutSec: 5,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 20_000,
  };
}

let good: { cert: string; key: string };
let otherCa: { cert: string; key: string };
let otherUpn: { cert: string; key: string };
let serverOnly: { cert: string; key: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cortex-certauth-'));
  const issuer = makeCa('cortex-test-ca');
  const stranger = makeCa('stranger-ca');
  good = makeClient('cortex-client', 'cortex@lab.test', issuer, { chain: true });
  otherCa = makeClient('foreign-client', 'cortex@lab.test', stranger);
  otherUpn = makeClient('other-client', 'intruder@lab.test', issuer);
  serverOnly = makeClient('server-eku', 'cortex@lab.test', issuer, { eku: 'serverAuth' });
  inventory = join(dir, 'site.yaml');
  writeFileSync(
    inventory,
    `all:
  vars:
    transport: winrm
    winrm:
      scheme: https
      port: 5986
      auth: certificate
      user: 'LAB\\cortex'
      certificate: { cert: file:cortex-client.pem, key: file:cortex-client.key }
      tls: { ca: file:lab-state/tls/cert.pem }
    installPath: 'C:\\Program Files\\Cortex'
  children:
    web:
      hosts:
        ${web01.name}: { address: ${web01.address}, webApps: [gateway] }
`,
  );
  const { hosts } = await labHostsFromInventory(await loadInventory(inventory));
  expect(hosts[0]!.certificateMappings?.map((m) => [m.subject, m.user])).toEqual([['cortex@lab.test', 'LAB\\cortex']]);
  lab = await startLab({ hosts, stateDir: join(dir, 'lab-state') });
  ca = readFileSync(lab.status().certPath, 'utf8');
});

afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('certificate authentication against the lab', () => {
  it('preflight from an inventory with auth: certificate reaches the host and runs its probes', async () => {
    const stdout = sink(120);
    await runPreflightCommand({ inventory, forks: 1, json: true, timeout: 60 }, { stdout, stderr: sink(120), color: false, runDir: null });
    const json = JSON.parse(stdout.text()) as PreflightJson;
    const host = json.hosts.find((h) => h.name === web01.name)!;
    expect(host.reachable).toBe(true);
    expect(host.checks.find((c) => c.id === 'os.version')?.status).toBe('pass');
  });

  it('exec from the same inventory runs the command as the mapped account', async () => {
    const stdout = sink(120);
    const code = await runExecCommand(
      { inventory, forks: 1, oneshot: true, timeout: 60, json: true, script: ['hostname'] },
      { stdout, stderr: sink(120), color: false, runDir: null },
    );
    const doc = JSON.parse(stdout.text()) as ExecDocument;
    expect(doc.hosts.map((h) => [h.name, h.status, h.exitCode, h.error])).toEqual([[web01.name, "ok", 0, null]]);
    expect(code).toBe(0);
  });

  it('a session with the mapped certificate: authenticated as certificate', async () => {
    const t0 = performance.now();
    const s = await openWinrmSession(web01, settings(good));
    const ms = performance.now() - t0;
    expect(s.authUsed).toEqual({ scheme: 'certificate', note: null });
    await s.close();
    console.log(`certificate connect (TLS with client certificate + shell): ${ms.toFixed(0)} ms`);
  });

  for (const [what, pick] of [
    ['the same UPN from an issuer the mapping does not name', () => otherCa],
    ['a UPN the host does not map', () => otherUpn],
    ['a certificate without the Client Authentication EKU', () => serverOnly],
  ] as const) {
    it(`refuses ${what} with 401, naming the certificate`, async () => {
      const e = await openWinrmSession(web01, settings(pick())).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AuthError);
      expect((e as Error).message).toMatch(/the host did not accept the client certificate \(subject CN=.*, UPN .*@lab\.test, issuer CN=.*, SHA-1 thumbprint [0-9A-F]{40}\): it maps no account to it/);
      expect((e as Error).message).toContain('WSMan:\\localhost\\ClientCertificate');
    });
  }
});

describe('pywinrm (python3-winrm, transport=certificate) against the lab', () => {
  async function pywinrm(client: { cert: string; key: string }) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.REQUESTS_CA_BUNDLE;
    delete env.CURL_CA_BUNDLE;
    const caPath = join(dir, 'lab-ca.pem');
    writeFileSync(caPath, ca);
    const script = resolve(import.meta.dirname, 'pywinrm_auth.py');
    return run('/usr/bin/python3', [script, `https://${web01.address}:5986/wsman`, caPath, 'certificate', client.cert, client.key], { env, timeout: 60_000 }).then(
      (r) => ({ code: 0, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) }),
      (e: { code: number; stdout: string }) => ({ code: e.code, lines: e.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }),
    );
  }

  it('runs hostname and echo with the mapped certificate', async () => {
    const r = await pywinrm(good);
    expect(r.lines).toEqual([
      { cmd: 'hostname', args: [], stdout: `${web01.name}\r\n`, stderr: '', code: 0 },
      { cmd: 'echo', args: ['hello'], stdout: 'hello\r\n', stderr: '', code: 0 },
    ]);
  });

  it('is refused (401) with a certificate the host does not map', async () => {
    const r = await pywinrm(otherUpn);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatchObject({ error: 'InvalidCredentialsError' });
  });
});

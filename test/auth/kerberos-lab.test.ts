/**
 * Kerberos end to end, for real: an MIT KDC this file starts on loopback (test/auth/kdc.ts), the
 * lab's WinRM listener accepting tickets with the keytab of HTTP/web0N.cortex.test, and three
 * clients — the CLI's preflight and exec from an inventory, sessions opened directly (for every
 * error case), and Debian's pywinrm with requests-kerberos.
 * Hosts, on this file's loopback block: .1 web01 (healthy), .2 web02 (clock one hour ahead).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecCommand, type ExecDocument } from '../../src/cli/commands/exec.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { InputError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { startLab, type RunningLab } from '../../src/lab/lab.js';
import { labHostsFromInventory } from '../../src/lab/profile/from-inventory.js';
import { loadGss } from '../../src/protocol/kerberos/gss-module.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { KerberosError } from '../../src/transport/winrm/auth/kerberos-errors.js';
import { openWinrmSession, type WinrmConnectSettings } from '../../src/transport/winrm/index.js';
import type { WinrmSession } from '../../src/transport/winrm/session.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { startKdc, type TestKdc } from './kdc.js';
import { sink } from '../helpers/sink.js';

const run = promisify(execFile);
const REALM = 'CORTEX.TEST';
const PASSWORD = 'Kerb-Lab-Pw!2026';
const net = await claimLoopbackBlock(import.meta.url, { hosts: 2 });
const web01 = { name: 'web01.cortex.test', address: net.addr(1) };
const web02 = { name: 'web02.cortex.test', address: net.addr(2) };
process.env.CORTEX_KRB_TEST_PW = PASSWORD;

let kdc: TestKdc;
let lab: RunningLab;
let dir: string;
let inventory: string;
let ca: string;
/** Tickets the lab's acceptor has examined (one per authenticated connection). */
let acceptances = 0;
/** A private ticket cache left by a run that was killed (its process is gone). */
let staleCache: string;

function settings(over: Partial<WinrmConnectSettings> = {}): WinrmConnectSettings {
  return {
    scheme: 'https',
    port: 5986,
    auth: 'kerberos',
    user: `svc-cortex@${REALM}`,
    password: PASSWORD,
    allowUnencrypted: false,
    tls: { ca, serverName: null, insecure: false },
    operationTimeoutSec: 5,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 20_000,
    ...over,
  };
}

async function hostname(session: WinrmSession): Promise<string> {
  const p = await session.spawn({ command: 'hostname', args: [] });
  let out = '';
  p.on('stdout', (c) => (out += c.toString()));
  const status = await p.exit;
  expect(status.exitCode).toBe(0);
  return out.trim();
}

async function refusal(over: Partial<WinrmConnectSettings>, host = web01): Promise<KerberosError> {
  const e = await openWinrmSession(host, settings(over)).then(
    async (s) => {
      await s.close();
      throw new Error('the session opened');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KerberosError);
  return e as KerberosError;
}

beforeAll(async () => {
  const dead = spawnSync('true').pid;
  staleCache = join(tmpdir(), `cortex-krb5cc-${dead}-stale`);
  mkdirSync(staleCache, { mode: 0o700 });
  writeFileSync(join(staleCache, 'tkt'), 'tickets of a killed run');
  kdc = await startKdc(REALM);
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  await kdc.addUser('svc-cortex', PASSWORD);
  await kdc.addUser('outsider', PASSWORD);
  await kdc.addService('HTTP/web01.cortex.test');
  await kdc.addService('HTTP/web02.cortex.test');

  dir = mkdtempSync(join(tmpdir(), 'cortex-kerberos-'));
  inventory = join(dir, 'site.yaml');
  writeFileSync(
    inventory,
    `all:
  vars:
    transport: winrm
    winrm: { scheme: https, port: 5986, auth: kerberos, user: svc-cortex@${REALM}, password: env:CORTEX_KRB_TEST_PW, tls: { ca: file:lab-state/tls/cert.pem } }
    installPath: 'C:\\Program Files\\Cortex'
  children:
    web:
      hosts:
        ${web01.name}: { address: ${web01.address}, webApps: [gateway] }
        ${web02.name}: { address: ${web02.address}, webApps: [gateway], lab: { clockSkewSec: 3600 } }
`,
  );
  const { hosts } = await labHostsFromInventory(await loadInventory(inventory));
  // Two extra accounts: one the KDC does not know (Negotiate falls back to NTLM for it), one for basic checks.
  const users = [...hosts[0]!.users, { user: 'ntlm-only', domain: REALM, password: PASSWORD }];
  lab = await startLab({
    hosts: hosts.map((h) => ({ ...h, users, http: true })),
    stateDir: join(dir, 'lab-state'),
    kerberos: { keytab: kdc.keytab, realm: REALM },
  });
  ca = readFileSync(lab.status().certPath, 'utf8');
  const gss = loadGss();
  const accept = gss.initializeServer.bind(gss);
  gss.initializeServer = (service: string) => {
    acceptances++;
    return accept(service);
  };
});

afterAll(async () => {
  await lab?.stop();
  await kdc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Kerberos over HTTPS against the lab, with a real KDC', () => {
  it('preflight from an inventory with auth: kerberos reaches the host and runs its probes', async () => {
    const stdout = sink(120);
    const stderr = sink(120);
    await runPreflightCommand({ inventory, forks: 2, json: true, timeout: 60, limit: web01.name }, { stdout, stderr, color: false, runDir: null });
    const json = JSON.parse(stdout.text()) as PreflightJson;
    const host = json.hosts.find((h) => h.name === web01.name)!;
    expect([host.reachable, stderr.text()]).toEqual([true, expect.not.stringContaining('Kerberos')]);
    expect(host.checks.find((c) => c.id === 'os.version')?.status).toBe('pass');
    // Its password login made this process's private cache, clearing the one a killed run left.
    expect(existsSync(staleCache)).toBe(false);
  });

  it('exec from the same inventory runs the command over Kerberos; the run log says which auth was used', async () => {
    const stdout = sink(120);
    const runDir = join(dir, 'run-exec');
    const code = await runExecCommand(
      { inventory, limit: web01.name, forks: 1, oneshot: true, timeout: 60, json: true, script: ['hostname'] },
      { stdout, stderr: sink(120), color: false, runDir },
    );
    const doc = JSON.parse(stdout.text()) as ExecDocument;
    expect(doc.hosts.map((h) => [h.name, h.status, h.exitCode])).toEqual([[web01.name, 'ok', 0]]);
    expect(code).toBe(0);
    const log = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log).toContainEqual(expect.objectContaining({ host: web01.name, auth: 'kerberos', configured: 'kerberos', msg: 'authenticated with kerberos' }));
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
  });

  it('a password login: one ticket per connection, the connection stays authenticated, mutual auth verified', async () => {
    const before = acceptances;
    const t0 = performance.now();
    const s = await openWinrmSession(web01, settings());
    const connectMs = performance.now() - t0;
    try {
      expect(s.authUsed).toEqual({ scheme: 'kerberos', note: null });
      expect(await hostname(s)).toBe(web01.name);
      expect(await hostname(s)).toBe(web01.name);
      // Many requests (shell, commands, receives, signals) but the ticket went once: HTTP.sys-style state.
      expect(s.channel.requests).toBeGreaterThan(6);
      expect(acceptances - before).toBe(1);
      expect(s.channel.connects).toBe(1);
    } finally {
      await s.close();
    }
    console.log(`kerberos connect (kinit cached, TGS + AP exchange + shell): ${connectMs.toFixed(0)} ms`);
  });

  it("the operator's own tickets (no password): used from KRB5CCNAME", async () => {
    const cc = `FILE:${join(dir, 'ccache-ambient')}`;
    await kdc.kinit(`svc-cortex@${REALM}`, PASSWORD, cc);
    const saved = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = cc;
    try {
      const s = await openWinrmSession(web01, settings({ password: '', user: '' }));
      expect(await hostname(s)).toBe(web01.name);
      await s.close();
    } finally {
      if (saved === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = saved;
    }
  });

  it('an expired ticket is named as such, with what to do', async () => {
    const cc = `FILE:${join(dir, 'ccache-short')}`;
    await kdc.kinit(`svc-cortex@${REALM}`, PASSWORD, cc, '2s');
    await new Promise((r) => setTimeout(r, 3000));
    const saved = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = cc;
    try {
      const e = await refusal({ password: '', user: '' });
      expect(e.failure).toBe('expired');
      expect(e.message).toMatch(/Kerberos ticket .* has expired/);
      expect(e.message).toContain('kinit');
    } finally {
      if (saved === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = saved;
    }
  });

  it('a wrong password: refused by the KDC, and the password never shows', async () => {
    const e = await refusal({ user: `outsider@${REALM}`, password: 'not-the-password' });
    expect(e.failure).toBe('wrong-password');
    expect(e.message).toContain(`Kerberos login as outsider@${REALM} failed: the KDC refused the password`);
    expect(e.message).not.toContain('not-the-password');
  });

  it('a wrong password is sent to the KDC once per run, however many hosts use it (no account lockout)', async () => {
    const failures = () => (readFileSync(join(kdc.dir, 'kdc.log'), 'utf8').match(/PREAUTH_FAILED: outsider@/g) ?? []).length;
    const before = failures();
    const errors: KerberosError[] = [];
    // One after the other: a failed login is remembered, not only shared while it is in flight.
    for (const h of [web01, web01, web02]) errors.push(await refusal({ user: `outsider@${REALM}`, password: 'another-wrong-one' }, h));
    expect(errors.map((e) => e.failure)).toEqual(['wrong-password', 'wrong-password', 'wrong-password']);
    expect(failures() - before).toBe(1);
  });

  it('an unknown principal', async () => {
    const e = await refusal({ user: `nobody@${REALM}` });
    expect(e.failure).toBe('unknown-principal');
    expect(e.message).toContain(`the KDC does not know the principal nobody@${REALM}`);
  });

  it('a wrong SPN the KDC does not have', async () => {
    const e = await refusal({ spn: 'HTTP/nope.cortex.test' });
    expect(e.failure).toBe('wrong-spn');
    expect(e.message).toContain('the KDC has no service principal HTTP/nope.cortex.test');
    expect(e.message).toContain('winrm.spn');
  });

  it("a wrong SPN that is another host's: the host cannot read the ticket (KRB-ERROR from the host)", async () => {
    const e = await refusal({ spn: 'HTTP/web02.cortex.test' });
    expect(e.failure).toBe('wrong-spn');
    expect(e.message).toContain('the host cannot read the ticket for HTTP/web02.cortex.test (KRB_AP_ERR_MODIFIED)');
  });

  it("clock skew: the host's clock is an hour ahead; the error shows by how much", async () => {
    const e = await refusal({}, web02);
    expect(e.failure).toBe('clock-skew');
    expect(e.message).toMatch(/clock skew too great \(KRB_AP_ERR_SKEW\); its clock reads .* which is 36\d\d s ahead of this machine's/);
    expect(e.message).toContain('w32tm /resync');
  });

  it('a principal the KDC knows but the host does not admit: refused by the host', async () => {
    const e = await refusal({ user: `outsider@${REALM}` });
    expect(e.failure).toBe('refused');
    expect(e.message).toContain(`the host refused the Kerberos ticket of outsider@${REALM} for HTTP/web01.cortex.test`);
  });

  it("the lab answers a ticket on its plain-HTTP listener with 501 'not emulated', never a believable 401", async () => {
    const cc = `FILE:${join(dir, 'ccache-http')}`;
    await kdc.kinit(`svc-cortex@${REALM}`, PASSWORD, cc);
    const saved = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = cc;
    let token: string;
    try {
      const gss = loadGss();
      const client = await gss.initializeClient(`HTTP@${web01.name}`, { mechOID: gss.GSS_MECH_OID_SPNEGO });
      token = await client.step('');
    } finally {
      if (saved === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = saved;
    }
    const res = await fetch(`http://${web01.address}:5985/wsman`, { method: 'POST', headers: { Authorization: `Negotiate ${token}`, 'Content-Type': 'application/soap+xml;charset=UTF-8' }, body: '' });
    expect(res.status).toBe(501);
    expect(await res.text()).toBe('Kerberos over plain HTTP (Kerberos message encryption) is not emulated by the lab: use HTTPS.');
  });

  it('auth: kerberos over plain HTTP is refused before connecting, pointing to HTTPS', async () => {
    const e = await openWinrmSession(web01, settings({ scheme: 'http', port: 5985 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/Kerberos over plain HTTP .* use scheme: https/i);
  });
});

describe('auth: negotiate', () => {
  it('uses Kerberos when a ticket can be had', async () => {
    const s = await openWinrmSession(web01, settings({ auth: 'negotiate' }));
    expect(s.authUsed).toEqual({ scheme: 'kerberos', note: null });
    expect(await hostname(s)).toBe(web01.name);
    await s.close();
  });

  it('falls back to NTLM for an account the KDC does not know, and says why', async () => {
    const t0 = performance.now();
    const s = await openWinrmSession(web01, settings({ auth: 'negotiate', user: `ntlm-only@${REALM}` }));
    const ms = performance.now() - t0;
    expect(s.authUsed?.scheme).toBe('ntlm');
    expect(s.authUsed?.note).toContain(`Kerberos was not possible: Kerberos login failed: the KDC does not know the principal ntlm-only@${REALM}`);
    expect(await hostname(s)).toBe(web01.name);
    await s.close();
    console.log(`negotiate → NTLM fallback connect: ${ms.toFixed(0)} ms`);
  });

  it('when NTLM then fails too, the error says why Kerberos was not used', async () => {
    const e = await openWinrmSession(web01, settings({ auth: 'negotiate', user: `stranger@${REALM}` })).catch((x: unknown) => x);
    expect((e as Error).message).toContain(`authentication refused by ${web01.name} (ntlm) for user stranger@${REALM}`);
    expect((e as Error).message).toContain(`(auth: negotiate used NTLM because kerberos was not possible: Kerberos login failed: the KDC does not know the principal stranger@${REALM})`);
  });

  it('does not fall back when the KDC refuses the password', async () => {
    const e = await refusal({ auth: 'negotiate', user: `outsider@${REALM}`, password: 'not-the-password' });
    expect(e.failure).toBe('wrong-password');
  });

  it('over plain HTTP uses NTLM (sealed), saying Kerberos needs HTTPS', async () => {
    const s = await openWinrmSession(web01, settings({ auth: 'negotiate', scheme: 'http', port: 5985 }));
    expect(s.authUsed).toEqual({ scheme: 'ntlm', note: 'Kerberos over plain HTTP is not supported (use https for Kerberos)' });
    expect(await hostname(s)).toBe(web01.name);
    await s.close();
  });
});

describe('pywinrm (python3-winrm + requests-kerberos) against the lab', () => {
  async function pywinrm(ccache: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...kdc.env, KRB5CCNAME: ccache };
    delete env.REQUESTS_CA_BUNDLE;
    delete env.CURL_CA_BUNDLE;
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, ca);
    const script = resolve(import.meta.dirname, 'pywinrm_auth.py');
    return run('/usr/bin/python3', [script, `https://${web01.address}:5986/wsman`, caPath, 'kerberos', web01.name], { env, timeout: 60_000 }).then(
      (r) => ({ code: 0, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) }),
      (e: { code: number; stdout: string }) => ({ code: e.code, lines: e.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }),
    );
  }

  it('runs hostname and echo with a ticket from the test KDC', async () => {
    const cc = `FILE:${join(dir, 'ccache-pywinrm')}`;
    await kdc.kinit(`svc-cortex@${REALM}`, PASSWORD, cc);
    const before = acceptances;
    const r = await pywinrm(cc);
    // requests-kerberos authenticates once and then sends no header: the lab must keep the connection
    // authenticated (HTTP.sys does), or it would answer 401 and see a second ticket.
    expect(acceptances - before).toBe(1);
    expect(r.lines).toEqual([
      { cmd: 'hostname', args: [], stdout: `${web01.name}\r\n`, stderr: '', code: 0 },
      { cmd: 'echo', args: ['hello'], stdout: 'hello\r\n', stderr: '', code: 0 },
    ]);
  });

  it('is refused (401) with the ticket of a principal the host does not admit', async () => {
    const cc = `FILE:${join(dir, 'ccache-pywinrm-outsider')}`;
    await kdc.kinit(`outsider@${REALM}`, PASSWORD, cc);
    const r = await pywinrm(cc);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatchObject({ error: 'InvalidCredentialsError' });
  });
});

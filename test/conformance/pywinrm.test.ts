/**
 * An independent client against the lab's WinRM server: Debian's python3-winrm (pywinrm 0.3.0) runs
 * `run_cmd('hostname')` and `run_cmd('echo', ['hello'])` with NTLM over plain HTTP (message
 * encryption on) and with Basic over HTTPS (the lab certificate as its CA).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../src/lab/winrm/index.js';
import { testDispatcher } from '../lab/winrm/test-dispatcher.js';
import { startProxy, type Proxy } from '../transport/winrm/proxy.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const run = promisify(execFile);
const here = import.meta.dirname;
const script = join(here, 'pywinrm_client.py');
const opensslConf = resolve(here, '../fixtures/openssl-legacy.cnf');

// .1: the lab host pywinrm talks to; .2: a recording proxy in front of its HTTP listener.
const host = { name: 'pyhost16', address: net.addr(1) };
const account = { user: 'pyadmin', domain: 'LAB', password: 'Py-Pa55w0rd!' };
let lab: WinrmLab;
let dir: string;
let caPath: string;
let spy: Proxy;
const counts = { shells: 0 };

beforeAll(async () => {
  const tls = makeSelfSignedCert([host.address, host.name]);
  dir = mkdtempSync(join(tmpdir(), 'pywinrm-'));
  caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, tls.cert);
  lab = await startWinrmLab({
    hosts: [{ ref: host, users: [account], http: true, https: true }],
    dispatcher: testDispatcher(),
    tls,
    // Strict: NTLM over HTTPS without a (correct) channel binding is refused.
    cbtHardening: 'strict',
    hooks: { onShellCreated: () => void counts.shells++ },
  });
  spy = await startProxy({ address: net.addr(2), port: 5985 }, { address: host.address, port: 5985 });
});
afterAll(async () => {
  await spy?.close();
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function pywinrm(url: string, transport: string, user: string, ca?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENSSL_CONF: opensslConf, PYWINRM_PASSWORD: account.password };
  // requests would otherwise trust only this bundle and ignore ca_trust_path.
  delete env.REQUESTS_CA_BUNDLE;
  delete env.CURL_CA_BUNDLE;
  const args = [script, url, transport, user, 'env:PYWINRM_PASSWORD', ...(ca ? [ca] : [])];
  const { stdout } = await run('/usr/bin/python3', args, { env, timeout: 60_000 });
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { cmd: string; stdout: string; stderr: string; code: number });
}

describe('pywinrm (python3-winrm 0.3.0) against the lab', () => {
  it('NTLM over plain HTTP with message encryption: hostname and echo, sealed on the wire', async () => {
    const shells = counts.shells;
    const r = await pywinrm(`http://${net.addr(2)}:5985/wsman`, 'ntlm', `${account.domain}\\${account.user}`);
    expect(r).toEqual([
      { cmd: 'hostname', args: [], stdout: `${host.name}\r\n`, stderr: '', code: 0 },
      { cmd: 'echo', args: ['hello'], stdout: 'hello\r\n', stderr: '', code: 0 },
    ]);
    // run_cmd opens and deletes a shell per call.
    expect(counts.shells).toBe(shells + 2);
    // The lab granted SEAL, so pywinrm really encrypted (winrm.md §9: sign-only would leave the SOAP readable).
    const up = Buffer.concat(spy.toServer).toString('latin1');
    const down = Buffer.concat(spy.toClient).toString('latin1');
    expect(up).toContain('multipart/encrypted');
    expect(down).toContain('multipart/encrypted');
    for (const clear of ['Envelope', 'hostname', 'ReceiveResponse', Buffer.from(`${host.name}\r\n`).toString('base64')]) {
      expect(up).not.toContain(clear);
      expect(down).not.toContain(clear);
    }
  });

  it('Basic over HTTPS with the lab certificate as CA: hostname and echo', async () => {
    const r = await pywinrm(`https://${host.address}:5986/wsman`, 'basic', account.user, caPath);
    expect(r.map((x) => [x.stdout, x.code])).toEqual([
      [`${host.name}\r\n`, 0],
      ['hello\r\n', 0],
    ]);
  });

  it('NTLM over HTTPS: the channel binding of requests-ntlm matches what the lab (CbtHardeningLevel Strict) expects', async () => {
    const r = await pywinrm(`https://${host.address}:5986/wsman`, 'ntlm', `${account.domain}\\${account.user}`, caPath);
    expect(r.map((x) => [x.stdout, x.code])).toEqual([
      [`${host.name}\r\n`, 0],
      ['hello\r\n', 0],
    ]);
  });

  it('a wrong password is refused (pywinrm raises InvalidCredentialsError)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENSSL_CONF: opensslConf, PYWINRM_PASSWORD: 'wrong' };
    delete env.REQUESTS_CA_BUNDLE;
    const err = await run('/usr/bin/python3', [script, `http://${host.address}:5985/wsman`, 'ntlm', 'LAB\\pyadmin', 'env:PYWINRM_PASSWORD'], {
      env,
      timeout: 60_000,
    }).catch((e: { stderr?: string }) => e);
    expect(String((err as { stderr?: string }).stderr)).toMatch(/InvalidCredentialsError|401/);
  });
});

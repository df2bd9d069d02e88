/**
 * An independent peer against the whole lab: Debian's Ansible (ansible-core 2.14, its winrm connection
 * over python3-winrm, NTLM with message encryption over plain HTTP) runs `raw` tasks. Ansible wraps a
 * raw command as `PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand
 * <UTF-16LE base64>`; the lab runs that text for real in pwsh with the Windows shim loaded for the
 * host's state, so `echo marker` returns `marker`, exit codes and errors are PowerShell's, and nothing
 * is answered as if it had run when it did not. pywinrm's run_ps, which sends the same shape with the
 * switches as separate arguments, is checked against the same lab. Needs ansible (scripts/setup.sh) and pwsh.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLab } from '../../src/lab/lab.js';
import { startTestLab, USER } from '../lab/helpers.js';
import { pwshForTests } from '../helpers/pwsh.js';

const run = promisify(execFile);
const ANSIBLE = '/usr/bin/ansible';
const opensslConf = resolve(import.meta.dirname, '../fixtures/openssl-legacy.cnf');
const pwsh = pwshForTests('test/conformance/ansible-raw.test.ts');
if (!existsSync(ANSIBLE)) {
  const why = 'test/conformance/ansible-raw.test.ts needs Debian\'s ansible-core (scripts/setup.sh installs it)';
  if (process.env.CI === 'true') throw new Error(`${why}: missing under CI=true`);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
}

// 127.0.17.x: this file's addresses; a port of its own so a lab the user runs on 5985 is not in the way.
const HTTP_PORT = 25985;
const hosts = [
  { name: 'ans-web1', address: '127.0.17.1', lab: { preset: 'ws2019', powershellStartMs: 50 } },
  { name: 'ans-db1', address: '127.0.17.2', lab: { preset: 'sql-express', computerName: 'DB-EXPRESS', powershellStartMs: 50 } },
];
let lab: RunningLab;
let dir: string;
let inventory: string;

interface HostResult {
  rc?: number;
  stdout?: string;
  stderr?: string;
  failed?: boolean;
  unreachable?: boolean;
  msg?: string;
}

let calls = 0;

/** `ansible all -m raw -a COMMAND`; each host's result as the tree callback writes it (JSON per host). */
async function raw(command: string): Promise<Record<string, HostResult>> {
  const tree = join(dir, `tree-${++calls}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    OPENSSL_CONF: opensslConf,
    ANS_LAB_PASSWORD: USER.password,
    // Ansible runs as Debian's python3 (not pyenv's), which has python3-winrm.
    PATH: `/usr/bin:${process.env.PATH ?? ''}`,
  };
  const r = await run('/usr/bin/python3', [ANSIBLE, 'all', '-i', inventory, '-m', 'raw', '-a', command, '--tree', tree], { env, timeout: 120_000 }).catch(
    (e: { stdout?: string; stderr?: string }) => e,
  );
  const out: Record<string, HostResult> = {};
  for (const h of hosts) {
    const file = join(tree, h.name);
    if (!existsSync(file)) throw new Error(`ansible wrote no result for ${h.name}.\nstdout: ${String(r.stdout ?? '').slice(0, 2000)}\nstderr: ${String(r.stderr ?? '').slice(0, 2000)}`);
    out[h.name] = JSON.parse(readFileSync(file, 'utf8')) as HostResult;
  }
  return out;
}

describe.skipIf(!pwsh || !existsSync(ANSIBLE))('Ansible (ansible-core 2.14, winrm connection) raw tasks against the lab', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ansible-raw-'));
    lab = await startTestLab(hosts, { httpPort: HTTP_PORT, httpsPort: HTTP_PORT + 1, noSsh: true });
    inventory = join(dir, 'inventory.yml');
    writeFileSync(
      inventory,
      [
        'all:',
        '  vars:',
        '    ansible_connection: winrm',
        `    ansible_port: ${HTTP_PORT}`,
        '    ansible_winrm_scheme: http',
        '    ansible_winrm_transport: ntlm',
        '    ansible_winrm_message_encryption: always',
        `    ansible_user: '${USER.domain}\\${USER.user}'`,
        "    ansible_password: \"{{ lookup('env', 'ANS_LAB_PASSWORD') }}\"",
        '  hosts:',
        ...hosts.map((h) => `    ${h.name}: { ansible_host: ${h.address} }`),
        '',
      ].join('\n'),
    );
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raw: echo marker returns the marker, rc 0, on every host', async () => {
    const r = await raw('echo marker');
    for (const h of hosts) expect(r[h.name], h.name).toMatchObject({ rc: 0, stdout: 'marker\r\n', stderr: '' });
  }, 180_000);

  it("raw: PowerShell answers from each host's own state", async () => {
    const r = await raw("$env:COMPUTERNAME; (Get-CimInstance Win32_OperatingSystem).Caption; (Get-Service -Name 'MSSQL*').Name");
    expect(r['ans-web1']).toMatchObject({ rc: 0, stdout: 'ANS-WEB1\r\nMicrosoft Windows Server 2019 Datacenter\r\nMSSQLSERVER\r\n' });
    expect(r['ans-db1']).toMatchObject({ rc: 0, stdout: 'DB-EXPRESS\r\nMicrosoft Windows Server 2019 Datacenter\r\nMSSQL$SQLEXPRESS\r\n' });
  }, 180_000);

  it("pywinrm's run_ps (the same powershell -encodedcommand wire shape) runs for real too", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENSSL_CONF: opensslConf, PYWINRM_PASSWORD: USER.password, PYWINRM_PS: 'Get-Service WinRM | ForEach-Object { $_.Status.ToString() }; exit 4' };
    delete env.REQUESTS_CA_BUNDLE;
    delete env.CURL_CA_BUNDLE;
    const script = join(import.meta.dirname, 'pywinrm_client.py');
    const { stdout } = await run('/usr/bin/python3', [script, `http://${hosts[0]!.address}:${HTTP_PORT}/wsman`, 'ntlm', `${USER.domain}\\${USER.user}`, 'env:PYWINRM_PASSWORD'], { env, timeout: 60_000 });
    const r = JSON.parse(stdout.trim()) as { stdout: string; stderr: string; code: number };
    // No error stream here: pywinrm 0.3.0's run_ps fails in its own CLIXML cleaning on Python 3 (bytes vs str).
    expect(r).toMatchObject({ stdout: 'Running\r\n', stderr: '', code: 4 });
  }, 120_000);

  it('raw: an exit code and an unknown command fail the task, never a made-up rc 0', async () => {
    const exit = await raw("Write-Output 'partial'; exit 3");
    expect(exit['ans-web1']).toMatchObject({ rc: 3, stdout: 'partial\r\n' });
    const unknown = await raw('Get-Frobnicator');
    expect(unknown['ans-web1']).toMatchObject({ rc: 1 });
    expect(unknown['ans-web1']!.stderr).toMatch(/The term 'Get-Frobnicator' is not recognized as the name of a cmdlet/);
  }, 180_000);
});

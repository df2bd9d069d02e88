/**
 * `cortex-deploy exec` over in-process sessions to the lab's powershell.exe emulation (no network):
 * output prefixed by host, an exit line per host, a summary line, exit codes per design.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { execCommand, runExecCommand, type ExecArgs, type ExecDocument } from '../../src/cli/commands/exec.js';
import { AuthError, UnreachableError } from '../../src/errors.js';
import type { HostConfig } from '../../src/inventory/types.js';
import { createMinimalExecutor, createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { makeSelfSignedCert, startWinrmLab } from '../../src/lab/winrm/index.js';
import { FakeSession } from '../fakes/fake-session.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const { dir, inventory } = tempInventory(
  'cortex-exec-',
  `all:
  vars:
    transport: winrm
    winrm: { scheme: https, port: 5986, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_EXEC_TEST_PW }
  children:
    app:
      hosts:
        app1: { address: 127.0.40.11 }
        app2: { address: 127.0.40.12 }
        app3: { address: 127.0.40.13, winrm: { tls: { insecure: true } } }
    db:
      hosts:
        db1: { address: 127.0.40.14 }
`,
);

function sink() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

const dispatcher = createPowerShellDispatcher(createMinimalExecutor());

function io(fail: Record<string, Error> = {}) {
  const spawned: FakeSession[] = [];
  return {
    stdout: sink(),
    stderr: sink(),
    color: false,
    runDir: null,
    spawned,
    connect: async (h: HostConfig) => {
      const err = fail[h.name];
      if (err) throw err;
      const s = new FakeSession({ name: h.name, address: h.address }, dispatcher);
      spawned.push(s);
      return s;
    },
  };
}

const args = (script: string, extra: Partial<ExecArgs> = {}): ExecArgs => ({ inventory, forks: 2, oneshot: false, timeout: 30, json: false, script: [script], ...extra });

describe('cortex-deploy exec', () => {
  it('prefixes every output line with the host, prints an exit line per host and a summary; exit 0', async () => {
    const o = io();
    const code = await runExecCommand(args('hostname; Write-Output "two words"', { limit: 'app1,db1' }), o);
    expect(code).toBe(0);
    const lines = o.stdout.text.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['app1 | app1', 'app1 | two words', 'db1  | db1', 'db1  | two words', expect.stringMatching(/^app1 \| ok, exit code 0 \(\d+\.\d s\)$/)]),
    );
    expect(lines.at(-1)).toBe('exec: 2 hosts: 2 ok, 0 failed, 0 unreachable');
    for (const s of o.spawned) {
      expect(s.closed).toBe(true);
      expect(s.powershellStarts).toBe(1);
    }
  });

  it('a failing command on a host: its exit code and error shown, exit 1', async () => {
    const o = io();
    const code = await runExecCommand(args("Get-Frobnicator; exit 3", { limit: 'app1' }), o);
    expect(code).toBe(1);
    expect(o.stdout.text).toContain("app1 | The term 'Get-Frobnicator' is not recognized as the name of a cmdlet");
    expect(o.stdout.text).toMatch(/app1 \| failed, exit code 3/);
    expect(o.stdout.text).toContain('exec: 1 host: 0 ok, 1 failed, 0 unreachable');
  });

  it('an unreachable host or a refused login: exit 2, the other hosts still run', async () => {
    const o = io({
      app2: new UnreachableError('connection refused (127.0.40.12:5986)', { host: 'app2' }),
      db1: new AuthError('authentication refused by db1 (ntlm)', { host: 'db1' }),
    });
    const code = await runExecCommand(args('hostname', { limit: 'app1,app2,db1' }), o);
    expect(code).toBe(2);
    expect(o.stdout.text).toContain('app1 | app1');
    expect(o.stdout.text).toContain('app2 | unreachable: host app2: connection refused (127.0.40.12:5986)');
    expect(o.stdout.text).toContain('db1  | unreachable: host db1: authentication refused by db1 (ntlm)');
    expect(o.stdout.text).toContain('exec: 3 hosts: 1 ok, 0 failed, 2 unreachable');
  });

  it('--json prints one document and nothing else on stdout', async () => {
    const o = io();
    const code = await runExecCommand(args("Write-Warning 'careful'; hostname", { json: true, limit: 'app', oneshot: true }), o);
    expect(code).toBe(0);
    const doc = JSON.parse(o.stdout.text) as ExecDocument;
    expect(doc.summary).toEqual({ hosts: 3, ok: 3, failed: 0, unreachable: 0, exitCode: 0 });
    expect(doc.hosts.map((h) => [h.name, h.status, h.exitCode, h.output, h.warnings])).toEqual([
      ['app1', 'ok', 0, ['app1'], ['careful']],
      ['app2', 'ok', 0, ['app2'], ['careful']],
      ['app3', 'ok', 0, ['app3'], ['careful']],
    ]);
  });

  it('warns loudly for a host that skips TLS verification', async () => {
    const o = io();
    await runExecCommand(args('hostname', { limit: 'app' }), o);
    expect(o.stderr.text).toMatch(/WARNING: app3: TLS certificate verification is OFF \(winrm.tls.insecure: true\)/);
    expect(o.stderr.text).not.toMatch(/app1|app2/);
  });

  it('refuses an empty command and a bad --forks with input errors (exit 3)', async () => {
    await expect(runExecCommand(args('  '), io())).rejects.toMatchObject({ kind: 'input' });
    await expect(runExecCommand(args('hostname', { forks: 0 }), io())).rejects.toThrow(/--forks must be a whole number/);
    await expect(runExecCommand(args('hostname', { limit: 'nope' }), io())).rejects.toThrow(/'nope' matches no host/);
  });

  it('--help shows the usage with examples and exit codes', async () => {
    const help = await new Promise<string>((resolve) => {
      void yargs(['exec', '--help'])
        .command(execCommand)
        .scriptName('cortex-deploy')
        .wrap(null)
        .exitProcess(false)
        .help()
        .parse(['exec', '--help'], {}, (_err, _argv, output) => resolve(output));
    });
    expect(help).toContain("exec -i site.yaml --limit app1 -- 'Get-Service RabbitMQ'");
    expect(help).toMatch(/2 a host unreachable or login refused/);
    expect(help).toContain('--oneshot');
  });

  it('end to end: real sessions from the inventory (NTLM sealed over HTTP) to lab hosts', async () => {
    const hosts = [
      { name: 'web1', address: net.addr(51) },
      { name: 'web2', address: net.addr(52) },
    ];
    const lab = await startWinrmLab({
      hosts: hosts.map((ref) => ({ ref, users: [{ user: 'cortex', domain: 'LAB', password: 'Exec-E2e-Pw!' }], http: true, https: false })),
      dispatcher,
      tls: makeSelfSignedCert(hosts.map((h) => h.address)),
    });
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      `all:
  vars:
    transport: winrm
    winrm: { scheme: http, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_EXEC_E2E_PW }
  children:
    web:
      hosts:
${hosts.map((h) => `        ${h.name}: { address: ${h.address} }`).join('\n')}
`,
    );
    process.env.CORTEX_EXEC_E2E_PW = 'Exec-E2e-Pw!';
    try {
      const out = sink();
      const code = await runExecCommand(
        { inventory: file, forks: 2, oneshot: false, timeout: 30, json: false, script: ['$env:COMPUTERNAME;', 'exit 0'] },
        { stdout: out, stderr: sink(), color: false, runDir: null },
      );
      expect(out.text).toContain('web1 | WEB1');
      expect(out.text).toContain('web2 | WEB2');
      expect(out.text).toContain('exec: 2 hosts: 2 ok, 0 failed, 0 unreachable');
      expect(code).toBe(0);
      expect(lab.counters('web1').commands).toBe(1);
    } finally {
      delete process.env.CORTEX_EXEC_E2E_PW;
      await lab.close();
    }
  });
});

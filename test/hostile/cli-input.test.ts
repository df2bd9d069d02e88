/**
 * Defects 6, 7, 10, 11, 12 (issue 14): invalid flags ended in exit 4 with a stack trace, and the
 * report path was checked only after every host was probed; `--limit ''` selected every host;
 * addresses were not validated; a closed stdout crashed the CLI with EPIPE; tls.insecure was on
 * stderr only.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { InputError } from '../../src/errors.js';
import { selectHosts } from '../../src/cli/limit.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { runExecCommand, type ExecDocument } from '../../src/cli/commands/exec.js';
import { checkInventoryFile } from '../../src/inventory/check.js';
import { loadInventory } from '../../src/inventory/index.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { createMinimalExecutor, createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { FakeSession } from '../fakes/fake-session.js';
import { fakeConnect } from '../preflight/fake-hosts.js';
import { sink } from '../helpers/sink.js';
import { CLI, runCliSync } from '../helpers/cli.js';

const { dir, inventory } = tempInventory(
  'cortex-cli-input-',
  `all:
  vars:
    winrm: { user: 'LAB\\cortex', password: env:CORTEX_CLI_INPUT_PW }
  children:
    app:
      hosts:
        app1: { address: 127.0.0.1, port: 1 }
        app2: { address: 127.0.0.2, port: 1, winrm: { scheme: https, tls: { insecure: true } } }
`,
);
process.env.CORTEX_CLI_INPUT_PW = 'CliInput!2026';

function cli(args: string[]) {
  return runCliSync(args, { cwd: dir });
}

describe('--limit', () => {
  it("'app[1' is invalid input, not a crash", async () => {
    const inv = await loadInventory(inventory);
    expect(() => selectHosts(inv, 'app[1')).toThrow(InputError);
    const r = cli(['exec', '-i', inventory, '--limit', 'app[1', '--', 'hostname']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/--limit/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("'' and blanks are an error, not every host", async () => {
    const inv = await loadInventory(inventory);
    for (const p of ['', '  ', ',']) expect(() => selectHosts(inv, p)).toThrow(/--limit is empty/);
    expect(selectHosts(inv, undefined)).toHaveLength(2);
    const r = cli(['preflight', '-i', inventory, '--limit', '']);
    expect(r.status).toBe(3);
  });
});

describe('report paths are checked before any host is probed', () => {
  it('--report-html naming a folder: exit 3, no host contacted', async () => {
    const { connect, stats } = fakeConnect();
    const folder = join(dir, 'reports');
    mkdirSync(folder, { recursive: true });
    for (const flag of ['reportHtml', 'reportJson', 'reportJunit'] as const) {
      const err = await runPreflightCommand({ inventory, forks: 5, json: true, timeout: 5, [flag]: folder }, { stdout: sink(), stderr: sink(), color: false, runDir: null, connect }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/is a folder/);
    }
    expect(stats.calls).toEqual([]);
    const r = cli(['preflight', '-i', inventory, '--report-html', folder]);
    expect(r.status).toBe(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('addresses', () => {
  it('bad IPv4, a port, a space, an option: invalid at file:line with a hint; good ones pass', async () => {
    const bad = ['999.1.2.3', 'host:5985', 'a b', '-oProxyCommand=x', 'app..corp', `${'a'.repeat(64)}.corp`, '1.2.3'];
    const good = ['127.0.0.1', '::1', 'fe80::1', 'app1.corp.example.com', 'APP-1', 'db_1.corp', 'app1.'];
    const text = ['all:', '  children:', '    app:', '      hosts:', ...[...bad, ...good].map((a, i) => `        h${i}: { address: '${a}' }`)].join('\n');
    const file = join(dir, 'addresses.yaml');
    writeFileSync(file, `${text}\n`);
    const doc = await checkInventoryFile(file);
    const messages = doc.findings.filter((f) => f.severity === 'error').map((f) => f.message);
    for (const [i, a] of bad.entries()) {
      const m = messages.find((x) => x.includes(`'${a}'`));
      expect(m, a).toBeDefined();
      expect(m).toContain(`addresses.yaml:${i + 5}:`);
      expect(m).toMatch(/IPv4, IPv6 or DNS name/);
    }
    for (const a of good) expect(messages.some((x) => x.includes(`'${a}'`)), a).toBe(false);
  });

  it('a jump host address is checked too', async () => {
    const file = join(dir, 'jump.yaml');
    writeFileSync(file, "all:\n  vars:\n    transport: ssh\n    ssh: { user: u, agent: true, jumpHost: { address: '-oProxyCommand=touch /tmp/x' } }\n  children:\n    app:\n      hosts:\n        app1: { address: 127.0.0.1 }\n");
    const doc = await checkInventoryFile(file);
    expect(doc.valid).toBe(false);
    expect(doc.findings.map((f) => f.message).join('\n')).toMatch(/jump\.yaml:4:.*-oProxyCommand/);
  });
});

describe('a closed stdout (… | head -0)', () => {
  it('exits quietly with the run\'s code, no EPIPE stack', async () => {
    const file = resolve('examples/lab/inventory.yaml');
    const child = spawn(process.execPath, [CLI, 'inventory', 'check', '-i', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});

describe('tls.insecure is recorded, not only on stderr', () => {
  it('preflight: JSON, JUnit and HTML reports and the run log', async () => {
    const { connect } = fakeConnect();
    const runDir = join(dir, 'run-preflight');
    const stdout = sink();
    const files = { reportJson: join(dir, 'r.json'), reportJunit: join(dir, 'r.xml'), reportHtml: join(dir, 'r.html') };
    await runPreflightCommand({ inventory, forks: 5, json: true, timeout: 5, ...files }, { stdout, stderr: sink(), color: false, runDir, connect });
    const json = JSON.parse(readFileSync(files.reportJson, 'utf8')) as PreflightJson;
    const reach = (h: string) => json.hosts.find((x) => x.name === h)!.checks.find((c) => c.id === 'host.reachable')!;
    expect(reach('app2')).toMatchObject({ status: 'warn', actual: expect.stringMatching(/TLS certificate verification is OFF/) });
    expect(reach('app1').status).toBe('pass');
    expect(readFileSync(files.reportJunit, 'utf8')).toMatch(/TLS certificate verification is OFF/);
    expect(readFileSync(files.reportHtml, 'utf8')).toMatch(/TLS certificate verification is OFF/);
    const log = readFileSync(join(runDir, 'log.jsonl'), 'utf8');
    expect(log).toMatch(/"host":"app2".*"tlsInsecure":true/);
  });

  it('exec: the JSON document and the run log', async () => {
    const runDir = join(dir, 'run-exec');
    const stdout = sink();
    const dispatcher = createPowerShellDispatcher(createMinimalExecutor());
    await runExecCommand(
      { inventory, forks: 5, json: true, timeout: 30, oneshot: false, script: ['hostname'] },
      { stdout, stderr: sink(), color: false, runDir, connect: async (h) => new FakeSession({ name: h.name, address: h.address }, dispatcher) },
    );
    const doc = JSON.parse(stdout.text()) as ExecDocument;
    expect(doc.hosts.map((h) => [h.name, h.tlsInsecure])).toEqual([
      ['app1', false],
      ['app2', true],
    ]);
    expect(readdirSync(runDir)).toContain('log.jsonl');
    expect(readFileSync(join(runDir, 'log.jsonl'), 'utf8')).toMatch(/"host":"app2".*"tlsInsecure":true/);
  });
});

/**
 * The built CLI as npm builds it (`npm run build`: tsc, then the rolldown bundle, rolldown.config.mjs)
 * reads the package's own files wherever its code ended up: package.json for --version, ps1/ for what it
 * sends to a host, and, spawned as the lab, the lab's PowerShell shim (src/lab/shim/). A bundle that
 * found them from its own location (dist/cli/chunks/) would print `unknown` or fail here, where tests
 * that import src/ would not notice.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryJsonSchemaText } from '../../src/inventory/json-schema.js';
import { labVersions } from '../../src/lab/artifacts/store.js';
import { CLI, cliEnv, runCli } from '../helpers/cli.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { pwshForTests } from '../helpers/pwsh.js';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

describe('the built CLI', () => {
  it('is the file package.json names, and prints the package version', async () => {
    expect(resolve(root, pkg.bin['cortex-deploy']!)).toBe(CLI);
    const r = await runCli(['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('prints the inventory JSON Schema and the lab versions the sources define', async () => {
    const [schema, versions] = await Promise.all([runCli(['inventory', 'schema']), runCli(['lab', 'versions', '--json'])]);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toBe(inventoryJsonSchemaText());
    expect(versions.code).toBe(0);
    expect(JSON.parse(versions.stdout)).toEqual(labVersions());
  });
});

// The lab runs ad-hoc text in pwsh with its Windows shim loaded: the lab process (the built CLI too)
// must find src/lab/shim/, and exec must find ps1/ (the runner's bootstrap and library).
const pwsh = pwshForTests('the built CLI running text in the lab');
const net = await claimLoopbackBlock(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'cortex-built-cli-'));
const env = cliEnv({ CORTEX_LAB_TEST_PASSWORD: 'CortexLab!2026-built', ...(pwsh ? { CORTEX_PWSH: pwsh } : {}) });
const state = join(dir, 'state');
let labStarted = false;
afterAll(async () => {
  if (labStarted) await runCli(['lab', 'down', '--state', state], { env });
});

describe.skipIf(!pwsh)('the built CLI and its lab', () => {
  it('exec runs text on a lab host, which runs it in pwsh with the shim', async () => {
    const inv = join(dir, 'inv.yaml');
    writeFileSync(
      inv,
      [
        'all:',
        '  vars:',
        '    transport: winrm',
        "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\svc-cortex', password: env:CORTEX_LAB_TEST_PASSWORD }",
        '  children:',
        '    app:',
        '      hosts:',
        `        b-app1: { address: ${net.addr(1)}, lab: { powershellStartMs: 0 } }`,
        '',
      ].join('\n'),
    );
    const up = await runCli(['lab', 'up', '-i', inv, '--detach', '--state', state], { env, timeoutMs: 120_000 });
    labStarted = up.code === 0;
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    // The shim's Get-CimInstance answers from the host's view: the lab's host name, not this machine's.
    const r = await runCli(['exec', '-i', inv, '--json', '--', 'Write-Output (6*7); (Get-CimInstance Win32_ComputerSystem).Name'], { env, cwd: dir, timeoutMs: 180_000 });
    expect(r.stderr).toMatch(/^run \S+ \(log: /);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { hosts: Array<{ name: string; status: string; output: string[] }> };
    expect(doc.hosts.map((h) => [h.name, h.status])).toEqual([['b-app1', 'ok']]);
    expect(doc.hosts[0]!.output[0]).toBe('42');
    expect(doc.hosts[0]!.output[1]?.toLowerCase()).toBe('b-app1');
  }, 300_000);
});

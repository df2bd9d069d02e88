/**
 * `cortex-deploy inventory …` as a user runs it: the built CLI in a subprocess. Exit codes, the
 * --json document, --help, and no secret on any output.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const fixture = (name: string) => relative(root, join(root, 'test/fixtures/inventory', name));

function newestTs(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (p.endsWith('.ts')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // Build only when dist/ is older than the sources. Others' unfinished files may not type-check:
  // tsc still emits, and this file only needs the inventory command.
  if (!existsSync(cli) || statSync(cli).mtimeMs < newestTs(join(root, 'src'))) {
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch {
      /* type errors elsewhere; the emitted JS is what we run */
    }
  }
  expect(existsSync(cli)).toBe(true);
}, 120_000);

const SECRET = 'Cli-Secret"Value\\42';

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CORTEX_LAB_PASSWORD: SECRET, CORTEX_TEST_PW: SECRET, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface CheckDoc {
  file: string;
  valid: boolean;
  tier: string | null;
  findings: Array<{ id: string; severity: string; message: string; source: string; hosts: string[]; position?: { file: string; line: number; col: number } }>;
  hosts: Array<{ name: string; address: string; roles: string[]; webApps: string[]; transport: string }>;
}

describe('cortex-deploy inventory check', () => {
  it('the lab example: exit 0, tier, role map, no findings', () => {
    const r = run(['inventory', 'check', '-i', 'examples/lab/inventory.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 hosts, 3 application servers, tier Bronze');
    expect(r.stdout).toMatch(/web1\s+127\.0\.1\.1\s+web\s+gateway\s+winrm/);
    expect(r.stdout).toMatch(/lb1\s+127\.0\.1\.7\s+lb\s+-\s+winrm/);
    expect(r.stdout).toContain('valid: 0 errors, 0 warnings');
    expect(r.stdout + r.stderr).not.toContain('Cli-Secret');
  });

  it('--json prints exactly one JSON document with the documented shape, and no secret', () => {
    const r = run(['inventory', 'check', '-i', 'examples/lab/inventory.yaml', '--json', '-v']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(Object.keys(doc)).toEqual(['file', 'valid', 'tier', 'findings', 'hosts']);
    expect(doc).toMatchObject({ file: 'examples/lab/inventory.yaml', valid: true, tier: 'Bronze', findings: [] });
    expect(doc.hosts[0]).toEqual({ name: 'web1', address: '127.0.1.1', roles: ['web'], webApps: ['gateway'], transport: 'winrm' });
    expect(doc.hosts).toHaveLength(7);
    expect(r.stdout + r.stderr).not.toContain('Cli-Secret');
    expect(r.stderr).toContain('checking inventory'); // -v: readable log lines on stderr, never stdout
  });

  it('warnings only (minimal 4 servers): exit 0, findings grouped by severity', () => {
    const r = run(['inventory', 'check', '-i', 'examples/minimal-4-servers.yaml'], { CORTEX_WINRM_PASSWORD: 'x' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Warnings (2)');
    expect(r.stdout).not.toContain('Errors (');
    expect(r.stdout).toContain('topology.servers-recommended');
    expect(r.stdout).toContain('topology.web-apps-together');
  });

  it('a topology error: exit 3, the rule id, severity, source and hosts in --json', () => {
    const r = run(['inventory', 'check', '-i', fixture('even-app-count.yaml'), '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(doc.valid).toBe(false);
    expect(doc.tier).toBe('Bronze');
    expect(doc.findings).toEqual([
      expect.objectContaining({ id: 'topology.app-count-odd', severity: 'error', hosts: ['app1', 'app2', 'app3', 'app4'], source: expect.stringContaining('components.md §12') }),
    ]);
  });

  it('an invalid file: exit 3, file:line:col and the suggestion on the console', () => {
    const r = run(['inventory', 'check', '-i', fixture('typo-key.yaml')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${fixture('typo-key.yaml')}:4:7, field all.vars.winrm.auht: unknown key 'auht'. Did you mean 'auth'?`);
  });

  it('an invalid file with --json: still one document, the problem with its position', () => {
    const r = run(['inventory', 'check', '-i', fixture('literal-password.yaml'), '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(doc).toMatchObject({ valid: false, tier: null, hosts: [] });
    expect(doc.findings[0]).toMatchObject({ id: 'inventory.invalid', severity: 'error', position: { file: fixture('literal-password.yaml'), line: 5, col: 17 } });
    expect(r.stdout).not.toContain('Sup3rSecretLiteral');
  });

  it('a missing file: exit 3', () => {
    const r = run(['inventory', 'check', '-i', 'no/such.yaml']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('inventory file not found: no/such.yaml');
  });

  it('a missing -i: exit 3 with usage on stderr', () => {
    const r = run(['inventory', 'check']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Missing required argument: inventory');
    expect(r.stdout).toBe('');
  });
});

describe('cortex-deploy inventory schema', () => {
  it('prints the JSON Schema, equal to docs/inventory.schema.json', () => {
    const r = run(['inventory', 'schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, 'docs/inventory.schema.json'), 'utf8'));
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'cortex-deploy inventory' });
  });
});

describe('--help', () => {
  it.each([
    [['inventory', '--help'], ['inventory check', 'inventory schema']],
    [['inventory', 'check', '--help'], ['--inventory', '--json', 'Examples:', 'inventory check -i site.yaml', 'Exit codes']],
    [['inventory', 'schema', '--help'], ['Examples:', 'cortex-deploy inventory schema >', 'yaml-language-server']],
  ])('%j', (args, expected) => {
    const r = run(args);
    expect(r.code).toBe(0);
    for (const e of expected) expect(r.stdout).toContain(e);
  });
});

/**
 * `cortex-deploy inventory …` as a user runs it: the built CLI in a subprocess. Exit codes, the
 * --json document, --help, and no secret on any output.
 */
import { execFileSync, spawn } from 'node:child_process';
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
  // Build only when dist/ is older than the sources, as `npm run build` does (tsc, then the bundle).
  // Others' unfinished files may not type-check: tsc still emits, and this file only needs the inventory command.
  if (!existsSync(cli) || statSync(cli).mtimeMs < newestTs(join(root, 'src'))) {
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch {
      /* type errors elsewhere; the emitted JS is what we run */
    }
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'pipe' });
  }
  expect(existsSync(cli)).toBe(true);
}, 120_000);

const SECRET = 'Cli-Secret"Value\\42';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runAsync(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', CORTEX_LAB_PASSWORD: SECRET, CORTEX_TEST_PW: SECRET, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Every CLI run of this file, started together once dist/ is built (each is a cold Node start). */
const RUNS = {
  lab: [['inventory', 'check', '-i', 'examples/lab/inventory.yaml']],
  labJson: [['inventory', 'check', '-i', 'examples/lab/inventory.yaml', '--json', '-v']],
  minimal: [['inventory', 'check', '-i', 'examples/minimal-4-servers.yaml'], { CORTEX_WINRM_PASSWORD: 'x' }],
  evenApps: [['inventory', 'check', '-i', fixture('even-app-count.yaml'), '--json']],
  typo: [['inventory', 'check', '-i', fixture('typo-key.yaml')]],
  literalJson: [['inventory', 'check', '-i', fixture('literal-password.yaml'), '--json']],
  missingFile: [['inventory', 'check', '-i', 'no/such.yaml']],
  ansible: [['inventory', 'check', '-i', fixture('ansible/single/hosts.yml'), '--json'], { CORTEX_WINRM_PASSWORD: SECRET }],
  ansibleSite: [['inventory', 'check', '-i', fixture('ansible/site/hosts.yml')], { CORTEX_WINRM_PASSWORD: SECRET }],
  ansibleIni: [['inventory', 'check', '-i', fixture('ansible/ini/hosts')], { CORTEX_WINRM_PASSWORD: SECRET }],
  ansibleMismatch: [['inventory', 'check', '-i', fixture('ansible/scheme-mismatch.yml')], { CORTEX_WINRM_PASSWORD: SECRET }],
  customVars: [['inventory', 'check', '-i', fixture('custom-vars/hosts.yml')], { CORTEX_WINRM_PASSWORD: SECRET }],
  waivers: [['inventory', 'check', '-i', fixture('waivers/site.yaml')]],
  missingFlag: [['inventory', 'check']],
  schema: [['inventory', 'schema']],
  helpInventory: [['inventory', '--help']],
  helpCheck: [['inventory', 'check', '--help']],
  helpSchema: [['inventory', 'schema', '--help']],
} satisfies Record<string, [string[], Record<string, string>?]>;

let results: Record<keyof typeof RUNS, Result>;

beforeAll(async () => {
  const entries = await Promise.all(Object.entries(RUNS).map(async ([k, [args, env]]) => [k, await runAsync(args, env)] as const));
  results = Object.fromEntries(entries) as typeof results;
}, 120_000);

const run = (key: keyof typeof RUNS) => results[key];

interface CheckDoc {
  file: string;
  valid: boolean;
  tier: string | null;
  findings: Array<{ id: string; severity: string; message: string; source: string; hosts: string[]; position?: { file: string; line: number; col: number } }>;
  hosts: Array<{ name: string; address: string; roles: string[]; webApps: string[]; transport: string }>;
}

describe('cortex-deploy inventory check', () => {
  it('the lab example: exit 0, tier, role map, no findings', () => {
    const r = run('lab');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 hosts, 3 application servers, tier Bronze');
    expect(r.stdout).toMatch(/web1\s+127\.0\.1\.1\s+web\s+gateway\s+winrm/);
    expect(r.stdout).toMatch(/lb1\s+127\.0\.1\.7\s+lb\s+-\s+winrm/);
    expect(r.stdout).toContain('valid: 0 errors, 0 warnings');
    expect(r.stdout + r.stderr).not.toContain('Cli-Secret');
  });

  it('--json prints exactly one JSON document with the documented shape, and no secret', () => {
    const r = run('labJson');
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
    const r = run('minimal');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Warnings (2)');
    expect(r.stdout).not.toContain('Errors (');
    expect(r.stdout).toContain('topology.servers-recommended');
    expect(r.stdout).toContain('topology.web-apps-together');
  });

  it('an Ansible Windows inventory, unedited: valid, every host with its address and transport', () => {
    const r = run('ansible');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(doc).toMatchObject({ valid: true, tier: 'Bronze' });
    expect(doc.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Only the lb host's ssh key may be missing on this machine (~/.ssh/id_ed25519).
    for (const f of doc.findings) expect(f).toMatchObject({ id: 'inventory.secret-unresolved', hosts: ['lb01'] });
    expect(doc.hosts.map((h) => `${h.name} ${h.address} ${h.transport}`)).toEqual([
      'web01 10.20.0.11 winrm', 'web02 10.20.0.12 winrm', 'app01 10.20.0.21 winrm', 'app02 10.20.0.22 winrm', 'app03 10.20.0.23 winrm', 'db01 10.20.0.31 winrm', 'lb01 10.20.0.41 ssh',
    ]);
    expect(r.stdout + r.stderr).not.toContain('Cli-Secret');
  });

  it('an Ansible inventory directory (group_vars/, host_vars/), unedited: valid, host_vars applied', () => {
    const r = run('ansibleSite');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/web02\s+10\.20\.0\.112\s+web\s+liveportal\s+winrm/);
    expect(r.stdout).toContain('valid: 0 errors, 0 warnings');
  });

  it('an Ansible INI inventory with group_vars/, unedited: valid', () => {
    const r = run('ansibleIni');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/db01\s+10\.20\.0\.31\s+db\s+-\s+winrm/);
    expect(r.stdout).toContain('valid: 0 errors, 0 warnings');
  });

  it('the 5986 trap (ansible_port 5986, scheme http) is a warning at check time', () => {
    const r = run('ansibleMismatch');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/inventory\.scheme-port\s+winrm\.scheme is http but the port is 5986/);
    expect(r.stdout).toContain('[web01, app01, app02, app03, db01, lb01]');
  });

  it('your own variables and other tools\' ansible_* settings load; the ignored settings are listed once under Notes', () => {
    const r = results.customVars;
    // The file loads (a role map, no inventory.invalid); its 3 hosts break topology rules, which is not this test's point.
    expect(r.stdout).not.toContain('inventory.invalid');
    expect(r.stdout).toMatch(/web01\s+10\.20\.0\.11\s+web\s+gateway\s+winrm/);
    expect(r.stdout).toContain('Notes (1)');
    expect(r.stdout).toMatch(/inventory\.ansible-ignored\s+ignored Ansible settings cortex-deploy does not use: .*ansible_become \(\S*hosts\.yml:7:5; cortex-deploy uses nothing/);
    expect(r.stdout).toMatch(/\n {2}i inventory\.ansible-ignored/);
  });

  it('an expired waiver is a warning naming where it is written; the file stays valid', () => {
    const r = results.waivers;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/inventory\.waiver-expired\s+\S*site\.yaml:9:9: the waiver of ram\.size expired on 2026-11-30/);
  });

  it('a topology error: exit 3, the rule id, severity, source and hosts in --json', () => {
    const r = run('evenApps');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(doc.valid).toBe(false);
    expect(doc.tier).toBe('Bronze');
    expect(doc.findings).toEqual([
      expect.objectContaining({ id: 'topology.app-count-odd', severity: 'error', hosts: ['app1', 'app2', 'app3', 'app4'], source: expect.stringContaining('docs/topology.md, "Reliability tier"') }),
    ]);
  });

  it('an invalid file: exit 3, file:line:col and the suggestion on the console', () => {
    const r = run('typo');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${fixture('typo-key.yaml')}:4:7, field all.vars.winrm.auht: unknown key 'auht'. Did you mean 'auth'?`);
  });

  it('an invalid file with --json: still one document, the problem with its position', () => {
    const r = run('literalJson');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as CheckDoc;
    expect(doc).toMatchObject({ valid: false, tier: null, hosts: [] });
    expect(doc.findings[0]).toMatchObject({ id: 'inventory.invalid', severity: 'error', position: { file: fixture('literal-password.yaml'), line: 5, col: 17 } });
    expect(r.stdout).not.toContain('Sup3rSecretLiteral');
  });

  it('a missing file: exit 3', () => {
    const r = run('missingFile');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('inventory file not found: no/such.yaml');
  });

  it('a missing -i: exit 3 with usage on stderr', () => {
    const r = run('missingFlag');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Missing required argument: inventory');
    expect(r.stdout).toBe('');
  });
});

describe('cortex-deploy inventory schema', () => {
  it('prints the JSON Schema, equal to docs/inventory.schema.json', () => {
    const r = run('schema');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, 'docs/inventory.schema.json'), 'utf8'));
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'cortex-deploy inventory' });
  });
});

describe('--help', () => {
  it.each([
    ['helpInventory', ['inventory check', 'inventory schema']],
    ['helpCheck', ['--inventory', '--json', 'Examples:', 'inventory check -i site.yaml', 'Exit codes']],
    ['helpSchema', ['Examples:', 'cortex-deploy inventory schema >', 'yaml-language-server']],
  ] as const)('%s', (key, expected) => {
    const r = run(key);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const e of expected) expect(r.stdout).toContain(e);
  });
});

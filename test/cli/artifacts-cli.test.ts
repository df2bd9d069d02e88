/**
 * `cortex-deploy artifacts add | verify` through the built CLI: the round trip with --json, each
 * problem named with exit 1, bad input and a bad manifest with exit 3 (file:line), versions the
 * inventory pins, and several `add` processes at once writing one manifest without losing an entry.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = (args: string[], cwd: string) => runCli(args, { cwd });

describe('cortex-deploy artifacts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-artifacts-cli-'));
  writeFileSync(join(dir, 'otp_win64_27.3.4.exe'), randomBytes(30_000));
  writeFileSync(join(dir, 'cortex.zip'), randomBytes(1000));

  it('add (name and version from the file name, or given) then verify: exit 0, JSON on stdout only', async () => {
    const a = await run(['artifacts', 'add', 'otp_win64_27.3.4.exe', '--json'], dir);
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.stdout) as { action: string; artifact: { name: string; version: string; file: string; sha256: string; size: number } };
    expect(doc).toMatchObject({ action: 'added', artifact: { name: 'erlang', version: '27.3.4', file: 'erlang/27.3.4/otp_win64_27.3.4.exe', size: 30_000 } });
    const b = await run(['artifacts', 'add', 'cortex.zip', '--name', 'cortex', '--version', '7.2.0'], dir);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^added cortex 7\.2\.0: artifacts\/cortex\/7\.2\.0\/cortex\.zip\n {2}sha256 [0-9a-f]{64}\n/);
    expect(b.stderr).toBe('');
    const v = await run(['artifacts', 'verify', '--json'], dir);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, summary: { total: 2, ok: 2 } });
  });

  it('verify names a tampered and a missing file, exit 1', async () => {
    const store = join(dir, 'artifacts');
    const erl = join(store, 'erlang/27.3.4/otp_win64_27.3.4.exe');
    const bytes = readFileSync(erl);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(erl, bytes);
    const { rmSync } = await import('node:fs');
    rmSync(join(store, 'cortex/7.2.0/cortex.zip'));
    const v = await run(['artifacts', 'verify'], dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/WRONG HASH {2}erlang 27\.3\.4 {2}erlang\/27\.3\.4\/otp_win64_27\.3\.4\.exe has SHA-256/);
    expect(v.stdout).toMatch(/MISSING {5}cortex 7\.2\.0 {3}cortex\/7\.2\.0\/cortex\.zip is missing from the store\./);
    expect(v.stdout).toContain('verify: 0 ok, 1 missing, 0 wrong size, 1 wrong hash');
  });

  it('-i: a version the inventory pins that the store lacks fails verify, naming hosts and the fix', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cortex-artifacts-inv-'));
    writeFileSync(join(d, 'rabbitmq-server-4.1.4.exe'), 'installer');
    expect((await run(['artifacts', 'add', 'rabbitmq-server-4.1.4.exe', '--store', 'store'], d)).code).toBe(0);
    writeFileSync(join(d, 'site.yaml'), `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:CORTEX_TEST_PW }
    versions: { rabbitmq: "4.1.4", erlang: "27.3.4" }
  children:
    app: { hosts: { app1: { address: 127.0.0.1 }, app2: { address: 127.0.0.2 } } }
`);
    const v = await run(['artifacts', 'verify', '--store', 'store', '-i', 'site.yaml'], d);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('NO ARTIFACT  erlang 27.3.4 (versions.erlang of app1, app2): add it with cortex-deploy artifacts add FILE --name erlang --version 27.3.4');
    const j = JSON.parse((await run(['artifacts', 'verify', '--store', 'store', '-i', 'site.yaml', '--json'], d)).stdout) as { ok: boolean; inventory: { found: Array<{ name: string }> } };
    expect(j.ok).toBe(false);
    expect(j.inventory.found.map((f) => f.name)).toEqual(['rabbitmq']);
  });

  it('bad input and a bad manifest: exit 3 with the field and the line', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cortex-artifacts-bad-'));
    writeFileSync(join(d, 'tool.zip'), 'x');
    const a = await run(['artifacts', 'add', 'tool.zip'], d);
    expect(a.code).toBe(3);
    expect(a.stderr).toMatch(/field --name and --version: cannot tell the name of tool\.zip/);
    expect((await run(['artifacts', 'verify'], d)).stderr).toMatch(/no artifact store at/);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(d, 'artifacts'));
    writeFileSync(join(d, 'artifacts', 'manifest.yaml'), 'format: 1\nartifacts:\n  - name: erlang\n    version: 27\n');
    const v = await run(['artifacts', 'verify'], d);
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(/manifest\.yaml:4:14, field artifacts\[0\]\.version: /);
  });

  it('eight add processes at once: every entry lands, the manifest stays valid', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cortex-artifacts-par-'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        writeFileSync(join(d, `part-${i}.bin`), randomBytes(100_000));
        return run(['artifacts', 'add', `part-${i}.bin`, '--name', `part${i}`, '--version', '1.0'], d);
      }),
    );
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    const v = await run(['artifacts', 'verify', '--json'], d);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, summary: { total: 8, ok: 8 }, unrecorded: [] });
  }, 120_000);
});

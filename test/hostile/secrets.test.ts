/**
 * Defects 4, 5, 13 (issue 14): secret files were read whatever they were (a FIFO hung, /dev/zero
 * was read to 640 MB); an unresolvable secret was exit 2 in preflight (3 in exec and the docs);
 * secret-resolution errors in exec and preflight had no file:line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { resolveSecret, readFileRef } from '../../src/inventory/secrets.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { runExecCommand } from '../../src/cli/commands/exec.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { sink } from '../helpers/sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-secrets-'));
const fifo = join(dir, 'pw.fifo');
execFileSync('mkfifo', [fifo]);
const write = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function refusal(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('file: secrets', () => {
  const ctx = { host: 'app1', field: 'winrm.password', baseDir: dir };

  it('a FIFO, a device and a folder are refused at once, with the path', async () => {
    for (const p of [fifo, '/dev/zero', dir]) {
      const t0 = Date.now();
      const e = await refusal(resolveSecret(`file:${p}`, ctx));
      expect(e.message).toContain(p);
      expect(e.message).toMatch(/not a regular file/);
      expect(e.message).toMatch(/host app1, field winrm\.password/);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
    const ca = await refusal(readFileRef({ file: join(dir, 'site.yaml') }, `file:${fifo}`, { host: 'app1', field: 'winrm.tls.ca' }));
    expect(ca.message).toMatch(/not a regular file/);
  });

  it('a secret is small and one line; one trailing newline (LF or CRLF) is stripped', async () => {
    expect(await resolveSecret(`file:${write('lf', 'S3cret-lf!\n')}`, ctx)).toBe('S3cret-lf!');
    expect(await resolveSecret(`file:${write('crlf', 'S3cret-crlf!\r\n')}`, ctx)).toBe('S3cret-crlf!');
    const two = await refusal(resolveSecret(`file:${write('two', 'line1\nline2\n')}`, ctx));
    expect(two.message).toMatch(/more than one line/);
    const big = await refusal(resolveSecret(`file:${write('big', Buffer.alloc(100_000, 0x61))}`, ctx));
    expect(big.message).toMatch(/larger than the 64 KiB allowed/);
  });

  it('an SSH private key may span lines', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(await resolveSecret(`file:${write('id_test', key)}`, { ...ctx, field: 'ssh.key' })).toBe(key.trimEnd());
  });

  it("a WinRM client certificate's private key may span lines too", async () => {
    const key = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    expect(await resolveSecret(`file:${write('client.key', key)}`, { ...ctx, field: 'winrm.certificate.key' })).toBe(key.trimEnd());
  });
});

describe('an unresolvable secret: exit 3 in preflight and exec, with file:line', () => {
  const inventory = write(
    'site.yaml',
    `all:
  vars:
    transport: winrm
    winrm: { user: 'LAB\\cortex', password: env:CORTEX_TEST_SURELY_UNSET }
  children:
    app:
      hosts:
        app1: { address: 127.0.0.1, port: 1 }
`,
  );

  it('preflight', async () => {
    const stdout = sink();
    const code = await runPreflightCommand({ inventory, forks: 5, json: true, timeout: 5 }, { stdout, stderr: sink(), color: false, runDir: null });
    expect(code).toBe(3);
    const json = JSON.parse(stdout.text()) as PreflightJson;
    expect(json.hosts[0]!.checks[0]!.message).toMatch(/site\.yaml:4:\d+, host app1, field winrm\.password: environment variable CORTEX_TEST_SURELY_UNSET is not set/);
  });

  it('exec', async () => {
    const stdout = sink();
    const code = await runExecCommand({ inventory, forks: 5, json: true, timeout: 5, oneshot: false, script: ['hostname'] }, { stdout, stderr: sink(), color: false, runDir: null });
    expect(code).toBe(3);
    expect(stdout.text()).toMatch(/site\.yaml:4:\d+, host app1, field winrm\.password/);
  });
});

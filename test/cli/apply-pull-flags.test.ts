/**
 * `apply --artifacts push|pull` and its flags as a user types them (the built CLI, spawned): a transfer
 * that is not push or pull, a pull setting without --artifacts pull, a certificate without its key are
 * invalid input (exit 3) naming the flag, before anything is read or any host touched; --help lists them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('apply --artifacts', () => {
  it('--help lists the choice and the pull settings', async () => {
    const r = await runCli(['apply', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--artifacts How store artifacts reach the hosts: push over the session \(default\), or pull .*\[choices: "push", "pull"\]/);
    for (const f of ['--pull-address', '--pull-port', '--pull-cert', '--pull-key']) expect(r.stdout).toContain(f);
  });

  it('a transfer other than push or pull is refused', async () => {
    const r = await runCli(['apply', '-i', 'missing.yaml', '--artifacts', 'scp']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Argument: artifacts, Given: "scp", Choices: "push", "pull"');
  });

  it('a pull setting with --artifacts push is invalid input naming it (exit 3), before the inventory is read', async () => {
    const p = await runCli(['apply', '-i', 'missing.yaml', '--artifacts', 'push', '--pull-port', '8443', '--pull-address', '127.0.0.1']);
    expect(p.code).toBe(3);
    expect(p.stderr).toContain('--pull-address, --pull-port only apply with --artifacts pull');
  });

  it('a pull setting when no host pulls (none says artifacts.transfer: pull) is invalid input, before any host is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cx-pull-flags-'));
    try {
      writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts:\n        app1: { address: 127.0.0.1 }\n');
      writeFileSync(join(dir, 'pb.yaml'), "name: p\nphases:\n  - name: a\n    targets: { roles: [app] }\n    steps:\n      - id: d\n        directory: { path: 'C:\\x' }\n");
      const r = await runCli(['apply', '-i', 'inv.yaml', '-p', 'pb.yaml', '--skip-preflight', '--pull-address', '127.0.0.1'], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('--pull-address only apply when hosts pull their artifacts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a certificate without its key (or the reverse) is invalid input', async () => {
    const r = await runCli(['apply', '-i', 'missing.yaml', '--artifacts', 'pull', '--pull-cert', 'c.pem']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--pull-cert and --pull-key go together');
    const k = await runCli(['apply', '-i', 'missing.yaml', '--artifacts', 'pull', '--pull-key', 'k.pem']);
    expect(k.code).toBe(3);
    expect(k.stderr).toContain('--pull-cert and --pull-key go together');
  });
});

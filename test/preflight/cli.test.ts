/** The preflight command with fake hosts: exit codes, invalid input, the live line on a TTY, report files. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { InputError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/errors.js';
import { fakeConnect } from './fake-hosts.js';

const { dir, inventory } = tempInventory(
  'cortex-preflight-cli-',
  `all:
  vars:
    winrm: { user: 'CORP\\svc', password: env:NOT_USED_BY_FAKES }
  children:
    web: { hosts: { web1: { address: 10.0.0.11 } } }
    app: { hosts: { app1: { address: 10.0.0.21 }, app2: { address: 10.0.0.22 }, app3: { address: 10.0.0.23 } } }
    db: { hosts: { db1: { address: 10.0.0.31 } } }
    lb: { hosts: { lb1: { address: 10.0.0.41 } } }
`,
);

function sink(isTTY = false) {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text, isTTY, columns: 100 };
}

describe('preflight command', () => {
  it('invalid inventory and bad flags are input errors (exit code 3)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'all:\n  children:\n    app:\n      hosts:\n        app1: { adress: 10.0.0.1 }\n');
    const io = { stdout: sink(), stderr: sink(), color: false, runDir: null, connect: fakeConnect().connect };
    const err = await runPreflightCommand({ inventory: bad, forks: 10, json: false, timeout: 5 }, io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(exitCodeOf(err)).toBe(3);
    expect(String((err as Error).message)).toMatch(/bad\.yaml:5/);
    await expect(runPreflightCommand({ inventory, forks: 0, json: false, timeout: 5 }, io)).rejects.toThrow(/--forks/);
    await expect(runPreflightCommand({ inventory, forks: 5, json: false, timeout: 5, limit: 'nosuchhost' }, io)).rejects.toBeInstanceOf(InputError);
  });

  it('writes JSON, JUnit and HTML report files and says where', async () => {
    const stderr = sink();
    const stdout = sink();
    const code = await runPreflightCommand(
      { inventory, forks: 10, json: false, timeout: 5, reportJson: join(dir, 'r/p.json'), reportJunit: join(dir, 'r/p.xml'), reportHtml: join(dir, 'r/p.html') },
      { stdout, stderr, color: false, runDir: null, connect: fakeConnect({ app2: { patch: { dotnetRelease: 1 } } }).connect },
    );
    expect(code).toBe(1);
    expect(stderr.text()).toContain(`HTML report: ${join(dir, 'r/p.html')}`);
    expect(JSON.parse(readFileSync(join(dir, 'r/p.json'), 'utf8')).summary.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'r/p.xml'), 'utf8')).toContain('<testcase classname="preflight.app2" name="dotnet.version"');
    expect(readFileSync(join(dir, 'r/p.html'), 'utf8')).toContain('Not ready: some checks failed');
    expect(stdout.text()).toMatch(/^check\s+web1\s+app1\s+app2\s+app3\s+db1\s+lb1$/m);
  });

  it('on a TTY: one live line, redrawn in place, no per-host lines', async () => {
    const stderr = sink(true);
    const behaviour = { app1: { delayMs: 120 }, app3: { delayMs: 300 } };
    const code = await runPreflightCommand({ inventory, forks: 10, json: true, timeout: 5 }, { stdout: sink(), stderr, color: false, runDir: null, connect: fakeConnect(behaviour).connect });
    expect(code).toBe(0);
    const frames = stderr.text().split('\r\x1b[2K').filter(Boolean);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((f) => /^preflight \d\/6 hosts {2}0 failed {2}slowest: app3 \d\.\d s$/.test(f))).toBe(true);
    expect(stderr.text()).not.toContain('\n');
  });

  it('elsewhere: one plain line per host as it finishes; --json keeps stdout clean', async () => {
    const stderr = sink();
    const stdout = sink();
    const code = await runPreflightCommand({ inventory, forks: 10, json: true, timeout: 5 }, { stdout, stderr, color: false, runDir: null, connect: fakeConnect({ lb1: { connectError: 'unreachable' } }).connect });
    expect(code).toBe(2);
    expect(stderr.text().trim().split('\n')).toHaveLength(6);
    expect(stderr.text()).toMatch(/^lb1 unreachable /m);
    expect(() => JSON.parse(stdout.text())).not.toThrow();
  });

  it('warns loudly on every run for a host that skips TLS verification', async () => {
    const insecure = join(dir, 'insecure.yaml');
    writeFileSync(insecure, readFileSync(inventory, 'utf8').replace('app3: { address: 10.0.0.23 }', 'app3: { address: 10.0.0.23, winrm: { scheme: https, tls: { insecure: true } } }'));
    const stderr = sink();
    await runPreflightCommand({ inventory: insecure, forks: 10, json: true, timeout: 5 }, { stdout: sink(), stderr, color: false, runDir: null, connect: fakeConnect().connect });
    expect(stderr.text()).toMatch(/WARNING: app3: TLS certificate verification is OFF/);
    expect(stderr.text()).not.toMatch(/WARNING: (web1|app1|app2|db1|lb1)/);
  });
});

/**
 * The `lab` command as a user runs it (the built CLI, dist/cli/main.js, as scripts/test.sh builds it):
 * --detach with a pid file and log, status --json with counters, down stopping exactly that process,
 * reset; and input errors (non-loopback address, missing password variable, bad profile) as exit 3.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/lab/control.js';
import type { LabStatus } from '../../src/lab/lab.js';
import { loadScript } from '../../src/runner/index.js';
import { closeRunner, openRunner } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { cliEnv, runCli } from '../helpers/cli.js';

const net = await claimLoopbackBlock(import.meta.url);

const PASSWORD = 'CortexLab!2026-cli';
const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-cli-'));

function inventory(name: string, hosts: string, user = "'LAB\\svc-cortex'"): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'all:',
      '  vars:',
      '    transport: winrm',
      `    winrm: { scheme: http, port: 5985, auth: ntlm, user: ${user}, password: env:CORTEX_LAB_TEST_PASSWORD }`,
      '  children:',
      '    app:',
      '      hosts:',
      hosts,
      '',
    ].join('\n'),
  );
  return file;
}

function cortex(args: string[], env: Record<string, string | undefined> = { CORTEX_LAB_TEST_PASSWORD: PASSWORD }) {
  return runCli(args, { env: cliEnv(env) });
}

const started: string[] = [];
afterAll(async () => {
  for (const state of started) await cortex(['lab', 'down', '--state', state]);
});

describe('cortex-deploy lab', () => {
  it('up --detach, status --json with counters, reset, down stops exactly that process', async () => {
    const inv = inventory('ok', [`        c-app1: { address: ${net.addr(1)}, lab: { powershellStartMs: 0 } }`, `        c-app2: { address: ${net.addr(2)}, lab: { preset: small } }`].join('\n'));
    const state = join(dir, 'state-ok');
    started.push(state);
    const up = await cortex(['lab', 'up', '-i', inv, '--detach', '--state', state, '--fault', 'c-app2:down']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/lab running \(pid \d+\): 2 hosts, 1 up/);
    const pid = Number(readFileSync(join(state, 'lab.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(true);

    const again = await cortex(['lab', 'up', '-i', inv, '--state', state]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`already running from ${state} (pid ${pid})`);

    const runner = await openRunner({ name: 'c-app1', address: net.addr(1) }, { user: 'LAB\\svc-cortex', password: PASSWORD });
    try {
      await runner.runData(loadScript('probes.ping'));
      await runner.runData(loadScript('probes.ping'));
    } finally {
      await closeRunner(runner);
    }
    const [st, text] = await Promise.all([cortex(['lab', 'status', '--state', state, '--json']), cortex(['lab', 'status', '--state', state])]);
    expect(st.code).toBe(0);
    const doc = JSON.parse(st.stdout) as LabStatus;
    expect(doc.pid).toBe(pid);
    const app1 = doc.hosts.find((h) => h.name === 'c-app1')!;
    expect(app1).toMatchObject({ up: true, counters: { shells: 1, powershellStarts: 1, scripts: 2, setCalls: 0 } });
    expect(app1.counters.requests).toBeGreaterThanOrEqual(4);
    expect(doc.hosts.find((h) => h.name === 'c-app2')).toMatchObject({ up: false, faults: { down: true } });

    expect(text.stdout).toMatch(new RegExp(`c-app1\\s+${net.pattern(1)}\\s+up\\s+\\d+\\s+1\\s+1\\s+2\\s+0\\s+0`));
    expect(text.stdout).toMatch(new RegExp(`c-app2\\s+${net.pattern(2)}\\s+down`));

    // The inventory's app group is tracked as a quorum: c-app2 is down (fault), one of two.
    expect(doc.clusters).toEqual([
      { name: 'app', kind: 'quorum', members: ['c-app1', 'c-app2'], downNow: ['c-app2'], maxDownAtOnce: 1, maxDownAt: expect.any(String), faultTolerance: 0, quorumLost: true },
    ]);
    expect(text.stdout).toContain('quorum app (2): 1 down now, at most 1 at once, quorum lost');

    const zero = await cortex(['lab', 'reset-counters', '--state', state]);
    expect(zero.code).toBe(0);
    expect(zero.stdout).toContain('every counter is back to zero');
    const zeroed = JSON.parse((await cortex(['lab', 'status', '--state', state, '--json'])).stdout) as LabStatus;
    expect(zeroed.hosts.find((h) => h.name === 'c-app1')!.counters).toMatchObject({ requests: 0, shells: 0, scripts: 0, steps: {} });
    // What is down now stays the most down at once.
    expect(zeroed.clusters[0]).toMatchObject({ downNow: ['c-app2'], maxDownAtOnce: 1 });

    const reset = await cortex(['lab', 'reset', '-i', inv, '--state', state]);
    expect(reset.stdout).toContain('back to its profile');

    const down = await cortex(['lab', 'down', '-i', inv, '--state', state]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`lab stopped (pid ${pid})`);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(state, 'lab.pid'))).toBe(false);
    expect(readFileSync(join(state, 'lab.log'), 'utf8')).toContain('lab stopped');
    const after = await cortex(['lab', 'status', '--state', state, '-i', inv, '--json']);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false, hosts: [{ name: 'c-app1', up: false }, { name: 'c-app2', up: false }] });
  }, 120_000);

});

// Input errors end before any listener starts: these CLI runs go in parallel.
describe.concurrent('cortex-deploy lab: input errors, exit 3', () => {
  it('refuses a non-loopback address with the host, the address and its position; exit 3', async () => {
    const inv = inventory('remote', [`        c-app1: { address: ${net.addr(10)} }`, '        realbox: { address: 10.0.0.21 }'].join('\n'));
    const r = await cortex(['lab', 'up', '-i', inv, '--state', join(dir, 'state-remote')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/remote\.yaml:9:\d+/);
    expect(r.stderr).toContain('realbox');
    expect(r.stderr).toContain('10.0.0.21');
    expect(r.stderr).toContain('not a loopback');
  }, 60_000);

  it('names the password variable when it is unset; exit 3', async () => {
    const inv = inventory('nopass', `        c-app1: { address: ${net.addr(11)} }`);
    const r = await cortex(['lab', 'up', '-i', inv, '--state', join(dir, 'state-nopass')], { CORTEX_LAB_TEST_PASSWORD: undefined });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('CORTEX_LAB_TEST_PASSWORD');
  }, 60_000);

  it('points at the offending lab profile key by file:line:col; exit 3', async () => {
    const inv = inventory('badprofile', ['        c-app1:', `          address: ${net.addr(12)}`, '          lab:', '            ramGB: lots'].join('\n'));
    const r = await cortex(['lab', 'up', '-i', inv, '--state', join(dir, 'state-bad')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/badprofile\.yaml:11:20/);
    expect(r.stderr).toContain('lab.ramGB');
  }, 60_000);
});

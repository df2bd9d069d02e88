/**
 * preflight end to end over SSH: the real CLI command, the session factory, ssh2 to the lab's real
 * OpenSSH sshd, its ForceCommand bridge, the resident PowerShell runner and the lab's probe models —
 * in one run with WinRM hosts (test/fixtures/ssh/mixed*.yaml, moved into this file's loopback block).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreflightCommand } from '../../../src/cli/commands/preflight.js';
import type { PreflightJson } from '../../../src/report/preflight-json.js';
import { labFor, sink } from './mixed-lab.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

// The three labs run one after another: one block serves them all.
const net = await claimLoopbackBlock(import.meta.url);

async function preflight(file: string) {
  const stdout = sink();
  const stderr = sink();
  const code = await runPreflightCommand({ inventory: file, forks: 10, json: true, timeout: 30 }, { stdout, stderr, color: false, runDir: null });
  return { code, json: JSON.parse(stdout.text()) as PreflightJson, stderr: stderr.text() };
}

describe('preflight over SSH and WinRM in one run', () => {
  let env: Awaited<ReturnType<typeof labFor>>;
  beforeAll(async () => {
    env = await labFor('mixed.yaml', net);
  });
  afterAll(async () => env?.stop());

  it('every host passes; the SSH hosts were reached through the lab sshd', async () => {
    const { code, json } = await preflight(env.file);
    const problems = json.hosts.flatMap((h) => h.checks.filter((c) => c.status !== 'pass').map((c) => `${h.name} ${c.id}: ${c.message}`));
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(json.hosts.map((h) => [h.name, h.reachable])).toEqual([
      ['web1', true], ['web2', true], ['app1', true], ['app2', true], ['app3', true], ['db1', true], ['lb1', true],
    ]);
    const sshdLog = readFileSync(join(env.dir, 'lab-state', 'ssh', 'sshd.log'), 'utf8');
    for (const a of [3, 4, 5, 7].map((n) => net.addr(n))) expect(sshdLog).toContain(`on ${a} port 5922`);
    for (const a of [1, 2, 6].map((n) => net.addr(n))) expect(sshdLog).not.toContain(`on ${a} port`);
    expect(sshdLog.match(/Accepted publickey/g)?.length).toBeGreaterThanOrEqual(4);
  });
});

describe('preflight with one host whose sshd is down', () => {
  let env: Awaited<ReturnType<typeof labFor>>;
  beforeAll(async () => {
    env = await labFor('mixed-sshd-down.yaml', net);
  });
  afterAll(async () => env?.stop());

  it('that host is unreachable (exit 2); every other host, SSH and WinRM, completes', async () => {
    const { code, json, stderr } = await preflight(env.file);
    expect(code).toBe(2);
    const app3 = json.hosts.find((h) => h.name === 'app3')!;
    expect(app3.reachable).toBe(false);
    expect(JSON.stringify(app3)).toContain(`${net.addr(5)}:5923`);
    expect(stderr).toContain('app3');
    for (const h of json.hosts.filter((x) => x.name !== 'app3')) {
      expect([h.name, h.reachable]).toEqual([h.name, true]);
      expect([h.name, h.checks.find((c) => c.id === 'os.version')?.status]).toEqual([h.name, 'pass']);
    }
  });
});

describe('preflight with SSH refusals: changed host key, unauthorized key, wrong password', () => {
  let env: Awaited<ReturnType<typeof labFor>>;
  let otherFingerprint: string;
  beforeAll(async () => {
    env = await labFor('mixed-refusals.yaml', net);
    const labKnown = readFileSync(join(env.dir, 'lab-state', 'ssh', 'known_hosts'), 'utf8');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(env.dir, 'other_host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(env.dir, 'stranger_ed25519')]);
    const other = readFileSync(join(env.dir, 'other_host_key.pub'), 'utf8').split(' ');
    otherFingerprint = execFileSync('ssh-keygen', ['-lf', join(env.dir, 'other_host_key.pub')]).toString().split(' ')[1]!;
    writeFileSync(join(env.dir, 'changed_known_hosts'), labKnown.replace(new RegExp(`^\\[${net.pattern(3)}\\]:5922 .*$`, 'm'), `[${net.addr(3)}]:5922 ${other[0]} ${other[1]}`));
    process.env.CORTEX_TEST_SSH_WRONG_PASSWORD = 'definitely-wrong';
  });
  afterAll(async () => env?.stop());

  it('each refusal is reported on its host with exit 2; the others complete', async () => {
    const { code, json, stderr } = await preflight(env.file);
    expect(code).toBe(2);
    const message = (name: string): string => json.hosts.find((h) => h.name === name)!.checks.find((c) => c.id === 'host.reachable')!.message;
    const reachable = Object.fromEntries(json.hosts.map((h) => [h.name, h.reachable]));
    expect(reachable).toEqual({ web1: true, web2: true, app1: false, app2: false, app3: true, db1: true, lb1: false });
    // Changed host key: refused, both fingerprints shown.
    const labFingerprint = execFileSync('ssh-keygen', ['-lf', join(env.dir, 'lab-state', 'ssh', 'ssh_host_ed25519_key.pub')]).toString().split(' ')[1]!;
    expect(message('app1')).toContain('has changed');
    expect(message('app1')).toContain(labFingerprint);
    expect(message('app1')).toContain(otherFingerprint);
    // Refused credentials name the host and the method; the password never shows.
    expect(message('app2')).toContain('authentication refused by app2 (publickey)');
    expect(message('lb1')).toContain('authentication refused by lb1 (password)');
    expect(stderr + JSON.stringify(json)).not.toContain('definitely-wrong');
  });
});

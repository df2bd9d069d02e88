/**
 * The built CLI (dist/cli/main.js, as scripts/test.sh builds it) over SSH, as a user runs it:
 * refusals exit 2 naming host and method or showing both host-key fingerprints, and exec runs on
 * SSH hosts. Hosts of test/fixtures/ssh/mixed-refusals.yaml moved into this file's loopback block.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labFor, LAB_PASSWORD, type MixedLab } from './mixed-lab.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';
import { cliEnv, runCli } from '../../helpers/cli.js';

const net = await claimLoopbackBlock(import.meta.url);


const run = (args: string[]) => runCli(args, { env: cliEnv({ CORTEX_LAB_PASSWORD: LAB_PASSWORD, CORTEX_TEST_SSH_WRONG_PASSWORD: 'definitely-wrong' }) });

let env: MixedLab;
let otherFingerprint: string;
beforeAll(async () => {
  env = await labFor('mixed-refusals.yaml', net);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(env.dir, 'other_host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(env.dir, 'stranger_ed25519')]);
  const other = readFileSync(join(env.dir, 'other_host_key.pub'), 'utf8').split(' ');
  otherFingerprint = execFileSync('ssh-keygen', ['-lf', join(env.dir, 'other_host_key.pub')]).toString().split(' ')[1]!;
  const labKnown = readFileSync(join(env.dir, 'lab-state', 'ssh', 'known_hosts'), 'utf8');
  writeFileSync(join(env.dir, 'changed_known_hosts'), labKnown.replace(new RegExp(`^\\[${net.pattern(3)}\\]:5922 .*$`, 'm'), `[${net.addr(3)}]:5922 ${other[0]} ${other[1]}`));
});
afterAll(async () => env?.stop());

describe('cortex-deploy over SSH (built CLI)', () => {
  it('preflight: changed host key, unauthorized key and wrong password → exit 2, each on its host', async () => {
    const { code, stdout, stderr } = await run(['preflight', '-i', env.file, '--json']);
    expect(code).toBe(2);
    const json = JSON.parse(stdout) as { hosts: Array<{ name: string; reachable: boolean; checks: Array<{ id: string; message: string }> }> };
    const msg = (n: string) => json.hosts.find((h) => h.name === n)!.checks.find((c) => c.id === 'host.reachable')!.message;
    const labFingerprint = execFileSync('ssh-keygen', ['-lf', join(env.dir, 'lab-state', 'ssh', 'ssh_host_ed25519_key.pub')]).toString().split(' ')[1]!;
    expect(msg('app1')).toContain(labFingerprint);
    expect(msg('app1')).toContain(otherFingerprint);
    expect(msg('app2')).toContain('authentication refused by app2 (publickey)');
    expect(msg('lb1')).toContain('authentication refused by lb1 (password)');
    expect(json.hosts.filter((h) => h.reachable).map((h) => h.name)).toEqual(['web1', 'web2', 'app3', 'db1']);
    expect(stdout + stderr).not.toContain('definitely-wrong');
  });

  it('exec: ad-hoc PowerShell on an SSH host and a WinRM host in one run', async () => {
    const { code, stdout, stderr } = await run(['exec', '-i', env.file, '--limit', 'app3,web1', '--', '$env:COMPUTERNAME']);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toContain('app3 | APP3\n');
    expect(stdout).toContain('web1 | WEB1\n');
    expect(stdout).toContain('2 hosts: 2 ok, 0 failed, 0 unreachable');
  });

  it('exec --accept-new-host-keys: an unknown host is refused, then trusted once and recorded', async () => {
    const fresh = join(env.dir, 'fresh_known_hosts');
    writeFileSync(fresh, '');
    const inv = join(env.dir, 'tofu.yaml');
    const text = readFileSync(env.file, 'utf8');
    expect(text).toContain(`app3: { address: ${net.addr(5)} }`);
    writeFileSync(inv, text.replace(`app3: { address: ${net.addr(5)} }`, `app3: { address: ${net.addr(5)}, ssh: { knownHosts: fresh_known_hosts } }`));
    const refused = await run(['exec', '-i', inv, '--limit', 'app3', '--', '$env:COMPUTERNAME']);
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toContain('--accept-new-host-keys');
    expect(readFileSync(fresh, 'utf8')).toBe('');
    const trusted = await run(['exec', '-i', inv, '--limit', 'app3', '--accept-new-host-keys', '--', '$env:COMPUTERNAME']);
    expect({ code: trusted.code, stderr: trusted.stderr }).toMatchObject({ code: 0 });
    expect(readFileSync(fresh, 'utf8')).toMatch(new RegExp(`^\\[${net.pattern(5)}\\]:5922 ssh-ed25519 `, 'm'));
    const again = await run(['exec', '-i', inv, '--limit', 'app3', '--', '$env:COMPUTERNAME']);
    expect(again.code).toBe(0);
  });
});

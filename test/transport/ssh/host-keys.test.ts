/**
 * Host key verification against the lab's real sshd: unknown keys are refused unless
 * --accept-new-host-keys (which records them), a changed key is refused showing both fingerprints
 * with exit 2, hashed known_hosts entries match.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../../src/errors.js';
import { HostKeyError, openSshSession } from '../../../src/transport/ssh/index.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { program } from '../contract.js';
import { startContractLab, type ContractLab } from './lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = { name: 'sshkeys1', address: net.addr(1) };
let lab: ContractLab;
beforeAll(async () => {
  lab = await startContractLab([host.address]);
});
afterAll(async () => {
  await lab?.stop();
});

async function connectWith(knownHostsPath: string, acceptNewHostKeys = false): Promise<unknown> {
  try {
    const s = await openSshSession(host, lab.settings({ knownHostsPath }), { acceptNewHostKeys });
    const r = await runToCompletion(s, program('echo', 'ok'), { timeoutMs: 20_000 });
    await s.close();
    return r.stdout.toString().trim();
  } catch (e) {
    return e;
  }
}

describe('SSH host keys', () => {
  it('refuses a host whose key is not in known_hosts, showing the offered fingerprint', async () => {
    const path = join(lab.stateDir, 'empty_known_hosts'); // missing file = no keys
    const err = await connectWith(path);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as CortexError).exitCode).toBe(2);
    expect((err as Error).message).toContain('host sshkeys1');
    expect((err as Error).message).toContain(lab.lab.hostKeyFingerprint);
    expect((err as Error).message).toContain('--accept-new-host-keys');
  });

  it('--accept-new-host-keys trusts on first use and records the key; later runs verify against it', async () => {
    const path = join(lab.stateDir, 'tofu', 'known_hosts');
    expect(await connectWith(path, true)).toBe('ok');
    const recorded = readFileSync(path, 'utf8');
    expect(recorded).toMatch(new RegExp(`^\\[${net.pattern(1)}\\]:5922 ssh-ed25519 \\S+\\n$`));
    expect(await connectWith(path)).toBe('ok');
    expect(readFileSync(path, 'utf8')).toBe(recorded); // not appended twice
  });

  it('refuses a changed key with both fingerprints, even with --accept-new-host-keys, exit 2', async () => {
    const other = join(lab.stateDir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherPub = readFileSync(`${other}.pub`, 'utf8').split(' ');
    const otherFp = execFileSync('ssh-keygen', ['-lf', `${other}.pub`]).toString().split(' ')[1]!;
    const path = join(lab.stateDir, 'changed_known_hosts');
    writeFileSync(path, `[${net.addr(1)}]:5922 ${otherPub[0]} ${otherPub[1]}\n`);
    const err = await connectWith(path, true);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as CortexError).kind).toBe('tls');
    expect((err as CortexError).exitCode).toBe(2);
    const message = (err as Error).message;
    expect(message).toContain('host sshkeys1');
    expect(message).toContain('has changed');
    expect(message).toContain(lab.lab.hostKeyFingerprint); // what the host offered
    expect(message).toContain(otherFp); // what known_hosts holds
    expect(message).toContain(`${path}:1`);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(1); // nothing recorded
  });

  it('matches hashed known_hosts entries (ssh-keygen -H)', async () => {
    const path = join(lab.stateDir, 'hashed_known_hosts');
    writeFileSync(path, readFileSync(lab.lab.knownHostsPath));
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path], { stdio: 'ignore' });
    expect(readFileSync(path, 'utf8')).toMatch(/^\|1\|/);
    expect(await connectWith(path)).toBe('ok');
  });
});

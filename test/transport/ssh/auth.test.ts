/**
 * SSH authentication against the lab's real sshd: OpenSSH and PEM private keys, an encrypted key
 * with its passphrase, ssh-agent; refusals (wrong key, wrong password) name the host and the
 * method and exit 2; a host whose sshd is down is unreachable.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, CortexError, UnreachableError } from '../../../src/errors.js';
import { openSshSession } from '../../../src/transport/ssh/index.js';
import { runToCompletion } from '../../../src/transport/session.js';
import { program } from '../contract.js';
import { startContractLab, type ContractLab } from './lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = { name: 'sshauth1', address: net.addr(1) };
let lab: ContractLab;

function keygen(path: string, args: string[]): string {
  execFileSync('ssh-keygen', ['-q', '-C', 'test', '-f', path, ...args]);
  return readFileSync(path, 'utf8');
}

async function echoOver(overrides: Parameters<ContractLab['settings']>[0]): Promise<string> {
  const session = await openSshSession(host, lab.settings(overrides));
  try {
    const r = await runToCompletion(session, program('echo', 'authenticated'), { timeoutMs: 20_000 });
    return r.stdout.toString().trim();
  } finally {
    await session.close();
  }
}

async function refusal(overrides: Parameters<ContractLab['settings']>[0]): Promise<CortexError> {
  const err = await openSshSession(host, lab.settings(overrides)).then(
    async (s) => {
      await s.close();
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CortexError);
  return err as CortexError;
}

beforeAll(async () => {
  lab = await startContractLab([host.address]);
});
afterAll(async () => {
  await lab?.stop();
});

describe('SSH authentication', () => {
  it('accepts an OpenSSH-format private key', async () => {
    expect(readFileSync(lab.lab.clientKeyPath, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(await echoOver({})).toBe('authenticated');
  });

  it('accepts a PEM-format RSA private key', async () => {
    const path = join(lab.stateDir, 'pem_rsa');
    const pem = keygen(path, ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '']);
    expect(pem).toContain('BEGIN RSA PRIVATE KEY');
    appendFileSync(lab.lab.authorizedKeyPath, readFileSync(`${path}.pub`));
    expect(await echoOver({ privateKey: pem })).toBe('authenticated');
  });

  it('accepts an encrypted key with its passphrase, and says so when the passphrase is wrong or missing', async () => {
    const path = join(lab.stateDir, 'enc_ed25519');
    const key = keygen(path, ['-t', 'ed25519', '-a', '1', '-N', 'correct horse']);
    appendFileSync(lab.lab.authorizedKeyPath, readFileSync(`${path}.pub`));
    expect(await echoOver({ privateKey: key, passphrase: 'correct horse' })).toBe('authenticated');
    const wrong = await refusal({ privateKey: key, passphrase: 'battery staple' });
    expect(wrong).toBeInstanceOf(AuthError);
    expect(wrong.message).toContain('host sshauth1');
    expect(wrong.message).toMatch(/wrong passphrase/);
    expect(wrong.message).not.toContain('battery staple');
    const missing = await refusal({ privateKey: key, passphrase: null });
    expect(missing.message).toMatch(/no passphrase was given/);
  });

  it('authenticates through ssh-agent', async () => {
    const sock = join(lab.stateDir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', lab.lab.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      expect(await echoOver({ privateKey: null, agent: sock })).toBe('authenticated');
    } finally {
      agent.kill();
    }
  });

  it('a key the host does not accept: AuthError naming the host and the method, exit 2', async () => {
    const stranger = keygen(join(lab.stateDir, 'stranger'), ['-t', 'ed25519', '-N', '']);
    const err = await refusal({ privateKey: stranger });
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('authentication refused by sshauth1 (publickey)');
  });

  it('a wrong password: AuthError naming the host and the method, exit 2, password not shown', async () => {
    const err = await refusal({ privateKey: null, password: 'not-the-password' });
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('authentication refused by sshauth1 (password)');
    expect(err.message).not.toContain('not-the-password');
  });

  it('sshd down: UnreachableError naming the host, exit 2', async () => {
    const err = await openSshSession({ name: 'sshdown', address: net.addr(99) }, lab.settings()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as CortexError).exitCode).toBe(2);
    expect((err as Error).message).toContain('host sshdown');
    expect((err as Error).message).toContain(`${net.addr(99)}:5922`);
  });
});

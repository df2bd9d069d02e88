/**
 * The lab's SSH endpoint: one real sshd for several hosts, routing each command to the host whose
 * address the client reached (SSH_CONNECTION), a channel that stays clean whatever the account's
 * shell start-up files print, and `close()` stopping sshd by pid.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../src/lab/dispatcher.js';
import { renderSshdConfig } from '../../../src/lab/ssh/sshd-config.js';
import { startLabSsh, type LabSsh } from '../../../src/lab/ssh/index.js';
import { openSshSession } from '../../../src/transport/ssh/index.js';
import { runToCompletion, type Session } from '../../../src/transport/session.js';
import { labSshSettings } from '../../transport/ssh/lab-fixture.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

/** Answers every command with the lab host it ran on, the command and its arguments (`wait` never ends). */
const whoami: Dispatcher = {
  start(host, command, args, out) {
    if (command === 'wait') return { stdin: () => undefined, terminate: () => undefined };
    out.stdout(Buffer.from(JSON.stringify({ host: host.name, address: host.address, command, args })));
    setImmediate(() => out.exit(0));
    return { stdin: () => undefined, terminate: () => undefined };
  },
};

const hosts = [
  { ref: { name: 'labssh1', address: net.addr(1) } },
  { ref: { name: 'labssh2', address: net.addr(2) } },
];

let stateDir: string;
let lab: LabSsh;
beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'cortex-lab-ssh-'));
  lab = await startLabSsh({ hosts, dispatcher: whoami, stateDir });
});
afterAll(async () => {
  await lab?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function open(address: string, name: string): Promise<Session> {
  return openSshSession({ name, address }, labSshSettings(lab, { keepaliveIntervalMs: 0 }));
}

async function ask(address: string, name: string): Promise<string> {
  const s = await open(address, name);
  try {
    const r = await runToCompletion(s, { command: 'powershell.exe', args: ['-NoProfile', '-Command', 'x y'] }, { timeoutMs: 20_000 });
    return r.stdout.toString('utf8');
  } finally {
    await s.close();
  }
}

describe('lab SSH endpoint', () => {
  it('hands the command to the dispatcher for the host whose address the client reached', async () => {
    expect(JSON.parse(await ask(net.addr(1), 'labssh1'))).toEqual({
      host: 'labssh1',
      address: net.addr(1),
      command: 'powershell.exe',
      args: ['-NoProfile', '-Command', 'x y'],
    });
    expect(JSON.parse(await ask(net.addr(2), 'labssh2')).host).toBe('labssh2');
  });

  it('writes keys, authorized_keys and a known_hosts with every host into the state folder', () => {
    expect(readFileSync(lab.knownHostsPath, 'utf8')).toMatch(new RegExp(`^\\[${net.pattern(1)}\\]:5922 ssh-ed25519 \\S+\\n\\[${net.pattern(2)}\\]:5922 ssh-ed25519 \\S+\\n$`));
    const fp = execFileSync('ssh-keygen', ['-lf', `${lab.hostKeyPath}.pub`]).toString().split(' ')[1];
    expect(lab.hostKeyFingerprint).toBe(fp);
    expect(readFileSync(lab.authorizedKeyPath, 'utf8')).toBe(readFileSync(`${lab.clientKeyPath}.pub`, 'utf8'));
    expect(readFileSync(join(stateDir, 'sshd.pid'), 'utf8').trim()).toBe(String(lab.pid));
  });

  it("keeps the channel clean when the account's ~/.bashrc prints (Debian's bash reads it for sshd)", async () => {
    const home = join(stateDir, 'home');
    const garbage = 'echo GARBAGE-FROM-BASHRC; echo GARBAGE >&2\n';
    for (const f of ['.bashrc', '.profile', '.bash_profile', '.zshenv']) writeFileSync(join(home, f), garbage);
    // Proof the file would be read: this bash, as sshd runs it without the lab's defence, prints it.
    const undefended = execFileSync('/bin/bash', ['-c', 'true'], { env: { PATH: '/usr/bin:/bin', HOME: home, SSH_CLIENT: '127.0.0.1 1 22' }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(undefended.toString()).toContain('GARBAGE-FROM-BASHRC');
    // Through the lab's sshd: stdout is exactly what the simulated process printed, stderr empty.
    const s = await open(net.addr(1), 'labssh1');
    try {
      const r = await runToCompletion(s, { command: 'cmd.exe', args: ['/c', 'ver'] }, { timeoutMs: 20_000 });
      expect(r.stdout.toString('utf8')).toBe(JSON.stringify({ host: 'labssh1', address: net.addr(1), command: 'cmd.exe', args: ['/c', 'ver'] }));
      expect(r.stderr.toString('utf8')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('refuses non-loopback addresses', async () => {
    await expect(startLabSsh({ hosts: [{ ref: { name: 'x', address: '10.0.0.1' } }], dispatcher: whoami, stateDir })).rejects.toThrow(/not a loopback address/);
  });

  it('renders an sshd_config with a ListenAddress per host and a shell-independent ForceCommand', () => {
    const text = renderSshdConfig({
      listen: [{ address: net.addr(9), port: 5922 }],
      hostKeyPaths: ['/s/hk'],
      authorizedKeysPath: '/s/ak',
      forceCommandPath: '/s/entry.sh',
      pidFile: '/s/pid',
      user: 'root',
      sessionHome: '/s/home',
    });
    expect(text).toContain(`ListenAddress ${net.addr(9)}:5922\n`);
    expect(text).toContain('ForceCommand /s/entry.sh\n');
    expect(text).toContain('UsePAM no\n');
    expect(text).toContain('StrictModes no\n');
    expect(text).toMatch(/SetEnv SHLVL=1 HOME=\/s\/home/);
  });
});

describe('lab SSH endpoint: a host going down and up', () => {
  it('down: its open connection is cut and new ones are refused; the other host carries on; up: back', async () => {
    const one = await open(net.addr(1), 'labssh1');
    const two = await open(net.addr(2), 'labssh2');
    try {
      const waiting = await one.spawn({ command: 'wait', args: [] });
      await lab.setHostUp(net.addr(1), false);
      const lost = await waiting.exit.catch((e: unknown) => e);
      expect((lost as { kind?: string }).kind).toBe('unreachable');
      const refused = await open(net.addr(1), 'labssh1').catch((e: unknown) => e);
      expect((refused as { kind?: string }).kind).toBe('unreachable');
      // The other host: the session made before the restart still works, and so do new ones.
      const r = await runToCompletion(two, { command: 'x', args: [] }, { timeoutMs: 20_000 });
      expect(JSON.parse(r.stdout.toString()).host).toBe('labssh2');
      expect(JSON.parse(await ask(net.addr(2), 'labssh2')).host).toBe('labssh2');
      await lab.setHostUp(net.addr(1), true);
      expect(JSON.parse(await ask(net.addr(1), 'labssh1')).host).toBe('labssh1');
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('lab SSH endpoint lifecycle', () => {
  it('close() stops sshd by pid; the addresses stop answering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-ssh-'));
    try {
      const own = await startLabSsh({ hosts: [{ ref: { name: 'labssh3', address: net.addr(3) } }], dispatcher: whoami, stateDir: dir });
      expect(existsSync(`/proc/${own.pid}`)).toBe(true);
      await own.close();
      await own.close();
      expect(existsSync(`/proc/${own.pid}`)).toBe(false);
      const err = await openSshSession({ name: 'labssh3', address: net.addr(3) }, {
        port: own.port, user: own.user, privateKey: readFileSync(own.clientKeyPath, 'utf8'), passphrase: null, password: null, agent: null,
        knownHostsPath: own.knownHostsPath, connectTimeoutMs: 3_000, keepaliveIntervalMs: 0, commandTimeoutMs: 5_000,
      }).catch((e: unknown) => e);
      expect((err as { kind?: string }).kind).toBe('unreachable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

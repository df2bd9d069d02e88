/**
 * startLabSsh: one real OpenSSH sshd per lab, bound to the SSH lab hosts' loopback addresses on the
 * lab port, with host and client keys of its own in the state folder, and a ForceCommand that hands
 * each command to the lab dispatcher over a unix socket (bridge.ts ↔ entry.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, InternalError } from '../../errors.js';
import { packageDir } from '../../package-root.js';
import { knownHostsName } from '../../transport/ssh/known-hosts.js';
import type { Dispatcher, LabHostRef, LabProcess, LabProcessOutput } from '../dispatcher.js';
import { startBridge } from './bridge.js';
import type { RealPwshHosts } from './real-pwsh.js';
import { ensureKeyPair, readPublicKey } from './keys.js';
import { startLabSftp, type SftpSink } from './sftp.js';
import { renderSshdConfig } from './sshd-config.js';

export const LAB_SSH_PORT = 5922;
export const SSHD_PATH = '/usr/sbin/sshd';
export const SFTP_SERVER_PATH = '/usr/lib/openssh/sftp-server';

export interface LabSshOptions {
  /**
   * `pwsh`: the absolute path of a real pwsh. That host's `powershell.exe …` command lines then run in it
   * for real (the command line mapped onto pwsh, see real-pwsh.ts), and its SFTP in the real
   * sftp-server, instead of going to `dispatcher`: for tests of the script runner against real
   * PowerShell over real SSH.
   */
  hosts: Array<{ ref: LabHostRef; port?: number; pwsh?: string }>;
  dispatcher: Dispatcher;
  /** Folder for keys, config, pid and log (created when missing). */
  stateDir: string;
  port?: number;
  /** The account clients log in as (default: the user running the lab; it must exist on this machine). */
  user?: string;
  /**
   * Where SFTP uploads go (the host state). With it the endpoint serves the sftp subsystem (the SSH
   * transport's putFile); without it SFTP is refused.
   */
  files?: SftpSink;
}

export interface LabSsh {
  close(): Promise<void>;
  /**
   * Take a host's SSH endpoint down (its address stops answering, its open connections are cut)
   * or bring it back: for the lab's `down` and `reboot` faults.
   */
  setHostUp(address: string, up: boolean): Promise<void>;
  port: number;
  /** SHA256:… of the host key every lab SSH host presents. */
  hostKeyFingerprint: string;
  hostKeyPath: string;
  /** authorized_keys the sshd reads (append lines to authorize more keys; read on every login). */
  authorizedKeyPath: string;
  /** Private key (OpenSSH format, unencrypted) that logs in: point the inventory's ssh.key at it. */
  clientKeyPath: string;
  /** known_hosts with every lab SSH host's entry: point the inventory's ssh.knownHosts at it. */
  knownHostsPath: string;
  user: string;
  /** The sshd listener's pid (changes when a host goes down or up). */
  readonly pid: number;
  configPath: string;
  logPath: string;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where entry.js is: tsc's dist/lab/ssh/entry.js when this module runs built (from dist/lab/ssh/, or
 * inlined in the bundled CLI, whose build keeps tsc's output beside it); under vitest (this module is
 * src/lab/ssh/server.ts), the sources transpiled into the state folder with the lab modules entry.ts
 * imports, in the same folder layout (ssh/, windows/), so the tests run the current sources.
 */
async function entryScript(stateDir: string): Promise<string> {
  const root = packageDir('the lab\'s SSH entry script');
  const built = join(root, 'dist', 'lab', 'ssh');
  if (!fileURLToPath(import.meta.url).endsWith('.ts') && existsSync(join(built, 'entry.js')) && existsSync(join(built, 'bridge-protocol.js'))) {
    return join(built, 'entry.js');
  }
  const ts = (await import('typescript')).default;
  const outDir = join(stateDir, 'entry');
  const modules = ['ssh/entry', 'ssh/bridge-protocol', 'ssh/real-pwsh', 'windows/command-line'];
  for (const name of modules) {
    const source = readFileSync(join(root, 'src', 'lab', `${name}.ts`), 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    mkdirSync(dirname(join(outDir, name)), { recursive: true });
    writeFileSync(join(outDir, `${name}.js`), out.outputText);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return join(outDir, 'ssh', 'entry.js');
}

/** Unix socket paths are limited to ~107 bytes: fall back to /tmp for deep state folders. */
function bridgeSocketPath(stateDir: string): string {
  const inState = join(stateDir, 'bridge.sock');
  if (Buffer.byteLength(inState) < 100) return inState;
  return join(tmpdir(), `cortex-lab-ssh-${createHash('sha256').update(stateDir).digest('hex').slice(0, 16)}.sock`);
}

/** An sshd left running by a lab that died: ours if its command line names our config. */
function killStale(pidFile: string, configPath: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(configPath)) process.kill(pid, 'SIGTERM');
  } catch {
    /* nothing stale */
  }
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolveP) => {
    const s = connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolveP(true);
    });
    s.once('error', () => resolveP(false));
  });
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

async function waitListening(child: ChildProcess, listen: Array<{ address: string; port: number }>, logPath: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  for (;;) {
    if (exited !== null) throw new InternalError(`the lab sshd exited (${exited}) while starting: ${logTail(logPath)}`);
    const up = await Promise.all(listen.map((l) => canConnect(l.address, l.port)));
    if (up.every(Boolean)) {
      if (/Bind to port .* failed|Cannot bind any address/.test(logTail(logPath))) {
        throw new InputError(`the lab sshd could not bind every address: ${logTail(logPath)}`);
      }
      return;
    }
    if (Date.now() > deadline) throw new InternalError(`the lab sshd did not start listening within 10 s: ${logTail(logPath)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startLabSsh(o: LabSshOptions): Promise<LabSsh> {
  if (!existsSync(SSHD_PATH)) {
    throw new InputError(`${SSHD_PATH} is missing: the lab's SSH hosts need Debian's openssh-server`, {
      hint: 'Run scripts/setup.sh (or apt-get install openssh-server).',
    });
  }
  if (o.hosts.length === 0) throw new InputError('startLabSsh needs at least one host');
  const port = o.port ?? LAB_SSH_PORT;
  const listen = o.hosts.map((h) => ({ address: h.ref.address, port: h.port ?? port }));
  for (const l of listen) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(l.address)) {
      throw new InputError(`lab SSH host address ${l.address} is not a loopback address (127.0.0.0/8)`);
    }
  }
  const stateDir = resolve(o.stateDir);
  const sessionHome = join(stateDir, 'home');
  mkdirSync(sessionHome, { recursive: true });
  // sshd insists on its privilege separation folder (creating it needs root; if we cannot, sshd's
  // own message says what is missing).
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    /* reported by sshd at start */
  }

  const hostKeyPath = join(stateDir, 'ssh_host_ed25519_key');
  const clientKeyPath = join(stateDir, 'client_ed25519');
  await Promise.all([ensureKeyPair(hostKeyPath, 'ed25519', 'cortex-lab-host'), ensureKeyPair(clientKeyPath, 'ed25519', 'cortex-lab-client')]);
  const hostKey = readPublicKey(`${hostKeyPath}.pub`);
  const clientKey = readPublicKey(`${clientKeyPath}.pub`);

  const authorizedKeyPath = join(stateDir, 'authorized_keys');
  if (!existsSync(authorizedKeyPath) || !readFileSync(authorizedKeyPath, 'utf8').includes(clientKey.line)) {
    writeFileSync(authorizedKeyPath, `${clientKey.line}\n`, { flag: 'a', mode: 0o600 });
  }
  const knownHostsPath = join(stateDir, 'known_hosts');
  writeFileSync(knownHostsPath, listen.map((l) => `${knownHostsName(l.address, l.port)} ${hostKey.keyType} ${hostKey.blob.toString('base64')}\n`).join(''));

  const socketPath = bridgeSocketPath(stateDir);
  const entry = await entryScript(stateDir);
  const realPwshPath = join(stateDir, 'real-pwsh.json');
  const realPwsh: RealPwshHosts = {};
  for (const h of o.hosts) {
    if (!h.pwsh) continue;
    if (!isAbsolute(h.pwsh) || !existsSync(h.pwsh)) throw new InputError(`lab SSH host ${h.ref.name}: pwsh ${h.pwsh} is not an existing absolute path`);
    if (!existsSync(SFTP_SERVER_PATH)) throw new InputError(`${SFTP_SERVER_PATH} is missing: real-pwsh lab hosts serve SFTP with it (openssh-server)`);
    realPwsh[h.ref.address] = { pwsh: h.pwsh, sftpServer: SFTP_SERVER_PATH };
  }
  writeFileSync(realPwshPath, `${JSON.stringify(realPwsh)}\n`);
  const wrapper = join(stateDir, 'entry.sh');
  // Absolute paths only: the account's PATH and shell start-up files play no part.
  writeFileSync(wrapper, `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(entry)} ${shQuote(socketPath)} ${shQuote(realPwshPath)}\n`);
  chmodSync(wrapper, 0o755);

  const user = o.user ?? userInfo().username;
  const pidFile = join(stateDir, 'sshd.pid');
  const configPath = join(stateDir, 'sshd_config');
  const logPath = join(stateDir, 'sshd.log');
  const writeConfig = (addresses: typeof listen): void =>
    writeFileSync(
      configPath,
      renderSshdConfig({ listen: addresses, hostKeyPaths: [hostKeyPath], authorizedKeysPath: authorizedKeyPath, forceCommandPath: shQuote(wrapper), pidFile, user, sessionHome }),
    );
  writeConfig(listen);
  killStale(pidFile, configPath);

  const byAddress = new Map(o.hosts.map((h) => [h.ref.address, h.ref]));
  const down = new Set<string>();
  const bridge = await startBridge({
    socketPath,
    dispatcher: o.dispatcher,
    // A host that is down takes no new commands, even on a connection made before it went down.
    hostAt: (a) => (down.has(a) ? 'down' : (byAddress.get(a) ?? null)),
    ...(o.files ? { sftp: (host: LabHostRef, out: LabProcessOutput): LabProcess => startLabSftp(host, out, o.files!) } : {}),
  });

  const sshd = new SshdProcess(configPath, logPath);
  try {
    await sshd.start(listen);
  } catch (err) {
    await bridge.close();
    throw err;
  }

  let closing: Promise<void> | null = null;
  let changing: Promise<void> = Promise.resolve();
  return {
    port,
    hostKeyFingerprint: hostKey.fingerprint,
    hostKeyPath,
    authorizedKeyPath,
    clientKeyPath,
    knownHostsPath,
    user,
    get pid() {
      return sshd.pid;
    },
    configPath,
    logPath,
    setHostUp: (address, up) => {
      if (!byAddress.has(address)) return Promise.reject(new InputError(`no lab SSH host listens on ${address}`));
      changing = changing.then(async () => {
        if (up === !down.has(address)) return;
        if (up) down.delete(address);
        else down.add(address);
        const listening = listen.filter((l) => !down.has(l.address));
        // sshd cannot drop one ListenAddress: restart the listener (sessions of other hosts are
        // separate processes and live on), then cut the down host's open connections.
        await sshd.stop();
        writeConfig(listening.length > 0 ? listening : listen);
        if (listening.length > 0) await sshd.start(listening);
        if (!up) killConnectionsTo(address, listen.find((l) => l.address === address)!.port);
      });
      return changing;
    },
    close: () => {
      closing ??= (async () => {
        await changing.catch(() => undefined);
        await sshd.stop();
        // Open sessions: their entry points lose the bridge and end.
        await bridge.close();
      })();
      return closing;
    },
  };
}

/** The sshd listener process (-D: it stays our child). Per-connection sshd processes are not ours to track. */
class SshdProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  constructor(
    private readonly configPath: string,
    private readonly logPath: string,
  ) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(listen: Array<{ address: string; port: number }>): Promise<void> {
    const child = spawn(SSHD_PATH, ['-D', '-f', this.configPath, '-E', this.logPath], { stdio: 'ignore', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    this.child = child;
    this.exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      await waitListening(child, listen, this.logPath);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3_000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

/** /proc/net/tcp writes an IPv4 address:port as little-endian hex: 127.0.0.1:22 → 0100007F:0016. */
function procNetAddress(address: string, port: number): string {
  const hex = address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
  return `${hex}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/**
 * A host going down drops its open SSH connections: find the established sockets whose local end is
 * the host's address and port, and end the sshd processes holding them. SIGKILL, not SIGTERM: a
 * terminated sshd closes its channels cleanly (an exit status reaches the client), which is not what
 * a host that goes down looks like; a killed one just drops the socket.
 */
function killConnectionsTo(address: string, port: number): void {
  const local = procNetAddress(address, port);
  const inodes = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local && f[3] === '01' && f[9]) inodes.add(f[9]);
    }
  } catch {
    return;
  }
  if (inodes.size === 0) return;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('sshd')) continue;
      const holds = readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          return m !== null && inodes.has(m[1]!);
        } catch {
          return false;
        }
      });
      if (holds) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone meanwhile, or not ours to see */
    }
  }
}

/**
 * The lab SSH entry point's real-PowerShell mode: for a host started with `pwsh` (startLabSsh), a
 * `powershell.exe …` command line runs in that pwsh for real, with the client's channel as its stdio,
 * and the sftp subsystem runs the real sftp-server. Nothing is emulated: what pwsh prints is what the
 * client gets, exit code included. Other commands fail with "not emulated by the lab".
 *
 * The command line is read with the lab's own Windows parser (../windows/command-line.ts), as Windows'
 * sshd would hand it to CreateProcess. pwsh starts from a clean environment without the account's shell,
 * so no start-up file (~/.bashrc, profiles: HOME is the lab's empty session folder) plays a part.
 *
 * Imports only Node built-ins and lab modules that do the same: entry.ts runs as plain JavaScript.
 */
import { spawn } from 'node:child_process';
import { commandLineToArgv } from '../windows/command-line.js';

/** Lab address → the pwsh that runs that host's commands (the real-pwsh.json file startLabSsh writes). */
export type RealPwshHosts = Record<string, { pwsh: string; sftpServer: string }>;

const POWERSHELL = /^(powershell|pwsh)(\.exe)?$/i;

export interface RealPwshEntry {
  /** Is the client gone (sshd closed its end of our stdout)? */
  stdoutReaderGone(): boolean;
  /** Write a message on the channel's stderr and exit with `code` (entry.ts owns the channel). */
  fail(message: string, code: number): never;
}

export function runRealPwsh(host: { pwsh: string; sftpServer: string }, command: string | null, entry: RealPwshEntry): void {
  const { stdoutReaderGone } = entry;
  if (command === null || command.trim() === '') return entry.fail('the lab does not offer interactive shells over SSH; pass a command', 1);
  let file: string;
  let args: string[];
  if (command === 'internal-sftp' || /(^|\/)sftp-server$/.test(command)) {
    file = host.sftpServer;
    args = [];
  } else {
    const words = commandLineToArgv(command);
    const program = (words[0] ?? '').split(/[\\/]/).pop() ?? '';
    if (!POWERSHELL.test(program)) {
      return entry.fail(`${words[0] ?? ''}: not emulated by the lab (this host runs PowerShell for real: powershell.exe and pwsh only)`, 1);
    }
    file = host.pwsh;
    args = words.slice(1);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    USER: process.env.USER ?? '',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    POWERSHELL_UPDATECHECK: 'Off',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    ...(process.env.DOTNET_ROOT ? { DOTNET_ROOT: process.env.DOTNET_ROOT } : {}),
  };
  // Its own process group, so ending the channel ends what it started too (native programs).
  const child = spawn(file, args, { stdio: 'inherit', env, detached: true });
  let ended = false;
  const killTree = (): void => {
    if (ended || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  child.on('error', (err) => entry.fail(`cannot start ${file}: ${err.message}`, 127));
  child.on('exit', (code, signal) => {
    ended = true;
    process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
  });
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, killTree);
  // The client closed the channel (sshd closes its end of our stdout): end the process, as Windows' sshd does.
  setInterval(() => {
    if (stdoutReaderGone()) killTree();
  }, 250).unref();
}

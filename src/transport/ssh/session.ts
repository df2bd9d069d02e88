/**
 * The SSH Session: one authenticated connection per host, one exec channel per process, SFTP for
 * files. Knows nothing about PowerShell beyond building a command line every Windows shell reads
 * the same way (command-line.ts).
 */
import type { Client, SFTPWrapper } from 'ssh2';
import { InternalError, ProtocolError, type CortexError } from '../../errors.js';
import type { HostRef, ProcessSpec, RemoteProcess, Session, SpawnOptions } from '../session.js';
import { buildCommandLine } from './command-line.js';
import { channelTimeoutError, connectionLostError } from './errors.js';
import { SshProcess } from './process.js';
import type { SshConnectSettings } from './settings.js';

/** `C:\ProgramData\x` → `/C:/ProgramData/x`, the form Windows' sftp-server expects; POSIX paths unchanged. */
export function sftpPath(remotePath: string): string {
  if (/^[A-Za-z]:[\\/]/.test(remotePath)) return `/${remotePath.replace(/\\/g, '/')}`;
  return remotePath.replace(/\\/g, '/');
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class SshSession implements Session {
  readonly transport = 'ssh' as const;
  private readonly processes = new Set<SshProcess>();
  private lost: CortexError | null = null;
  private closing: Promise<void> | null = null;
  private sftp: Promise<SFTPWrapper> | null = null;

  constructor(
    readonly host: HostRef,
    private readonly client: Client,
    /** The bastion's connection when the host is reached through one; closed with the session. */
    private readonly bastion: Client | null,
    private readonly settings: SshConnectSettings,
    private readonly where: string,
  ) {
    const onLost = (err?: unknown): void => {
      if (this.closing || this.lost) return;
      this.lost = connectionLostError(host.name, where, err);
      for (const p of this.processes) p.connectionLost(this.lost);
      this.processes.clear();
    };
    client.on('error', onLost);
    client.on('close', () => onLost());
    bastion?.on('error', onLost);
    bastion?.on('close', () => onLost());
  }

  private usable(): void {
    if (this.lost) throw this.lost;
    if (this.closing) throw new InternalError('the SSH session is closed', { host: this.host.name });
  }

  async spawn(spec: ProcessSpec, options?: SpawnOptions): Promise<RemoteProcess> {
    this.usable();
    const line = buildCommandLine(spec);
    const ms = options?.timeoutMs ?? this.settings.commandTimeoutMs;
    const opened = new Promise<SshProcess>((resolve, reject) => {
      try {
        this.client.exec(line, (err, channel) => {
          if (err) {
            reject(this.lost ?? new ProtocolError(`${this.where} refused to start ${spec.command}: ${err.message}`, { host: this.host.name }));
            return;
          }
          const proc = new SshProcess(channel, this.host.name, () => this.processes.delete(proc));
          this.processes.add(proc);
          resolve(proc);
        });
      } catch (err) {
        reject(this.lost ?? connectionLostError(this.host.name, this.where, err));
      }
    });
    return withTimeout(opened, ms, () => channelTimeoutError(this.host.name, `${this.where} (opening a channel for ${spec.command})`, ms));
  }

  private openSftp(): Promise<SFTPWrapper> {
    this.sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => {
        if (err) reject(new ProtocolError(`${this.where} refused the SFTP subsystem: ${err.message}`, { host: this.host.name }));
        else resolve(sftp);
      });
    });
    this.sftp.catch(() => {
      this.sftp = null;
    });
    return this.sftp;
  }

  async putFile(localPath: string, remotePath: string): Promise<void> {
    this.usable();
    const ms = this.settings.commandTimeoutMs;
    const sftp = await withTimeout(this.openSftp(), ms, () => channelTimeoutError(this.host.name, `${this.where} (SFTP)`, ms));
    const target = sftpPath(remotePath);
    const put = (): Promise<void> =>
      new Promise((resolve, reject) => sftp.fastPut(localPath, target, (err) => (err ? reject(err) : resolve())));
    try {
      await put();
    } catch (err) {
      // A missing folder: create the parents (mkdir -p) and try once more.
      if ((err as { code?: number }).code !== 2) throw this.sftpError(err, target);
      await this.mkdirs(sftp, target.slice(0, target.lastIndexOf('/')));
      await put().catch((e: unknown) => {
        throw this.sftpError(e, target);
      });
    }
  }

  private sftpError(err: unknown, target: string): CortexError {
    return this.lost ?? new ProtocolError(`SFTP upload to ${target} failed: ${(err as Error).message}`, { host: this.host.name });
  }

  private async mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
    const parts = dir.split('/').filter((p) => p !== '');
    let path = dir.startsWith('/') ? '' : '.';
    for (const part of parts) {
      path += `/${part}`;
      if (/^\/[A-Za-z]:$/.test(path)) continue; // a drive exists or nothing will help
      await new Promise<void>((resolve) => sftp.mkdir(path, () => resolve())); // exists → error, ignored
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const p of [...this.processes]) await p.terminate();
      const ended = (c: Client): Promise<void> =>
        new Promise<void>((resolve) => {
          if (this.lost) {
            c.end(); // already gone: there is no close to wait for
            resolve();
            return;
          }
          c.once('close', () => resolve());
          c.end();
          setTimeout(resolve, 2_000).unref();
        });
      await ended(this.client);
      if (this.bastion) await ended(this.bastion);
    })();
    return this.closing;
  }
}

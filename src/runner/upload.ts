/**
 * File upload through a session: skipped when the host already has a file with the same SHA-256;
 * otherwise the transport's own transfer (putFile, e.g. SFTP) or, without one, the bytes streamed
 * through a PowerShell process's stdin (ps1/runner/receive-file.ps1); then verified on the host.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { OperationTimeoutError, ScriptError } from '../errors.js';
import { encodeFrame } from '../protocol/script-frames.js';
import { redact } from '../secrets/registry.js';
import { receiveFileSpec } from './bootstrap.js';
import { decodeStderr } from './clixml.js';
import { runnerFileHash, runnerReceiveFile } from '../scripts/catalog.js';
import { checkParams, parseData } from '../scripts/contract.js';
import { findEnvelope } from './result.js';
import type { ScriptRunner } from './runner.js';

export interface UploadOptions {
  /** Bytes per stdin write (default 1 MiB; transports split further to fit their envelopes). */
  chunkBytes?: number;
  /** Upper bound for the whole transfer (default 30 min). */
  timeoutMs?: number;
}

export interface UploadResult {
  remotePath: string;
  bytes: number;
  sha256: string;
  /** True when the host had the same file already and nothing was sent. */
  skipped: boolean;
  method: 'none' | 'putFile' | 'stdin';
}

export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function uploadFile(runner: ScriptRunner, localPath: string, remotePath: string, opts: UploadOptions = {}): Promise<UploadResult> {
  const host = runner.session.host.name;
  const local = await sha256OfFile(localPath);
  const before = await runner.callData(runnerFileHash, { path: remotePath }, { timeoutMs: 600_000 });
  if (before.exists && before.sha256 === local.sha256) {
    return { remotePath, bytes: local.bytes, sha256: local.sha256, skipped: true, method: 'none' };
  }
  let method: UploadResult['method'];
  if (runner.session.putFile) {
    await runner.exclusive(() => runner.session.putFile!(localPath, remotePath));
    method = 'putFile';
  } else {
    await runner.exclusive(async () => {
      await runner.releaseResidentNow();
      await streamThroughStdin(runner, localPath, remotePath, local.bytes, opts);
    });
    method = 'stdin';
  }
  const after = await runner.callData(runnerFileHash, { path: remotePath }, { timeoutMs: 600_000 });
  if (!after.exists || after.sha256 !== local.sha256) {
    throw new ScriptError(
      `uploaded ${localPath} to ${remotePath}, but the host reports ${after.exists ? `SHA-256 ${after.sha256}` : 'no file'} instead of ${local.sha256}`,
      { host, script: runnerFileHash.id, hint: 'The transfer was corrupted or the file was changed meanwhile; run again.' },
    );
  }
  return { remotePath, bytes: local.bytes, sha256: local.sha256, skipped: false, method };
}

async function streamThroughStdin(runner: ScriptRunner, localPath: string, remotePath: string, length: number, opts: UploadOptions): Promise<void> {
  const session = runner.session;
  const host = session.host.name;
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const size = (await stat(localPath)).size;
  if (size !== length) throw new ScriptError(`${localPath} changed while uploading`, { host, script: runnerReceiveFile.id });
  const proc = await session.spawn(receiveFileSpec(), { timeoutMs });
  const stdout = new StringDecoder('utf8');
  const stderr = new StringDecoder('utf8');
  let out = '';
  let err = '';
  proc.on('stdout', (c) => (out += stdout.write(c)));
  proc.on('stderr', (c) => (err += stderr.write(c)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void proc.terminate();
      reject(new OperationTimeoutError(`upload of ${remotePath} did not finish within ${timeoutMs} ms`, { host, script: runnerReceiveFile.id }));
    }, timeoutMs);
  });
  try {
    const header = encodeFrame({
      type: 'run',
      id: 'upload',
      scriptId: runnerReceiveFile.id,
      script: '',
      params: checkParams(runnerReceiveFile, host, { path: remotePath, length }),
      timeoutMs,
    });
    // Each write is issued the moment the previous one is accepted, the next chunk read meanwhile: on
    // WinRM a gap between writes lets the process pump start a Receive poll that the next Send must wait
    // out. The header frame travels with the first chunk.
    const chunkBytes = opts.chunkBytes ?? 1024 * 1024;
    const file = await open(localPath, 'r');
    try {
      const read = async (position: number): Promise<Buffer> => {
        const buf = Buffer.allocUnsafe(chunkBytes);
        const { bytesRead } = await file.read(buf, 0, chunkBytes, position);
        return buf.subarray(0, bytesRead);
      };
      let position = 0;
      let pending = length > 0 ? read(0) : null;
      let first: Buffer | null = Buffer.from(header, 'ascii');
      while (pending) {
        const chunk = await Promise.race([pending, timeout]);
        if (chunk.length === 0) throw new ScriptError(`${localPath} changed while uploading`, { host, script: runnerReceiveFile.id });
        position += chunk.length;
        const last = position >= length;
        pending = last ? null : read(position);
        const data = first ? Buffer.concat([first, chunk]) : chunk;
        first = null;
        // The last chunk and EOF are queued together, so the transport can send them as one request.
        await Promise.race([Promise.all([proc.write(data), ...(last ? [proc.closeStdin()] : [])]), timeout]);
      }
      if (first) await Promise.race([Promise.all([proc.write(first), proc.closeStdin()]), timeout]); // empty file
    } finally {
      await file.close();
    }
    const status = await Promise.race([proc.exit, timeout]);
    out += stdout.end();
    err += stderr.end();
    const lines = out.split(/\r?\n/).filter((l) => l.trim() !== '');
    const envelope = findEnvelope(lines);
    if (status.exitCode !== 0 || !envelope?.result.ok) {
      const message = envelope?.result.error?.message ?? (decodeStderr(err) || `exit code ${status.exitCode}`);
      throw new ScriptError(`could not write ${remotePath}: ${redact(message)}`, { host, script: runnerReceiveFile.id });
    }
    const received = parseData(runnerReceiveFile, host, envelope.result.data);
    if (received.bytes !== length) {
      throw new ScriptError(`the host wrote ${received.bytes} of the ${length} bytes of ${remotePath}`, { host, script: runnerReceiveFile.id });
    }
  } finally {
    clearTimeout(timer);
  }
}

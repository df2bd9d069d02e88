/**
 * runner.receive-file held to its lab handler. The script reads raw stdin and writes through [IO.File]
 * in its own process, so no shim can stand in for Windows here; instead it runs for real, started as the
 * runner starts it (receiveFileSpec: -EncodedCommand of the stripped text, the header frame and then
 * the bytes on stdin), writing under a temporary folder that stands for the host's drive. The handler
 * gets the same request with the Windows path. Compared: the result envelope (the path mapped back,
 * error text and category included), the exit code, and the file the script wrote against what the
 * handler recorded in the host state (SHA-256 and size), for a new file, an overwrite, an empty file,
 * a stdin that ends early and a relative path.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLERS, handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { encodeFrame } from '../../../src/protocol/script-frames.js';
import { receiveFileSpec } from '../../../src/runner/bootstrap.js';
import { ReceiveFileData } from '../../../src/runner/file-results.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { diffValues } from './diff.js';
import { presetStates } from './machines.js';

const pwsh = pwshForTests('test/lab/differential (receive-file)');
const root = mkdtempSync(join(tmpdir(), 'cortex-receive-diff-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The Windows path as a path under `root` (C:\a\b → <root>/C/a/b); a relative path stays as it is. */
function onDisk(windowsPath: string): string {
  const m = /^([A-Za-z]):\\(.*)$/.exec(windowsPath);
  return m ? join(root, m[1]!.toUpperCase(), ...m[2]!.split('\\')) : windowsPath;
}
/** Every string in `value` with the on-disk path put back as the Windows path. */
function toWindows<T>(value: T, windowsPath: string): T {
  const local = onDisk(windowsPath);
  const walk = (v: unknown): unknown =>
    typeof v === 'string' ? v.split(local).join(windowsPath)
      : Array.isArray(v) ? v.map(walk)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(value) as T;
}

interface Run {
  exitCode: number | null;
  envelope: { ok: boolean; data: unknown; error: { message: string; category: string } | null };
}

/** The script for real: its own pwsh, the header frame, then `bytes` (which may be fewer than `length`). */
function runScript(path: string, length: number, bytes: Buffer): Promise<Run> {
  const spec = receiveFileSpec();
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh!, spec.args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const lines = out.split(/\r?\n/).filter((l) => l !== '');
      if (lines.length !== 1) return reject(new Error(`receive-file printed ${lines.length} lines: ${out} (stderr: ${err})`));
      resolve({ exitCode, envelope: JSON.parse(lines[0]!) as Run['envelope'] });
    });
    const header = encodeFrame({ type: 'run', id: 'upload', scriptId: 'runner.receive-file', script: '', params: { path, length }, timeoutMs: 60_000 });
    child.stdin.write(header);
    child.stdin.end(bytes);
  });
}

const handler = handlerRegistry(HANDLERS).get('runner.receive-file')!;

async function runHandler(state: LabHostState, path: string, length: number, bytes: Buffer): Promise<Run> {
  const params = handler.params.parse({ path, length });
  const r = await handler.run({ host: state.host, state, params, input: bytes, lab: { hosts: [] } as never, now: () => new Date() });
  if ('raw' in r) throw new Error('a raw outcome is not comparable');
  return r.ok
    ? { exitCode: 0, envelope: { ok: true, data: r.data ?? null, error: null } }
    : { exitCode: 1, envelope: { ok: false, data: r.data ?? null, error: r.error ?? null } };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Case {
  name: string;
  path: string;
  length: number;
  bytes: Buffer;
  /** Bytes already at the path before the upload (on disk and in the lab's state). */
  existing?: Buffer;
}

const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
const CASES: Case[] = [
  { name: 'a new file in a new folder, every byte value', path: 'C:\\ProgramData\\Cortex\\artifacts\\erlang.exe', length: payload.length, bytes: payload },
  { name: 'an overwrite of an existing file', path: 'C:\\ProgramData\\Cortex\\cookie.txt', length: 5, bytes: Buffer.from('fresh'), existing: Buffer.from('stale and longer') },
  { name: 'an empty file', path: 'C:\\ProgramData\\Cortex\\empty.txt', length: 0, bytes: Buffer.alloc(0) },
  { name: 'stdin that ends early (the target is left as it was)', path: 'C:\\ProgramData\\Cortex\\short.bin', length: 1000, bytes: payload.subarray(0, 600) },
  { name: 'a relative path', path: 'relative\\x.bin', length: 3, bytes: Buffer.from('abc') },
];

describe.skipIf(!pwsh)('runner.receive-file: the lab handler agrees with the script run for real', () => {
  const base = presetStates()[0]!.state;
  it.each(CASES)('$name', async (c) => {
    const state = structuredClone(base);
    const disk = onDisk(c.path);
    if (c.existing) {
      mkdirSync(dirname(disk), { recursive: true });
      writeFileSync(disk, c.existing);
      state.machine.files[c.path] = sha(c.existing);
      state.machine.fileSizes[c.path] = c.existing.length;
    }
    const script = await runScript(disk, c.length, c.bytes);
    const lab = await runHandler(state, c.path, c.length, c.bytes);

    const mapped = toWindows(script.envelope, c.path);
    const differences = diffValues(lab.envelope, mapped);
    if (script.exitCode !== lab.exitCode) differences.push(`exit code: handler ${lab.exitCode} vs script ${script.exitCode}`);
    if (mapped.ok) ReceiveFileData.parse(mapped.data);
    if (lab.envelope.ok) ReceiveFileData.parse(lab.envelope.data);

    // The file: what the script left on disk against what the handler recorded.
    const onHost = existsSync(disk) ? readFileSync(disk) : null;
    const recorded = state.machine.files[c.path];
    const diskSha = onHost ? sha(onHost) : undefined;
    if (diskSha !== recorded) differences.push(`file ${c.path}: handler recorded ${recorded ?? '(none)'} vs script wrote ${diskSha ?? '(none)'}`);
    if (onHost && state.machine.fileSizes[c.path] !== onHost.length) differences.push(`size of ${c.path}: handler ${state.machine.fileSizes[c.path]} vs script ${onHost.length}`);
    if (existsSync(`${disk}.cortex-partial`)) differences.push(`the script left ${c.path}.cortex-partial behind`);
    expect(differences, `${c.name}:\n  ${differences.join('\n  ')}`).toEqual([]);
  }, 120_000);
});

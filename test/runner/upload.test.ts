import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { ScriptRunner } from '../../src/runner/index.js';
import { decodeCommand } from '../../src/runner/bootstrap.js';
import { FakeSession } from '../fakes/fake-session.js';
import { createTestExecutor } from '../fakes/test-executor.js';

const host = { name: 'web1', address: '127.0.40.2' };
const dir = mkdtempSync(join(tmpdir(), 'cortex-upload-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function setup(putFile?: (executorFiles: Map<string, Buffer>) => (l: string, r: string) => Promise<void>) {
  const executor = createTestExecutor();
  const files = new Map<string, Buffer>();
  executor.files.set(host.name, files);
  const session = new FakeSession(host, createPowerShellDispatcher(executor), putFile ? { putFile: putFile(files) } : {});
  return { session, runner: new ScriptRunner(session), files, executor };
}

describe('ScriptRunner.upload', () => {
  it('streams through stdin without putFile, verifies, and skips the second time', async () => {
    const { session, runner, files } = setup();
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const local = join(dir, 'payload.bin');
    writeFileSync(local, content);
    const first = await runner.upload(local, 'C:\\Cortex\\payload.bin', { chunkBytes: 256 * 1024 });
    expect(first).toMatchObject({ skipped: false, method: 'stdin', bytes: content.length, sha256: sha(content) });
    expect(files.get('c:\\cortex\\payload.bin')?.equals(content)).toBe(true);
    const texts = session.spawned.map((s) => decodeCommand(s.args.at(-1)!));
    expect(texts.filter((t) => t.startsWith('# cortex-script: runner.receive-file'))).toHaveLength(1);
    // The idle resident is ended before streaming (it would share a WinRM socket) and restarted after.
    expect(texts.filter((t) => t.startsWith('# cortex-script: bootstrap.resident'))).toHaveLength(2);
    const spawnsBefore = session.spawned.length;
    const second = await runner.upload(local, 'C:\\Cortex\\payload.bin');
    expect(second).toMatchObject({ skipped: true, method: 'none' });
    expect(session.spawned.length).toBe(spawnsBefore); // only the resident ran the hash check
  });

  it('re-sends when the host has a different file', async () => {
    const { runner, files } = setup();
    files.set('c:\\x.txt', Buffer.from('old'));
    const local = join(dir, 'x.txt');
    writeFileSync(local, 'new content');
    const r = await runner.upload(local, 'C:\\x.txt');
    expect(r.skipped).toBe(false);
    expect(files.get('c:\\x.txt')?.toString()).toBe('new content');
  });

  it('uses the session putFile when there is one', async () => {
    const calls: string[] = [];
    const { runner, session } = setup((files) => async (l, r) => {
      calls.push(`${l} -> ${r}`);
      files.set(r.toLowerCase(), Buffer.from('via sftp'));
    });
    const local = join(dir, 'y.txt');
    writeFileSync(local, 'via sftp');
    const r = await runner.upload(local, 'C:\\y.txt');
    expect(r.method).toBe('putFile');
    expect(calls).toEqual([`${local} -> C:\\y.txt`]);
    expect(session.powershellStarts).toBe(1);
  });

  it('fails with the host, the path and both hashes when verification disagrees', async () => {
    const { runner } = setup((files) => async (_l, r) => {
      files.set(r.toLowerCase(), Buffer.from('corrupted'));
    });
    const local = join(dir, 'z.txt');
    writeFileSync(local, 'original');
    await expect(runner.upload(local, 'C:\\z.txt')).rejects.toThrow(
      new RegExp(`host web1, script runner.file-hash: uploaded .*z.txt to C:\\\\z.txt, but the host reports SHA-256 ${sha(Buffer.from('corrupted'))} instead of ${sha(Buffer.from('original'))}`),
    );
  });
});

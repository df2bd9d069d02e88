/**
 * The artifact store on disk: add/verify round trip, a tampered, truncated or missing file each named,
 * a bad manifest refused with file:line, and concurrent adds that all land in a manifest that is never
 * half written (several processes at once: test/cli/artifacts-cli.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { ManifestError, parseManifest } from '../../src/artifacts/manifest.js';
import { addArtifact, manifestPath, readManifest, verifyStore } from '../../src/artifacts/store.js';

const root = mkdtempSync(join(tmpdir(), 'cortex-artifacts-'));
let n = 0;
function fresh(): { store: string; dir: string } {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  return { store: join(dir, 'store'), dir };
}
function file(dir: string, name: string, bytes: Buffer = randomBytes(50_000)): { path: string; sha256: string; size: number } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

describe('artifact store', () => {
  it('add copies the file under <name>/<version>/ and records its hash and size; verify passes', async () => {
    const { store, dir } = fresh();
    const f = file(dir, 'rabbitmq-server-4.1.4.exe');
    const r = await addArtifact(store, f.path, { url: 'https://github.com/rabbitmq/rabbitmq-server/releases/download/v4.1.4/rabbitmq-server-4.1.4.exe' });
    expect(r.action).toBe('added');
    expect(r.artifact).toEqual({ name: 'rabbitmq', version: '4.1.4', file: 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe', sha256: f.sha256, size: f.size, url: expect.stringContaining('github.com') });
    expect(readFileSync(join(store, 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe')).equals(readFileSync(f.path))).toBe(true);
    const report = await verifyStore(store);
    expect(report.summary).toEqual({ total: 1, ok: 1, missing: 0, wrongSize: 0, wrongHash: 0 });
    expect(report.artifacts[0]!.actual).toEqual({ size: f.size, sha256: f.sha256 });
    expect(report.unrecorded).toEqual([]);
  });

  it('adding the same file again changes nothing; another file under the same name and version needs replace', async () => {
    const { store, dir } = fresh();
    const f = file(dir, 'gobetween_0.8.2_windows_amd64.zip');
    await addArtifact(store, f.path);
    const before = readFileSync(manifestPath(store), 'utf8');
    expect((await addArtifact(store, f.path)).action).toBe('unchanged');
    expect(readFileSync(manifestPath(store), 'utf8')).toBe(before);
    // Adding the stored copy itself (already in place) is fine too.
    expect((await addArtifact(store, join(store, 'gobetween/0.8.2/gobetween_0.8.2_windows_amd64.zip'))).action).toBe('unchanged');

    const other = file(join(dir), 'gobetween_0.8.2_windows_amd64.zip', randomBytes(100));
    const refused = addArtifact(store, other.path);
    await expect(refused).rejects.toThrow(InputError);
    await expect(addArtifact(store, other.path)).rejects.toThrow(/gobetween 0\.8\.2 is already in the store with another file or hash.*add --replace/);
    expect(readFileSync(manifestPath(store), 'utf8')).toBe(before);
    expect((await verifyStore(store)).summary.ok).toBe(1);

    const r = await addArtifact(store, other.path, { replace: true });
    expect(r.action).toBe('replaced');
    expect(r.previous!.sha256).toBe(f.sha256);
    expect((await readManifest(store))!.artifacts[0]!.sha256).toBe(other.sha256);
    expect((await verifyStore(store)).summary.ok).toBe(1);
  });

  it('verify names each problem: a tampered file (same size), a truncated one, a missing one; unrecorded files are listed', async () => {
    const { store, dir } = fresh();
    for (const name of ['otp_win64_27.3.4.exe', 'rabbitmq-server-4.1.4.exe', 'nssm-2.24-101-g897c7ad.zip', 'gobetween_0.8.2_windows_amd64.zip']) await addArtifact(store, file(dir, name).path);
    const erl = join(store, 'erlang/27.3.4/otp_win64_27.3.4.exe');
    const bytes = readFileSync(erl);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(erl, bytes);
    writeFileSync(join(store, 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe'), randomBytes(10));
    const { rmSync } = await import('node:fs');
    rmSync(join(store, 'nssm/2.24-101/nssm-2.24-101-g897c7ad.zip'));
    writeFileSync(join(store, 'stray.exe'), 'x');
    const report = await verifyStore(store);
    const byName = Object.fromEntries(report.artifacts.map((a) => [a.name, a]));
    expect(byName.erlang!.status).toBe('wrong-hash');
    expect(byName.erlang!.message).toMatch(/^erlang\/27\.3\.4\/otp_win64_27\.3\.4\.exe has SHA-256 [0-9a-f]{64}; the manifest records [0-9a-f]{64}\.$/);
    expect(byName.rabbitmq!.status).toBe('wrong-size');
    expect(byName.rabbitmq!.message).toBe('rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe is 10 bytes; the manifest records 50000.');
    expect(byName.nssm!.status).toBe('missing');
    expect(byName.gobetween!.status).toBe('ok');
    expect(report.summary).toEqual({ total: 4, ok: 1, missing: 1, wrongSize: 1, wrongHash: 1 });
    expect(report.unrecorded).toEqual(['stray.exe']);
  });

  it('a bad manifest is refused with file:line and field, by verify and by add (which leaves it as it was)', async () => {
    const { store, dir } = fresh();
    await addArtifact(store, file(dir, 'otp_win64_27.3.4.exe').path);
    const text = readFileSync(manifestPath(store), 'utf8').replace(/size: \d+/, 'size: -3');
    writeFileSync(manifestPath(store), text);
    const line = text.split('\n').findIndex((l) => l.includes('size: -3')) + 1;
    await expect(verifyStore(store)).rejects.toThrow(ManifestError);
    await expect(verifyStore(store)).rejects.toThrow(new RegExp(`manifest\\.yaml:${line}:\\d+, field artifacts\\[0\\]\\.size: `));
    await expect(addArtifact(store, file(dir, 'rabbitmq-server-4.1.4.exe').path)).rejects.toThrow(ManifestError);
    expect(readFileSync(manifestPath(store), 'utf8')).toBe(text);
    // No temp file is left behind by the refused add.
    expect(readdirSync(join(store, 'rabbitmq/4.1.4'))).toEqual([]);
  });

  it('no store, a file that is not there, a name that cannot be inferred: input errors with the fix', async () => {
    const { store, dir } = fresh();
    await expect(verifyStore(store)).rejects.toThrow(/no artifact store at .*manifest\.yaml does not exist/);
    await expect(addArtifact(store, join(dir, 'nope.exe'))).rejects.toThrow(/does not exist/);
    const e = (await addArtifact(store, file(dir, 'cortex-7.2.zip').path).catch((err: unknown) => err)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.context.field).toBe('--name and --version');
    await expect(addArtifact(store, file(dir, 'rewrite_amd64_en-US.msi').path)).rejects.toThrow(/field --version: cannot tell the version/);
    expect((await addArtifact(store, join(dir, 'rewrite_amd64_en-US.msi'), { version: '2.1' })).artifact.file).toBe('urlRewrite/2.1/rewrite_amd64_en-US.msi');
    await expect(addArtifact(store, join(dir, 'cortex-7.2.zip'), { name: '../x', version: '1' })).rejects.toThrow(/not an artifact name/);
  });

  it('concurrent adds in one process: every one recorded, manifest valid', async () => {
    const { store, dir } = fresh();
    const files = Array.from({ length: 12 }, (_, i) => file(dir, `pkg-${i}.zip`, randomBytes(20_000 + i)));
    const results = await Promise.all(files.map((f, i) => addArtifact(store, f.path, { name: `pkg${i}`, version: '1.0' })));
    expect(results.every((r) => r.action === 'added')).toBe(true);
    const m = parseManifest(readFileSync(manifestPath(store), 'utf8'), 'm');
    expect(m.artifacts.map((a) => a.name).sort()).toEqual(files.map((_, i) => `pkg${i}`).sort());
    expect((await verifyStore(store)).summary.ok).toBe(12);
    expect(existsSync(`${manifestPath(store)}.lock`)).toBe(false);
  });

  it('a lock left by a process that died here is taken over; one held by a live process is waited for, then refused', async () => {
    const { store, dir } = fresh();
    mkdirSync(store, { recursive: true });
    const lock = `${manifestPath(store)}.lock`;
    // A pid above the kernel's pid_max cannot be running.
    writeFileSync(lock, JSON.stringify({ pid: 4_194_400, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    expect((await addArtifact(store, file(dir, 'otp_win64_27.3.4.exe').path)).action).toBe('added');
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    const before = readFileSync(manifestPath(store), 'utf8');
    await expect(addArtifact(store, file(dir, 'rabbitmq-server-4.1.4.exe').path, { lockTimeoutMs: 300 })).rejects.toThrow(/another cortex-deploy is writing the artifact manifest .*remove .*manifest\.yaml\.lock/);
    expect(readFileSync(manifestPath(store), 'utf8')).toBe(before);
    expect(readdirSync(join(store, 'rabbitmq/4.1.4'))).toEqual([]);
  });

  it('what a writer that died mid-add leaves (temp files) is neither checked nor reported as unrecorded', async () => {
    const { store, dir } = fresh();
    await addArtifact(store, file(dir, 'otp_win64_27.3.4.exe').path);
    writeFileSync(join(store, 'erlang/27.3.4/otp_win64_27.3.4.exe.cortex-tmp-123-abcd'), 'partial');
    writeFileSync(`${manifestPath(store)}.cortex-tmp-123-abcd`, 'format: 1\nartif');
    const report = await verifyStore(store);
    expect(report.summary.ok).toBe(1);
    expect(report.unrecorded).toEqual([]);
  });
});

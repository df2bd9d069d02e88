/**
 * The lab's artifact store (docs/lab.md, "The lab's artifact store"): `lab versions` lists the versions
 * the synthetic entries tagged `artifact: {name, version}` stand for, oldest first; `lab artifacts` writes
 * their files into a store through `artifacts add` itself (the same manifest a user's `artifacts add`
 * gives, verified by `artifacts verify`); and examples/lab/inventory.yaml pins only versions the lab
 * supports, so a lab inventory copied from it installs with nothing downloaded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { artifactBytes, buildCatalog } from '../../src/lab/artifacts/catalog.js';
import { labVersions, storeArtifacts, unsupportedVersions, writeLabStore } from '../../src/lab/artifacts/store.js';
import { verifyStore } from '../../src/artifacts/store.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exe = (id: string, fileName: string, name: string, version: string) => ({
  id,
  kind: 'exe' as const,
  fileName,
  artifact: { name, version },
  product: { name: `${name} ${version}`, version, uninstallKey: `${name}-${version}`, wow6432: true, quietUninstallString: `"C:\\Program Files (x86)\\${name}\\uninstall.exe" /S` },
});
const catalog = buildCatalog(
  [
    exe('rabbitmq-4.10.0', 'rabbitmq-server-4.10.0.exe', 'rabbitmq', '4.10.0'),
    exe('rabbitmq-4.1.4', 'rabbitmq-server-4.1.4.exe', 'rabbitmq', '4.1.4'),
    exe('erlang-27.3.4', 'otp_win64_27.3.4.exe', 'erlang', '27.3.4'),
    // Not a store artifact: no `artifact`.
    { ...exe('lab-only', 'lab-only.exe', 'x', '1'), artifact: undefined },
  ],
  [
    // Two versions under one real file name: each goes to its own <name>/<version>/ folder.
    { id: 'rewrite-2.0', fileName: 'rewrite_amd64_en-US.msi'.replace('.msi', '.zip'), artifact: { name: 'urlRewrite', version: '2.0' }, entries: { 'a.txt': '2.0' } },
    { id: 'rewrite-2.1', fileName: 'rewrite_amd64_en-US.msi'.replace('.msi', '.zip'), artifact: { name: 'urlRewrite', version: '2.1' }, entries: { 'a.txt': '2.1' } },
  ],
  [],
);

describe('lab versions', () => {
  it('per component, the versions of its tagged entries, oldest first (numerically); untagged entries are not listed', () => {
    expect(labVersions(catalog)).toEqual({ erlang: ['27.3.4'], rabbitmq: ['4.1.4', '4.10.0'], urlRewrite: ['2.0', '2.1'] });
  });

  it('names each pinned version the lab does not support, with what it does', () => {
    const v = labVersions(catalog);
    expect(unsupportedVersions({ erlang: '27.3.4', rabbitmq: '4.1.4' }, v)).toEqual([]);
    expect(unsupportedVersions({ erlang: '26.0', nssm: '2.24-101' }, v)).toEqual([
      { name: 'erlang', version: '26.0', supported: ['27.3.4'] },
      { name: 'nssm', version: '2.24-101', supported: [] },
    ]);
  });
});

describe('lab artifacts', () => {
  it('writes every tagged entry into the store, and the manifest is byte for byte the one artifacts add writes', async () => {
    const store = join(dir, 'lab');
    const results = await writeLabStore(store, catalog);
    expect(results.map((r) => [r.action, r.artifact.file])).toEqual([
      ['added', 'erlang/27.3.4/otp_win64_27.3.4.exe'],
      ['added', 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe'],
      ['added', 'rabbitmq/4.10.0/rabbitmq-server-4.10.0.exe'],
      ['added', 'urlRewrite/2.0/rewrite_amd64_en-US.zip'],
      ['added', 'urlRewrite/2.1/rewrite_amd64_en-US.zip'],
    ]);
    const report = await verifyStore(store);
    expect(report.summary).toMatchObject({ total: 5, ok: 5 });
    expect(report.unrecorded).toEqual([]);

    // The same files through the CLI's artifacts add, one by one.
    const byHand = join(dir, 'by-hand');
    for (const a of storeArtifacts(catalog)) {
      const src = join(dir, 'src', a.id);
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, a.fileName), artifactBytes(a));
      const r = await runCli(['artifacts', 'add', join(src, a.fileName), '--name', a.artifact.name, '--version', a.artifact.version, '--store', byHand]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(join(store, 'manifest.yaml'), 'utf8')).toBe(readFileSync(join(byHand, 'manifest.yaml'), 'utf8'));
    // Each file's hash is the one the lab recognises on a host (an upload or a download records it).
    for (const a of (await verifyStore(store)).artifacts) expect(catalog.byHash.has(a.actual!.sha256!)).toBe(true);
  }, 120_000);

  it('again: every artifact unchanged', async () => {
    const results = await writeLabStore(join(dir, 'lab'), catalog);
    expect(results.every((r) => r.action === 'unchanged')).toBe(true);
  });
});

describe('the CLI', () => {
  it('lab versions --json is the lab catalog\'s versions', async () => {
    const r = await runCli(['lab', 'versions', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(labVersions());
  });

  it('lab artifacts --store DIR --json writes the store (verified clean)', async () => {
    const store = join(dir, 'cli-store');
    const r = await runCli(['lab', 'artifacts', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { store: string; artifacts: Array<{ action: string; name: string; version: string }> };
    // `cortex` is no file of its own: the versions its three files (cortexApps, cortexGateway, cortexDatabase) share.
    const { cortex, ...files } = labVersions();
    expect(doc.artifacts.map((a) => `${a.name} ${a.version}`)).toEqual(Object.entries(files).flatMap(([n, vs]) => vs.map((v) => `${n} ${v}`)));
    expect(cortex).toEqual(['1.0.0', '1.1.0']);
    for (const v of cortex!) for (const n of ['cortexApps', 'cortexGateway', 'cortexDatabase']) expect(doc.artifacts.map((a) => `${a.name} ${a.version}`)).toContain(`${n} ${v}`);
    if (doc.artifacts.length) {
      const v = await runCli(['artifacts', 'verify', '--store', store]);
      expect(v.code, v.stdout).toBe(0);
    }
  }, 60_000);
});

describe('examples/lab/inventory.yaml', () => {
  it('pins only versions the lab supports (lab versions), so it installs with nothing downloaded', () => {
    const doc = parse(readFileSync(join(REPO_ROOT, 'examples', 'lab', 'inventory.yaml'), 'utf8')) as { all: { vars: { versions: Record<string, string> } } };
    const pinned = doc.all.vars.versions;
    expect(Object.keys(pinned).length).toBeGreaterThan(0);
    expect(unsupportedVersions(pinned)).toEqual([]);
  });
});

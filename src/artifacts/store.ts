/**
 * The artifact store: a folder on the workstation holding the installers, one per name and version
 * under <name>/<version>/<file>, and manifest.yaml recording each one's SHA-256 and size
 * (docs/artifacts.md). `add` copies a file in and records it; `verify` checks every recorded file.
 * Manifest writes are atomic (a temp file renamed over it) and serialised by a lock file, so
 * concurrent adds each land and none is lost.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { copyAndHash, hashFile, type FileDigest } from './hash.js';
import { inferArtifact } from './infer.js';
import { acquireManifestLock } from './lock.js';
import { ARTIFACT_NAME, ARTIFACT_VERSION, MANIFEST_FILE, ManifestError, parseManifest, renderManifest, storePathProblem, type Artifact, type Manifest } from './manifest.js';

export const LOCK_SUFFIX = '.lock';
/** The store folder when none is named: `artifacts` in the current folder (artifacts add, plan, apply). */
export const DEFAULT_ARTIFACT_STORE = 'artifacts';
const TMP_MARK = '.cortex-tmp-';

export function manifestPath(store: string): string {
  return join(store, MANIFEST_FILE);
}

/** The store's manifest; null when there is none yet. A manifest that cannot be read is a ManifestError. */
export async function readManifest(store: string): Promise<Manifest | null> {
  const path = manifestPath(store);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { field: '--store', hint: 'Check the store folder and its permissions.' });
  }
  return parseManifest(text, path);
}

async function writeManifestAtomically(store: string, m: Manifest): Promise<void> {
  const path = manifestPath(store);
  const tmp = `${path}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, renderManifest(m), { flag: 'wx' });
  await rename(tmp, path);
}

export interface AddOptions {
  name?: string | undefined;
  version?: string | undefined;
  url?: string | undefined;
  /** Record this file even though the name and version are recorded with another hash. */
  replace?: boolean | undefined;
  lockTimeoutMs?: number | undefined;
}

export interface AddResult {
  action: 'added' | 'unchanged' | 'replaced';
  artifact: Artifact;
  /** The entry this one replaced. */
  previous?: Artifact | undefined;
}

async function regularFile(path: string, what: string, field: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    throw new InputError(`${what} ${path} does not exist.`, { field, hint: 'Name an existing file.' });
  }
  if (!st.isFile()) throw new InputError(`${what} ${path} is not a regular file.`, { field, hint: 'Name the installer or package file itself.' });
}

function identify(file: string, o: AddOptions): { name: string; version: string } {
  const inferred = inferArtifact(basename(file));
  const name = o.name ?? inferred?.name;
  const version = o.version ?? inferred?.version ?? undefined;
  if (!name || !version) {
    const missing = [!name && '--name', !version && '--version'].filter(Boolean).join(' and ');
    throw new InputError(`cannot tell the ${!name ? 'name' : 'version'} of ${basename(file)} from its file name.`, {
      field: missing,
      hint: `Give ${missing}, e.g. cortex-deploy artifacts add ${basename(file)} --name rabbitmq --version 4.1.4 (docs/artifacts.md lists the names the inventory's versions use).`,
    });
  }
  if (!ARTIFACT_NAME.test(name)) throw new InputError(`'${name}' is not an artifact name.`, { field: '--name', hint: 'Letters, digits, . _ - (starting with a letter), e.g. rabbitmq or serviceFabric.' });
  if (!ARTIFACT_VERSION.test(version)) throw new InputError(`'${version}' is not an artifact version.`, { field: '--version', hint: 'Letters, digits and . _ + -, e.g. 4.1.4.' });
  return { name, version };
}

/** Copy `file` into the store (unless it is already there) and record it in the manifest. */
export async function addArtifact(store: string, file: string, o: AddOptions = {}): Promise<AddResult> {
  await regularFile(file, 'file', 'FILE');
  const { name, version } = identify(file, o);
  if (o.url !== undefined && !URL.canParse(o.url)) throw new InputError(`'${o.url}' is not a URL.`, { field: '--url', hint: 'Give the address it was downloaded from, e.g. https://github.com/rabbitmq/rabbitmq-server/releases/...' });
  const rel = `${name}/${version}/${basename(file)}`;
  const relProblem = storePathProblem(rel);
  if (relProblem) throw new InputError(`the file name ${basename(file)} cannot be stored: it ${relProblem}.`, { field: 'FILE', hint: 'Rename the file to letters, digits, . _ - only.' });
  await mkdir(store, { recursive: true });
  const dest = join(store, ...rel.split('/'));
  await mkdir(join(dest, '..'), { recursive: true });
  const inPlace = (await realpath(file)) === (await realpath(dest).catch(() => null));
  let tmp: string | null = null;
  let digest: FileDigest;
  if (inPlace) {
    digest = await hashFile(dest);
  } else {
    tmp = `${dest}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      digest = await copyAndHash(file, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new InputError(`cannot copy ${file} into the store: ${(err as Error).message}`, { field: 'FILE', hint: 'Check that the file is readable and the store folder writable, with space for the file.' });
    }
  }
  const artifact: Artifact = { name, version, file: rel, sha256: digest.sha256, size: digest.size, ...(o.url ? { url: o.url } : {}) };
  let lock;
  try {
    lock = await acquireManifestLock(`${manifestPath(store)}${LOCK_SUFFIX}`, o.lockTimeoutMs);
  } catch (err) {
    if (tmp) await rm(tmp, { force: true });
    throw err;
  }
  try {
    const manifest = (await readManifest(store)) ?? { artifacts: [] };
    const index = manifest.artifacts.findIndex((a) => a.name.toLowerCase() === name.toLowerCase() && a.version.toLowerCase() === version.toLowerCase());
    const previous = index >= 0 ? manifest.artifacts[index] : undefined;
    const same = previous && previous.sha256 === artifact.sha256 && previous.size === artifact.size && previous.file === artifact.file;
    if (previous && !same && !o.replace) {
      throw new InputError(`${name} ${version} is already in the store with another file or hash (${previous.file}, sha256 ${previous.sha256.slice(0, 12)}…, this file ${artifact.sha256.slice(0, 12)}…).`, {
        field: 'FILE',
        hint: 'Check that this is the file you mean; to record it instead, add --replace.',
      });
    }
    if (tmp) {
      // A replaced entry's old file goes when its path differs; the new file takes its own path.
      await rename(tmp, dest);
      tmp = null;
    }
    if (same) return { action: 'unchanged', artifact: previous };
    const artifacts = previous ? manifest.artifacts.map((a, i) => (i === index ? { ...artifact, ...(artifact.url || !previous.url ? {} : { url: previous.url }) } : a)) : [...manifest.artifacts, artifact];
    await writeManifestAtomically(store, { artifacts });
    if (previous && previous.file !== artifact.file) await rm(join(store, ...previous.file.split('/')), { force: true });
    return { action: previous ? 'replaced' : 'added', artifact: artifacts.find((a) => a.name === name && a.version === version) ?? artifact, previous };
  } finally {
    if (tmp) await rm(tmp, { force: true });
    await lock.release();
  }
}

export type ArtifactStatus = 'ok' | 'missing' | 'wrong-size' | 'wrong-hash';

export interface ArtifactCheck {
  name: string;
  version: string;
  file: string;
  status: ArtifactStatus;
  expected: { size: number; sha256: string };
  actual: { size: number; sha256: string | null } | null;
  message: string;
}

export interface StoreReport {
  store: string;
  manifest: string;
  artifacts: ArtifactCheck[];
  /** Files in the store the manifest does not list (not an error: say so). */
  unrecorded: string[];
  summary: { total: number; ok: number; missing: number; wrongSize: number; wrongHash: number };
}

async function checkOne(store: string, a: Artifact): Promise<ArtifactCheck> {
  const expected = { size: a.size, sha256: a.sha256 };
  const base = { name: a.name, version: a.version, file: a.file };
  const path = join(store, ...a.file.split('/'));
  let st;
  try {
    st = await lstat(path);
  } catch {
    return { ...base, status: 'missing', expected, actual: null, message: `${a.file} is missing from the store.` };
  }
  if (!st.isFile()) return { ...base, status: 'missing', expected, actual: null, message: `${a.file} is not a regular file.` };
  if (st.size !== a.size) return { ...base, status: 'wrong-size', expected, actual: { size: st.size, sha256: null }, message: `${a.file} is ${st.size} bytes; the manifest records ${a.size}.` };
  const d = await hashFile(path);
  if (d.sha256 !== a.sha256) return { ...base, status: 'wrong-hash', expected, actual: { size: d.size, sha256: d.sha256 }, message: `${a.file} has SHA-256 ${d.sha256}; the manifest records ${a.sha256}.` };
  return { ...base, status: 'ok', expected, actual: { size: d.size, sha256: d.sha256 }, message: 'ok' };
}

async function listFiles(dir: string, root: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await listFiles(p, root, out);
    else out.push(relative(root, p).split(sep).join('/'));
  }
}

/** Check every recorded file: present, its size, its SHA-256. A missing or unreadable manifest is an InputError. */
export async function verifyStore(store: string): Promise<StoreReport> {
  const dir = resolve(store);
  const manifest = await readManifest(dir);
  if (!manifest) throw new InputError(`no artifact store at ${dir}: ${MANIFEST_FILE} does not exist.`, { field: '--store', hint: 'Name the store with --store DIR, or create it with cortex-deploy artifacts add FILE.' });
  const artifacts: ArtifactCheck[] = [];
  for (const a of manifest.artifacts) artifacts.push(await checkOne(dir, a));
  const recorded = new Set(manifest.artifacts.map((a) => a.file));
  const all: string[] = [];
  await listFiles(dir, dir, all);
  const unrecorded = all.filter((f) => f !== MANIFEST_FILE && f !== `${MANIFEST_FILE}${LOCK_SUFFIX}` && !f.includes(TMP_MARK) && !recorded.has(f)).sort();
  const count = (s: ArtifactStatus) => artifacts.filter((a) => a.status === s).length;
  return {
    store: dir,
    manifest: manifestPath(dir),
    artifacts,
    unrecorded,
    summary: { total: artifacts.length, ok: count('ok'), missing: count('missing'), wrongSize: count('wrong-size'), wrongHash: count('wrong-hash') },
  };
}

export { ManifestError };

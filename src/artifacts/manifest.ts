/**
 * The artifact manifest (docs/artifacts.md): `manifest.yaml` at the root of a store, one entry per
 * installer or package: name, version, file (relative to the store), SHA-256 and size, and optionally
 * where it came from. Parsed with positions, so a bad manifest is refused with file:line:col and field;
 * rendered canonically (sorted, one form), so concurrent adds and reviews diff cleanly.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { YamlSource } from '../inventory/source.js';

export const MANIFEST_FILE = 'manifest.yaml';
export const MANIFEST_FORMAT = 1;

/** A path inside the store: relative, forward slashes, no `..`, no drive, no empty segment. */
export function storePathProblem(file: string): string | null {
  if (file.length === 0) return 'is empty';
  if (file.includes('\\')) return 'uses a backslash; write paths in the store with /';
  if (file.startsWith('/') || /^[A-Za-z]:/.test(file)) return 'is absolute; write it relative to the store';
  const parts = file.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'has an empty, . or .. segment; it must stay inside the store';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f<>:"|?*]/.test(file)) return 'has a character Windows does not allow in a file name';
  return null;
}

const StorePath = z.string().check((ctx) => {
  const p = storePathProblem(ctx.value);
  if (p) ctx.issues.push({ code: 'custom', input: ctx.value, message: `file ${p}` });
});

export const ARTIFACT_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
export const ARTIFACT_VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

export const ArtifactEntry = z.strictObject({
  name: z.string().regex(ARTIFACT_NAME, { message: 'a name is letters, digits, . _ - (starting with a letter), e.g. rabbitmq or serviceFabric' }),
  version: z.string().regex(ARTIFACT_VERSION, { message: 'a version is letters, digits and . _ + - (quote it: "4.1.4")' }),
  file: StorePath,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: 'sha256 is 64 lower-case hex digits' }),
  size: z.number().int().nonnegative(),
  url: z.url().optional(),
});
export type Artifact = z.infer<typeof ArtifactEntry>;

export const ManifestDocument = z.strictObject({
  format: z.literal(MANIFEST_FORMAT, { message: `format must be ${MANIFEST_FORMAT}` }),
  artifacts: z.array(ArtifactEntry).nullable().transform((a) => a ?? []),
});

export interface Manifest {
  artifacts: Artifact[];
}

export interface ManifestProblem {
  position: { file: string; line: number; col: number };
  field: string;
  message: string;
}

/** The manifest cannot be used: every problem, the first one's position in the error's context. */
export class ManifestError extends InputError {
  readonly problems: ManifestProblem[];
  constructor(problems: ManifestProblem[], hint = 'Fix the manifest by hand, or remove the entry and add the file again with cortex-deploy artifacts add (docs/artifacts.md).') {
    const first = problems[0]!;
    const detail = problems.length === 1 ? first.message : `${problems.length} problems in the manifest:\n${problems.map((p) => `  ${p.position.file}:${p.position.line}:${p.position.col}, field ${p.field}: ${p.message}`).join('\n')}`;
    super(detail, { position: first.position, field: first.field, hint });
    this.problems = problems;
  }
}

const fieldOf = (path: ReadonlyArray<PropertyKey>) => (path.length ? path.map((s) => (typeof s === 'number' ? `[${s}]` : String(s))).join('.').replace(/\.\[/g, '[') : '(document)');

/** Parse manifest text; `displayName` is shown in positions. */
export function parseManifest(text: string, displayName: string): Manifest {
  const { source, data, problems: syntax } = YamlSource.parse(text, displayName);
  if (syntax.length) throw new ManifestError(syntax.map((p) => ({ position: p.position, field: '(document)', message: p.message })));
  const parsed = ManifestDocument.safeParse(data);
  if (!parsed.success) {
    throw new ManifestError(
      parsed.error.issues.slice(0, 20).map((issue) => {
        // An unknown key: point at the key itself, not the entry that holds it.
        const i = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? { ...issue, path: [...issue.path, issue.keys[0]] } : issue;
        const missing = i.code === 'invalid_type' && /received undefined$/.test(i.message);
        return {
          position: source.positionOf(i.path.map((s) => (typeof s === 'number' ? s : String(s))), { key: issue.code === 'unrecognized_keys' }) ?? { file: displayName, line: 1, col: 1 },
          field: fieldOf(i.path),
          message: missing ? `${String(i.path.at(-1) ?? 'the document')} is missing${i.path[0] === 'artifacts' ? ' (every artifact has name, version, file, sha256 and size)' : ''}.` : i.message,
        };
      }),
    );
  }
  const artifacts = parsed.data.artifacts;
  const problems: ManifestProblem[] = [];
  const byKey = new Map<string, number>();
  const byFile = new Map<string, number>();
  artifacts.forEach((a, i) => {
    const key = `${a.name.toLowerCase()} ${a.version.toLowerCase()}`;
    const prev = byKey.get(key);
    if (prev !== undefined) problems.push({ position: source.positionOf(['artifacts', i, 'version'])!, field: `artifacts[${i}].version`, message: `${a.name} ${a.version} is listed twice (also artifacts[${prev}]).` });
    byKey.set(key, i);
    const f = a.file.toLowerCase();
    const prevFile = byFile.get(f);
    if (prevFile !== undefined) problems.push({ position: source.positionOf(['artifacts', i, 'file'])!, field: `artifacts[${i}].file`, message: `${a.file} is also artifacts[${prevFile}]'s file.` });
    byFile.set(f, i);
  });
  if (problems.length) throw new ManifestError(problems);
  return { artifacts };
}

/** Entries sorted by name, then version (numeric parts compared as numbers). */
export function sortArtifacts(artifacts: readonly Artifact[]): Artifact[] {
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...artifacts].sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.version, b.version));
}

/** The manifest's canonical text. */
export function renderManifest(m: Manifest): string {
  const artifacts = sortArtifacts(m.artifacts).map((a) => ({ name: a.name, version: a.version, file: a.file, sha256: a.sha256, size: a.size, ...(a.url ? { url: a.url } : {}) }));
  const header = '# cortex-deploy artifact store (docs/artifacts.md). Written by `cortex-deploy artifacts add`; checked by `artifacts verify`.\n';
  return header + stringify({ format: MANIFEST_FORMAT, artifacts }, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

export interface VersionSelection {
  /** Each (component, version) the inventory pins, with its artifact. */
  found: Array<{ name: string; version: string; artifact: Artifact; hosts: string[] }>;
  /** Pinned versions the store has no artifact for. */
  missing: Array<{ name: string; version: string; hosts: string[] }>;
}

/**
 * The artifacts the inventory's `versions` vars pick: for every host, each version key names a
 * component and the version to install; the store must hold an artifact of that name and version.
 */
export function selectArtifacts(m: Manifest, hosts: ReadonlyArray<{ name: string; versions: Readonly<Record<string, string>> }>): VersionSelection {
  const wanted = new Map<string, { name: string; version: string; hosts: string[] }>();
  for (const h of hosts) {
    for (const [name, version] of Object.entries(h.versions)) {
      const key = `${name.toLowerCase()} ${version.toLowerCase()}`;
      const w = wanted.get(key) ?? { name, version, hosts: [] };
      w.hosts.push(h.name);
      wanted.set(key, w);
    }
  }
  const found: VersionSelection['found'] = [];
  const missing: VersionSelection['missing'] = [];
  for (const w of [...wanted.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))) {
    const artifact = m.artifacts.find((a) => a.name.toLowerCase() === w.name.toLowerCase() && a.version.toLowerCase() === w.version.toLowerCase());
    if (artifact) found.push({ ...w, artifact });
    else missing.push(w);
  }
  return { found, missing };
}

/**
 * The lab's synthetic artifacts by SHA-256: their bytes (deterministic, from the entry itself), and what
 * the lab finds for a hash. Pure. Tests and users make an artifact's file with `artifactBytes`; the lab
 * recognises it on a host by the hash an upload recorded (docs/lab.md, "Synthetic artifacts").
 */
import { createHash } from 'node:crypto';
import { ARCHIVES, CERTIFICATES, INSTALLERS } from './data.js';
import { SyntheticArchiveSchema, SyntheticCertificateSchema, SyntheticInstallerSchema, type SyntheticArchive, type SyntheticCertificate, type SyntheticInstaller } from './schema.js';

export type { SyntheticArchive, SyntheticCertificate, SyntheticInstaller } from './schema.js';

const MAGIC = 'CORTEX-DEPLOY LAB SYNTHETIC ARTIFACT 1';

export type SyntheticArtifact = ({ type: 'installer' } & SyntheticInstaller) | ({ type: 'archive' } & SyntheticArchive) | ({ type: 'certificate' } & SyntheticCertificate);

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of an artifact's file: a header line and the entry as JSON (keys in the entry's order). */
export function artifactBytes(a: SyntheticArtifact): Buffer {
  return Buffer.from(`${MAGIC}\n${JSON.stringify(a)}\n`, 'utf8');
}

/** A file the lab writes from text (an installed file, a zip entry): UTF-8, no BOM. */
export function textFile(text: string): { sha256: string; length: number } {
  const bytes = Buffer.from(text, 'utf8');
  return { sha256: sha256Hex(bytes), length: bytes.length };
}

export interface ArtifactCatalog {
  installers: SyntheticInstaller[];
  archives: SyntheticArchive[];
  certificates: SyntheticCertificate[];
  /** Lower-case SHA-256 → artifact. */
  byHash: Map<string, SyntheticArtifact>;
  byId: Map<string, SyntheticArtifact>;
}

export function buildCatalog(installers: unknown[] = INSTALLERS, archives: unknown[] = ARCHIVES, certificates: unknown[] = CERTIFICATES): ArtifactCatalog {
  const all: SyntheticArtifact[] = [
    ...installers.map((i) => ({ type: 'installer' as const, ...SyntheticInstallerSchema.parse(i) })),
    ...archives.map((a) => ({ type: 'archive' as const, ...SyntheticArchiveSchema.parse(a) })),
    ...certificates.map((c) => ({ type: 'certificate' as const, ...SyntheticCertificateSchema.parse(c) })),
  ];
  const byHash = new Map<string, SyntheticArtifact>();
  const byId = new Map<string, SyntheticArtifact>();
  for (const a of all) {
    if (byId.has(a.id)) throw new Error(`two synthetic artifacts with id ${a.id}`);
    byId.set(a.id, a);
    byHash.set(sha256Hex(artifactBytes(a)), a);
  }
  return {
    installers: all.filter((a): a is { type: 'installer' } & SyntheticInstaller => a.type === 'installer'),
    archives: all.filter((a): a is { type: 'archive' } & SyntheticArchive => a.type === 'archive'),
    certificates: all.filter((a): a is { type: 'certificate' } & SyntheticCertificate => a.type === 'certificate'),
    byHash,
    byId,
  };
}

let cached: ArtifactCatalog | null = null;

/** The lab's catalog (data.ts), validated once. */
export function labCatalog(): ArtifactCatalog {
  return (cached ??= buildCatalog());
}

/** An artifact by id, with its file's bytes and hash (for tests, and for users who want the file). */
export function artifactFile(id: string): { artifact: SyntheticArtifact; bytes: Buffer; sha256: string } {
  const artifact = labCatalog().byId.get(id);
  if (!artifact) throw new Error(`no synthetic artifact '${id}' (src/lab/artifacts/data.ts: ${[...labCatalog().byId.keys()].join(', ')})`);
  const bytes = artifactBytes(artifact);
  return { artifact, bytes, sha256: sha256Hex(bytes) };
}

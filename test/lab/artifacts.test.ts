/** The lab's synthetic artifact catalog (src/lab/artifacts/): deterministic bytes, known by hash, validated. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { artifactBytes, artifactFile, buildCatalog, labCatalog } from '../../src/lab/artifacts/catalog.js';
import { ARCHIVES, INSTALLERS } from '../../src/lab/artifacts/data.js';

describe('synthetic artifacts', () => {
  it('every entry has its own bytes, the same every time, found by their SHA-256', () => {
    const c = labCatalog();
    expect(c.byHash.size).toBe(INSTALLERS.length + ARCHIVES.length);
    for (const a of c.byId.values()) {
      const bytes = artifactBytes(a);
      expect(artifactBytes(buildCatalog().byId.get(a.id)!).equals(bytes)).toBe(true);
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(c.byHash.get(sha)?.id).toBe(a.id);
      expect(artifactFile(a.id).sha256).toBe(sha);
    }
  });

  it('a changed entry is another file', () => {
    const changed = buildCatalog([{ ...INSTALLERS[0]!, installExitCode: 3010 }], []);
    const [sha] = [...changed.byHash.keys()];
    expect(labCatalog().byHash.has(sha!)).toBe(false);
  });

  it('refuses entries that could not be detected or removed, and duplicate ids', () => {
    const msi = INSTALLERS.find((i) => i.id === 'lab-sample-1.0.0')!;
    expect(() => buildCatalog([{ ...msi, product: { ...msi.product, productCode: undefined } }], [])).toThrow(/an MSI has a productCode/);
    expect(() => buildCatalog([{ ...msi, kind: 'exe', product: { ...msi.product, uninstallKey: 'X' } }], [])).toThrow(/an EXE registers a quietUninstallString/);
    expect(() => buildCatalog([msi, msi], [])).toThrow(/two synthetic artifacts with id lab-sample-1.0.0/);
    expect(() => artifactFile('nope')).toThrow(/no synthetic artifact 'nope'/);
  });
});

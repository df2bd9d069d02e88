/** The lab's synthetic artifact catalog (src/lab/artifacts/): deterministic bytes, known by hash, validated. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { artifactBytes, artifactFile, buildCatalog, labCatalog } from '../../src/lab/artifacts/catalog.js';
import { ARCHIVES, CERTIFICATES, INSTALLERS } from '../../src/lab/artifacts/data.js';

/** The lab's own sample MSI (the components' entries come first in INSTALLERS). */
const SAMPLE = INSTALLERS.find((i) => i.id === 'lab-sample-1.0.0')!;

describe('synthetic artifacts', () => {
  it('every entry has its own bytes, the same every time, found by their SHA-256', () => {
    const c = labCatalog();
    expect(c.byHash.size).toBe(INSTALLERS.length + ARCHIVES.length + CERTIFICATES.length);
    for (const a of c.byId.values()) {
      const bytes = artifactBytes(a);
      expect(artifactBytes(buildCatalog().byId.get(a.id)!).equals(bytes)).toBe(true);
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(c.byHash.get(sha)?.id).toBe(a.id);
      expect(artifactFile(a.id).sha256).toBe(sha);
    }
  });

  it('a changed entry is another file', () => {
    const changed = buildCatalog([{ ...SAMPLE, installExitCode: 3010 }], [], []);
    const [sha] = [...changed.byHash.keys()];
    expect(labCatalog().byHash.has(sha!)).toBe(false);
  });

  it('refuses entries that could not be detected or removed, and duplicate ids', () => {
    const msi = SAMPLE;
    expect(() => buildCatalog([{ ...msi, product: { ...msi.product, productCode: undefined } }], [])).toThrow(/an MSI has a productCode/);
    expect(() => buildCatalog([{ ...msi, kind: 'exe', product: { ...msi.product, uninstallKey: 'X' } }], [])).toThrow(/an EXE registers a quietUninstallString/);
    expect(() => buildCatalog([msi, msi], [])).toThrow(/two synthetic artifacts with id lab-sample-1.0.0/);
    expect(() => artifactFile('nope')).toThrow(/no synthetic artifact 'nope'/);
  });

  it('.NET 4.8 stands for dotnetFramework 4.8: the real offline installer\'s name, an EXE that asks for a reboot (3010)', () => {
    const a = artifactFile('dotnet-framework-4.8').artifact;
    expect(a).toMatchObject({ type: 'installer', kind: 'exe', fileName: 'ndp48-x86-x64-allos-enu.exe', artifact: { name: 'dotnetFramework', version: '4.8' }, installExitCode: 3010 });
  });

});

describe('synthetic PFX files (h5-iis)', () => {
  it('are in the catalog by hash with their thumbprint; the password is kept only as its SHA-256', () => {
    const f = artifactFile('cortex-gateway-pfx-2026');
    expect(f.artifact).toMatchObject({ type: 'certificate', fileName: 'cortex-gateway-2026.pfx', thumbprint: '916909FF7E3500C69B3B1E8184640F8E907D679C' });
    expect(labCatalog().byHash.get(f.sha256)?.id).toBe('cortex-gateway-pfx-2026');
    expect(f.bytes.toString('utf8')).not.toContain('Lab-Pfx!2026');
  });
  it('refuses a thumbprint that is not 40 upper-case hex digits', () => {
    expect(() => buildCatalog([], [], [{ ...CERTIFICATES[0]!, id: 'x', thumbprint: 'abc' }])).toThrow(/thumbprint/);
  });
});

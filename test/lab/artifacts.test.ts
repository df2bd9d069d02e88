/** The lab's synthetic artifact catalog (src/lab/artifacts/): deterministic bytes, known by hash, validated. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { artifactBytes, artifactFile, buildCatalog, labCatalog } from '../../src/lab/artifacts/catalog.js';
import { ARCHIVES, INSTALLERS } from '../../src/lab/artifacts/data.js';
import { standInsNotProvided } from '../../src/lab/artifacts/components/index.js';
import { standInArtifacts } from '../../src/lab/artifacts/components/stand-ins.js';

/** The sample MSI (the component modules' entries come first in INSTALLERS, and vary). */
const SAMPLE_MSI = INSTALLERS.find((i) => i.id === 'lab-sample-1.0.0')!;

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
    const changed = buildCatalog([{ ...SAMPLE_MSI, installExitCode: 3010 }], []);
    const [sha] = [...changed.byHash.keys()];
    expect(labCatalog().byHash.has(sha!)).toBe(false);
  });

  it('refuses entries that could not be detected or removed, and duplicate ids', () => {
    const msi = SAMPLE_MSI;
    expect(() => buildCatalog([{ ...msi, product: { ...msi.product, productCode: undefined } }], [])).toThrow(/an MSI has a productCode/);
    expect(() => buildCatalog([{ ...msi, kind: 'exe', product: { ...msi.product, uninstallKey: 'X' } }], [])).toThrow(/an EXE registers a quietUninstallString/);
    expect(() => buildCatalog([msi, msi], [])).toThrow(/two synthetic artifacts with id lab-sample-1.0.0/);
    expect(() => artifactFile('nope')).toThrow(/no synthetic artifact 'nope'/);
  });

  it('.NET 4.8 stands for dotnetFramework 4.8: the real offline installer\'s name, an EXE that asks for a reboot (3010)', () => {
    const a = artifactFile('dotnet-framework-4.8').artifact;
    expect(a).toMatchObject({ type: 'installer', kind: 'exe', fileName: 'ndp48-x86-x64-allos-enu.exe', artifact: { name: 'dotnetFramework', version: '4.8' }, installExitCode: 3010 });
  });

  it('a stand-in gives way to a component module that provides the same artifact', () => {
    const erlang = standInArtifacts.installers!.find((i) => i.artifact?.name === 'erlang')!;
    const fuller = { ...erlang, id: 'erlang-otp-27.3.4-full', artifact: { name: 'Erlang', version: '27.3.4' } };
    const left = standInsNotProvided([{ installers: [fuller] }], standInArtifacts);
    expect(left.installers!.map((i) => i.id)).not.toContain('erlang-otp-27.3.4');
    expect(left.installers).toEqual([]);
    expect(standInsNotProvided([], standInArtifacts).installers!.map((i) => i.id)).toEqual(['erlang-otp-27.3.4']);
  });
});

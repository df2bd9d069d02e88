/** The artifact manifest: bad manifests are refused with file:line:col and field; the canonical form round-trips. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { ManifestError, parseManifest, renderManifest, selectArtifacts, storePathProblem, type Artifact } from '../../src/artifacts/manifest.js';
import { inferArtifact } from '../../src/artifacts/infer.js';

const SHA = 'a'.repeat(64);
const entry = (over: Partial<Artifact> = {}): Artifact => ({ name: 'rabbitmq', version: '4.1.4', file: 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe', sha256: SHA, size: 10, ...over });

const problemsOf = (text: string) => thrown(() => parseManifest(text, 'store/manifest.yaml'), ManifestError);

describe('parseManifest', () => {
  it('reads what renderManifest writes, sorted by name then version (numerically)', () => {
    const m = { artifacts: [entry({ version: '4.10.0', file: 'rabbitmq/4.10.0/r.exe' }), entry({ name: 'erlang', version: '27.3.4', file: 'erlang/27.3.4/otp_win64_27.3.4.exe', url: 'https://github.com/erlang/otp/releases' }), entry({ version: '4.9.1', file: 'rabbitmq/4.9.1/r.exe' })] };
    const text = renderManifest(m);
    const back = parseManifest(text, 'm.yaml');
    expect(back.artifacts.map((a) => `${a.name} ${a.version}`)).toEqual(['erlang 27.3.4', 'rabbitmq 4.9.1', 'rabbitmq 4.10.0']);
    expect(back.artifacts[0]!.url).toBe('https://github.com/erlang/otp/releases');
    expect(renderManifest(back)).toBe(text);
    // Versions are quoted, so YAML never reads 4.10 as the number 4.1.
    expect(text).toContain('version: "4.10.0"');
  });

  it('an empty store: format and no artifacts', () => {
    expect(parseManifest('format: 1\nartifacts:\n', 'm.yaml').artifacts).toEqual([]);
  });

  it('a field of the wrong form: file:line:col of the value, the field, the rule', () => {
    const e = problemsOf(`format: 1
artifacts:
  - name: rabbitmq
    version: "4.1.4"
    file: rabbitmq/4.1.4/r.exe
    sha256: ABC
    size: 10
`);
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^store\/manifest\.yaml:6:13, field artifacts\[0\]\.sha256: sha256 is 64 lower-case hex digits/);
  });

  it('missing fields, an unknown key, an escaping path: every problem listed with its line', () => {
    const e = problemsOf(`format: 1
artifacts:
  - name: erlang
    version: "27.3.4"
    file: ../outside.exe
    sha256: ${SHA}
    size: 1
    checksum: x
  - name: nssm
`);
    const lines = e.problems.map((p) => `${p.position.line} ${p.field}: ${p.message}`);
    expect(lines).toEqual(expect.arrayContaining([
      '5 artifacts[0].file: file has an empty, . or .. segment; it must stay inside the store',
      expect.stringMatching(/^8 artifacts\[0\]\.checksum: Unrecognized key: "checksum"/),
      '9 artifacts[1].version: version is missing (every artifact has name, version, file, sha256 and size).',
    ]));
  });

  it('a name and version listed twice, two entries on one file', () => {
    const e = problemsOf(renderManifest({ artifacts: [entry(), entry({ file: 'other.exe' })] }).replace('other.exe', 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe'));
    expect(e.problems.map((p) => p.message)).toEqual(['rabbitmq 4.1.4 is listed twice (also artifacts[0]).', 'rabbitmq/4.1.4/rabbitmq-server-4.1.4.exe is also artifacts[0]\'s file.']);
    expect(e.problems[0]!.position.line).toBe(10);
  });

  it('YAML syntax and a wrong format number', () => {
    expect(problemsOf('format: 1\nartifacts: [\n').message).toMatch(/^store\/manifest\.yaml:\d+:\d+, field \(document\): YAML syntax/);
    expect(problemsOf('format: 2\nartifacts: []\n').message).toMatch(/^store\/manifest\.yaml:1:9, field format: format must be 1/);
  });

  it('paths inside the store only', () => {
    expect(storePathProblem('a/b.exe')).toBeNull();
    expect(storePathProblem('/etc/passwd')).toMatch(/absolute/);
    expect(storePathProblem('C:/x.exe')).toMatch(/absolute/);
    expect(storePathProblem('a\\b.exe')).toMatch(/backslash/);
    expect(storePathProblem('a//b')).toMatch(/empty/);
  });
});

describe('selectArtifacts', () => {
  it('each version the inventory pins, with its hosts; those the store lacks are missing', () => {
    const m = { artifacts: [entry(), entry({ name: 'erlang', version: '27.3.4', file: 'e.exe' })] };
    const sel = selectArtifacts(m, [
      { name: 'app1', versions: { rabbitmq: '4.1.4', erlang: '27.3.4' } },
      { name: 'app2', versions: { rabbitmq: '4.1.4', erlang: '27.3.4' } },
      { name: 'lb1', versions: { gobetween: '0.8.2' } },
    ]);
    expect(sel.found.map((f) => [f.name, f.version, f.hosts])).toEqual([['erlang', '27.3.4', ['app1', 'app2']], ['rabbitmq', '4.1.4', ['app1', 'app2']]]);
    expect(sel.missing).toEqual([{ name: 'gobetween', version: '0.8.2', hosts: ['lb1'] }]);
  });
});

describe('inferArtifact', () => {
  it.each([
    ['otp_win64_27.3.4.exe', 'erlang', '27.3.4'],
    ['rabbitmq-server-4.1.4.exe', 'rabbitmq', '4.1.4'],
    ['Microsoft.Azure.ServiceFabric.WindowsServer.10.1.2175.9590.zip', 'serviceFabric', '10.1.2175.9590'],
    ['gobetween_0.8.2_windows_amd64.zip', 'gobetween', '0.8.2'],
    ['nssm-2.24-101-g897c7ad.zip', 'nssm', '2.24-101'],
    ['nssm-2.24.zip', 'nssm', '2.24'],
    ['ndp48-x86-x64-allos-enu.exe', 'dotnetFramework', '4.8'],
  ])('%s is %s %s', (file, name, version) => {
    expect(inferArtifact(file)).toEqual({ name, version });
  });

  it('URL Rewrite has no version in its name; unknown files are not guessed', () => {
    expect(inferArtifact('rewrite_amd64_en-US.msi')).toEqual({ name: 'urlRewrite', version: null });
    expect(inferArtifact('cortex-7.2.zip')).toBeNull();
  });
});

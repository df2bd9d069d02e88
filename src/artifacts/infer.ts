/**
 * An artifact's name and version from its file name, for the installers the Cortex install uses
 * (docs/artifacts.md lists them). Anything else needs --name and --version: a guess is never made.
 */
export interface Inferred {
  name: string;
  version: string | null;
}

const PATTERNS: Array<{ re: RegExp; name: string; version?: string }> = [
  { re: /^otp_win64_(\d+(?:\.\d+)*)\.exe$/i, name: 'erlang' },
  { re: /^rabbitmq-server-(\d+\.\d+\.\d+)\.exe$/i, name: 'rabbitmq' },
  { re: /^Microsoft\.Azure\.ServiceFabric\.WindowsServer\.(\d+(?:\.\d+)+)\.zip$/i, name: 'serviceFabric' },
  { re: /^gobetween_(\d+\.\d+\.\d+)_windows_amd64\.zip$/i, name: 'gobetween' },
  // Chocolatey's pre-release build: nssm-2.24-101-g897c7ad.zip is version 2.24-101.
  { re: /^nssm-(\d+\.\d+(?:-\d+)?)(?:-g[0-9a-f]+)?\.zip$/i, name: 'nssm' },
  { re: /^rewrite_amd64_[a-z]{2}-[A-Z]{2}\.msi$/i, name: 'urlRewrite' },
  { re: /^ndp48-x86-x64-allos-enu\.exe$/i, name: 'dotnetFramework', version: '4.8' },
];

export function inferArtifact(fileName: string): Inferred | null {
  for (const p of PATTERNS) {
    const m = p.re.exec(fileName);
    if (m) return { name: p.name, version: p.version ?? m[1] ?? null };
  }
  return null;
}

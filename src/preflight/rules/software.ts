/** dotnet.version, powershell.version, tls.12 (docs/preflight.md, "Checks"). */
import { compareVersions, finding, type Finding } from '../finding.js';
import type { Rule } from './context.js';

export const DOTNET_MIN_RELEASE = 461308;
/** Lowest Release value of each .NET Framework 4.x version (Microsoft's "versions and dependencies" table). */
const DOTNET_RELEASES: Array<[number, string]> = [
  [533320, '4.8.1'],
  [528040, '4.8'],
  [461808, '4.7.2'],
  [461308, '4.7.1'],
  [460798, '4.7'],
  [394802, '4.6.2'],
  [394254, '4.6.1'],
  [393295, '4.6'],
  [379893, '4.5.2'],
  [378675, '4.5.1'],
  [378389, '4.5'],
];

export function dotnetVersionOf(release: number): string {
  return DOTNET_RELEASES.find(([min]) => release >= min)?.[1] ?? 'older than 4.5';
}

export const POWERSHELL_MIN = '5.1';

function dotnet(release: number | null): Finding {
  const expected = `Release >= ${DOTNET_MIN_RELEASE} (.NET Framework 4.7.1 or later)`;
  const fix = 'Install .NET Framework 4.8 (ndp48-x86-x64-allos-enu.exe /q /norestart) and reboot.';
  if (release === null) return finding('dotnet.version', 'fail', expected, 'not installed', '.NET Framework 4.5 or later is not installed.', fix);
  const actual = `${release} (.NET ${dotnetVersionOf(release)})`;
  return release < DOTNET_MIN_RELEASE
    ? finding('dotnet.version', 'fail', expected, actual, `.NET Framework ${dotnetVersionOf(release)} is older than 4.7.1.`, fix)
    : finding('dotnet.version', 'pass', expected, actual, `.NET Framework ${dotnetVersionOf(release)}.`);
}

function powershell(engine: string | null, runtime: string | null): Finding {
  // The registry tells the truth about Windows PowerShell even when the probe ran in another shell (SSH → pwsh 7).
  const version = engine ?? runtime;
  const expected = `>= ${POWERSHELL_MIN}`;
  const fix = 'Install Windows Management Framework 5.1.';
  if (!version) return finding('powershell.version', 'fail', expected, 'not found', 'Windows PowerShell was not found in the registry.', fix);
  return compareVersions(version, POWERSHELL_MIN) < 0
    ? finding('powershell.version', 'fail', expected, version, `Windows PowerShell ${version} is older than ${POWERSHELL_MIN}.`, fix)
    : finding('powershell.version', 'pass', expected, version, `Windows PowerShell ${version}.`);
}

function tls12(t: { clientEnabled: number | null; clientDisabledByDefault: number | null; serverEnabled: number | null; serverDisabledByDefault: number | null }): Finding {
  const expected = 'TLS 1.2 enabled (client and server)';
  const fix = 'Under HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\{Client,Server} set Enabled=1 and DisabledByDefault=0, then reboot.';
  const off = [t.clientEnabled === 0 ? 'client disabled' : null, t.serverEnabled === 0 ? 'server disabled' : null].filter((x): x is string => x !== null);
  // Any non-zero DWORD counts, like Windows reads it: 0xFFFFFFFF arrives as -1.
  const set = (v: number | null) => v !== null && v !== 0;
  const notDefault = [set(t.clientDisabledByDefault) ? 'client disabled by default' : null, set(t.serverDisabledByDefault) ? 'server disabled by default' : null].filter((x): x is string => x !== null);
  const configured = [t.clientEnabled, t.serverEnabled, t.clientDisabledByDefault, t.serverDisabledByDefault].some((v) => v !== null);
  if (off.length > 0) return finding('tls.12', 'fail', expected, off.join(', '), `TLS 1.2 is turned off in SCHANNEL (${off.join(', ')}).`, fix);
  if (notDefault.length > 0) return finding('tls.12', 'warn', expected, notDefault.join(', '), `TLS 1.2 is ${notDefault.join(', ')}: programs that do not ask for it will not use it.`, fix);
  return finding('tls.12', 'pass', expected, configured ? 'enabled' : 'enabled (OS default)', 'TLS 1.2 is enabled.');
}

export const softwareRules: Rule = ({ facts }) => [dotnet(facts.dotnetRelease), powershell(facts.powershell.engineVersion, facts.powershell.runtimeVersion), tls12(facts.tls12)];

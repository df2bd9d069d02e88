/**
 * .NET Framework 4.8's offline installer (ndp48-x86-x64-allos-enu.exe), for host prep on servers whose
 * .NET is older than 4.7.1 (docs/playbooks.md, host prep): it exits 3010, so the step's reboot follows.
 * The uninstall entry's name is the one the offline installer is reported to write (UNCONFIRMED; the
 * playbook's step runs only while facts.dotnetRelease < 461308, so detection is a second line).
 */
import type { ComponentArtifacts } from './types.js';

export const DOTNET48_ID = 'dotnet-framework-4.8';
export const DOTNET48_UNINSTALL_KEY = '{92FB6C44-E685-45AD-9B20-CADF4CABA132} - 1033';

export const dotnetArtifacts: ComponentArtifacts = {
  installers: [
    {
      id: DOTNET48_ID,
      kind: 'exe',
      fileName: 'ndp48-x86-x64-allos-enu.exe',
      artifact: { name: 'dotnetFramework', version: '4.8' },
      product: {
        name: 'Microsoft .NET Framework 4.8',
        version: '4.8.03761',
        uninstallKey: DOTNET48_UNINSTALL_KEY,
        quietUninstallString: '"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\SetupCache\\v4.8.03761\\Setup.exe" /uninstall /x86 /x64 /q /norestart',
      },
      installExitCode: 3010,
      installs: {
        files: {
          'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\SetupCache\\v4.8.03761\\Setup.exe': '.NET Framework 4.8 setup (lab synthetic)',
        },
      },
    },
  ],
};

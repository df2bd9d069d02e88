/**
 * The load balancer's artifacts (docs/gobetween.md): NSSM's zip as Chocolatey pins it (2.24-101, a
 * win64 and a win32 nssm.exe) and gobetween's Windows release zip (gobetween.exe, its README, LICENSE
 * and sample config), with a newer gobetween for upgrades. The lab extracts their entries as text; what
 * nssm.exe does is the nssm_service model's (src/lab/components/nssm.ts).
 */
import type { ComponentArtifacts } from './types.js';

export const NSSM_ZIP_ID = 'nssm-2.24-101';
export const GOBETWEEN_ZIP_ID = 'gobetween-0.8.2';

function gobetweenZip(version: string) {
  return {
    id: `gobetween-${version}`,
    fileName: `gobetween_${version}_windows_amd64.zip`,
    artifact: { name: 'gobetween', version },
    entries: {
      'gobetween.exe': `lab synthetic gobetween ${version} windows/amd64`,
      'README.md': `# gobetween ${version}\nModern & minimalistic load balancer and reverse-proxy for the Cloud era.\n`,
      LICENSE: 'MIT License\n\nCopyright (c) 2016 Yaroslav Pogrebnyak and contributors\n',
      'config\\gobetween.toml': '[logging]\nlevel = "info"\noutput = "stdout"\n\n[api]\nenabled = true\nbind = ":8888"\n',
    },
  };
}

export const loadBalancerArtifacts: ComponentArtifacts = {
  archives: [
    {
      id: NSSM_ZIP_ID,
      fileName: 'nssm-2.24-101.zip',
      artifact: { name: 'nssm', version: '2.24-101' },
      entries: {
        'win64\\nssm.exe': 'lab synthetic nssm 2.24-101-g897c7ad win64',
        'win32\\nssm.exe': 'lab synthetic nssm 2.24-101-g897c7ad win32',
      },
    },
    gobetweenZip('0.8.2'),
    gobetweenZip('0.8.3'),
  ],
};

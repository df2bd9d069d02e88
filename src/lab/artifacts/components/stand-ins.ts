/**
 * Stand-ins, until the component modules land, for the artifacts playbooks/cortex.yaml's current steps
 * install: Erlang 27.3.4, NSSM 2.24-101 and gobetween 0.8.2, with the real file names, uninstall key and
 * zip layouts. index.ts drops each one as soon as a component module provides the same artifact (name
 * and version), so the component's own, fuller entry always wins; then this file can go.
 */
import type { ComponentArtifacts } from './types.js';

const OTP_ROOT = 'C:\\Program Files\\Erlang OTP';

export const standInArtifacts: ComponentArtifacts = {
  installers: [
    {
      id: 'erlang-otp-27.3.4',
      kind: 'exe',
      fileName: 'otp_win64_27.3.4.exe',
      artifact: { name: 'erlang', version: '27.3.4' },
      // A 32-bit NSIS installer: its uninstall entry is under WOW6432Node.
      product: { name: 'Erlang OTP 27.3.4 (15.2.7)', version: '27.3.4', uninstallKey: 'Erlang OTP', wow6432: true, quietUninstallString: `"${OTP_ROOT}\\Uninstall.exe" /S` },
      installs: {
        files: {
          [`${OTP_ROOT}\\bin\\erl.exe`]: 'erl.exe OTP 27.3.4',
          [`${OTP_ROOT}\\erts-15.2.7\\bin\\erlsrv.exe`]: 'erlsrv.exe ERTS 15.2.7',
          [`${OTP_ROOT}\\releases\\27\\OTP_VERSION`]: '27.3.4\n',
          [`${OTP_ROOT}\\Uninstall.exe`]: 'Erlang OTP 27.3.4 uninstaller',
        },
      },
    },
  ],
  archives: [
    {
      id: 'nssm-2.24-101',
      fileName: 'nssm-2.24-101.zip',
      artifact: { name: 'nssm', version: '2.24-101' },
      entries: { 'win64\\nssm.exe': 'lab synthetic nssm 2.24-101-g897c7ad win64', 'win32\\nssm.exe': 'lab synthetic nssm 2.24-101-g897c7ad win32' },
    },
    {
      id: 'gobetween-0.8.2',
      fileName: 'gobetween_0.8.2_windows_amd64.zip',
      artifact: { name: 'gobetween', version: '0.8.2' },
      entries: { 'gobetween.exe': 'lab synthetic gobetween 0.8.2 windows/amd64', LICENSE: 'MIT License\n\nCopyright (c) 2016 Yaroslav Pogrebnyak and contributors\n' },
    },
  ],
};

/**
 * A stand-in, until the RabbitMQ component's module lands, for the one artifact playbooks/cortex.yaml's
 * current steps install that no module provides yet: Erlang 27.3.4, with the real file name and
 * uninstall key. index.ts drops it as soon as a component module provides the same artifact (name and
 * version), so the component's own, fuller entry always wins; then this file can go.
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
};

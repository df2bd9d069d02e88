/**
 * Erlang/OTP and RabbitMQ as their real Windows installers lay them down (docs/lab.md,
 * docs/rabbitmq.md): both are 32-bit NSIS programs, so their uninstall entries and their own keys
 * land under WOW6432Node on 64-bit Windows.
 * - otp_win64_<OTP>.exe: `Erlang OTP` uninstall key ("Erlang OTP <OTP> (<ERTS>)"), the install root
 *   C:\Program Files\Erlang OTP (bin\erl.exe, erts-<ERTS>\bin\erlsrv.exe, releases\27\OTP_VERSION), and
 *   HKLM\SOFTWARE\Ericsson\Erlang\<ERTS> whose default value is the root (what RabbitMQ's installer reads).
 * - rabbitmq-server-<ver>.exe: aborts without an Ericsson\Erlang\<ERTS> key (NSIS Abort: exit code 2,
 *   the message its dialog shows); otherwise the `RabbitMQ` uninstall key, sbin under
 *   C:\Program Files\RabbitMQ Server\rabbitmq_server-<ver>, the RabbitMQ service (erlsrv.exe, started at
 *   once), ERLANG_HOME, and VMware, Inc.\RabbitMQ Server\Install_Dir. The node itself (name, cookie,
 *   cluster) is the lab's RabbitMQ model: src/lab/components/rabbitmq.ts.
 */
import type { z } from 'zod';
import type { SyntheticInstallerSchema } from '../schema.js';

type Installer = z.input<typeof SyntheticInstallerSchema>;

const OTP_ROOT = 'C:\\Program Files\\Erlang OTP';
const RABBIT_ROOT = 'C:\\Program Files\\RabbitMQ Server';

/** Erlang's installer for one OTP release and its ERTS version. */
function erlang(otp: string, erts: string): Installer {
  const major = otp.split('.')[0]!;
  return {
    id: `erlang-otp-${otp}`,
    kind: 'exe',
    fileName: `otp_win64_${otp}.exe`,
    artifact: { name: 'erlang', version: otp },
    product: { name: `Erlang OTP ${otp} (${erts})`, version: otp, uninstallKey: 'Erlang OTP', wow6432: true, quietUninstallString: `"${OTP_ROOT}\\Uninstall.exe" /S` },
    installs: {
      files: {
        [`${OTP_ROOT}\\bin\\erl.exe`]: `erl.exe OTP ${otp}`,
        [`${OTP_ROOT}\\erts-${erts}\\bin\\erlsrv.exe`]: `erlsrv.exe ERTS ${erts}`,
        [`${OTP_ROOT}\\releases\\${major}\\OTP_VERSION`]: `${otp}\n`,
        [`${OTP_ROOT}\\Uninstall.exe`]: `Erlang OTP ${otp} uninstaller`,
      },
      registry: { [`SOFTWARE\\Ericsson\\Erlang\\${erts}`]: { '': OTP_ROOT } },
    },
  };
}

/** The sbin folder of a RabbitMQ version (docs/rabbitmq.md: from the uninstall key's folder and DisplayVersion). */
export function rabbitmqSbin(version: string): string {
  return `${RABBIT_ROOT}\\rabbitmq_server-${version}\\sbin`;
}

/** NSIS's Abort exits with 2; the text is the installer's "Erlang not found" message box. */
export const RABBITMQ_NO_ERLANG = {
  exitCode: 2,
  message: 'Erlang could not be detected. You must install Erlang before installing RabbitMQ.',
};

function rabbitmq(version: string, erts: string): Installer {
  const sbin = rabbitmqSbin(version);
  return {
    id: `rabbitmq-server-${version}`,
    kind: 'exe',
    fileName: `rabbitmq-server-${version}.exe`,
    artifact: { name: 'rabbitmq', version },
    product: { name: `RabbitMQ Server ${version}`, version, uninstallKey: 'RabbitMQ', wow6432: true, quietUninstallString: `"${RABBIT_ROOT}\\uninstall.exe" /S` },
    requires: { subKeyOf: 'SOFTWARE\\Ericsson\\Erlang', ...RABBITMQ_NO_ERLANG },
    installs: {
      services: [{ name: 'RabbitMQ', state: 'Running', startType: 'Automatic', binaryPath: `"${OTP_ROOT}\\erts-${erts}\\bin\\erlsrv.exe"` }],
      files: {
        [`${sbin}\\rabbitmqctl.bat`]: `rabbitmqctl ${version}`,
        [`${sbin}\\rabbitmq-plugins.bat`]: `rabbitmq-plugins ${version}`,
        [`${sbin}\\rabbitmq-diagnostics.bat`]: `rabbitmq-diagnostics ${version}`,
        [`${sbin}\\rabbitmq-service.bat`]: `rabbitmq-service ${version}`,
        [`${sbin}\\rabbitmq-upgrade.bat`]: `rabbitmq-upgrade ${version}`,
        [`${RABBIT_ROOT}\\uninstall.exe`]: `RabbitMQ Server ${version} uninstaller`,
      },
      env: { ERLANG_HOME: OTP_ROOT },
      registry: { 'SOFTWARE\\VMware, Inc.\\RabbitMQ Server': { Install_Dir: RABBIT_ROOT } },
    },
  };
}

export const installers: Installer[] = [
  erlang('27.3.4', '15.2.7'),
  // The next patch release, for the upgrade issue.
  erlang('27.3.4.2', '15.2.7.1'),
  rabbitmq('4.1.4', '15.2.7'),
  rabbitmq('4.2.1', '15.2.7'),
];

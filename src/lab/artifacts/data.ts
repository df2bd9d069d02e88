/**
 * The synthetic artifacts the lab knows (schema.ts; docs/lab.md, "Synthetic artifacts"). Data only: add
 * an entry to teach the lab a new installer or zip (the Cortex install's Erlang, RabbitMQ, ... go here).
 * An entry's bytes follow from the entry itself (catalog.ts), so changing an entry changes its SHA-256.
 */
import type { z } from 'zod';
import type { SyntheticArchiveSchema, SyntheticCertificateSchema, SyntheticInstallerSchema } from './schema.js';
import { COMPONENT_ARCHIVES, COMPONENT_CERTIFICATES, COMPONENT_INSTALLERS } from './components/index.js';

export const INSTALLERS: Array<z.input<typeof SyntheticInstallerSchema>> = [
  ...COMPONENT_INSTALLERS,
  {
    id: 'lab-sample-1.0.0',
    kind: 'msi',
    fileName: 'lab-sample-1.0.0.msi',
    product: { name: 'Cortex Lab Sample', version: '1.0.0', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E01}' },
    installs: {
      services: [{ name: 'CortexLabSample', state: 'Running', startType: 'Automatic', binaryPath: '"C:\\Program Files\\Cortex Lab Sample\\sample.exe" --service' }],
      files: { 'C:\\Program Files\\Cortex Lab Sample\\sample.exe': 'cortex lab sample 1.0.0' },
      env: { CORTEX_LAB_SAMPLE_HOME: 'C:\\Program Files\\Cortex Lab Sample' },
    },
  },
  {
    // Same ProductCode, another version: msiexec refuses it while 1.0.0 is installed (1638).
    id: 'lab-sample-1.1.0',
    kind: 'msi',
    fileName: 'lab-sample-1.1.0.msi',
    product: { name: 'Cortex Lab Sample', version: '1.1.0', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E01}' },
    installs: {
      services: [{ name: 'CortexLabSample', state: 'Running', startType: 'Automatic', binaryPath: '"C:\\Program Files\\Cortex Lab Sample\\sample.exe" --service' }],
      files: { 'C:\\Program Files\\Cortex Lab Sample\\sample.exe': 'cortex lab sample 1.1.0' },
      env: { CORTEX_LAB_SAMPLE_HOME: 'C:\\Program Files\\Cortex Lab Sample' },
    },
  },
  {
    // A 32-bit MSI that asks for a reboot.
    id: 'lab-reboot-2.0.0',
    kind: 'msi',
    fileName: 'lab-reboot-2.0.0.msi',
    product: { name: 'Cortex Lab Reboot Sample', version: '2.0.0', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E02}', wow6432: true },
    installExitCode: 3010,
    installs: { files: { 'C:\\Program Files (x86)\\Cortex Lab Reboot\\driver.sys': 'cortex lab reboot 2.0.0' } },
  },
  {
    // A 32-bit EXE installer with its own uninstaller (QuietUninstallString).
    id: 'lab-tool-3.2.1',
    kind: 'exe',
    fileName: 'lab-tool-3.2.1-setup.exe',
    product: { name: 'Cortex Lab Tool 3.2.1', version: '3.2.1', uninstallKey: 'CortexLabTool', wow6432: true, quietUninstallString: '"C:\\Program Files (x86)\\Cortex Lab Tool\\uninstall.exe" /S' },
    installs: {
      files: { 'C:\\Program Files (x86)\\Cortex Lab Tool\\tool.exe': 'cortex lab tool 3.2.1', 'C:\\Program Files (x86)\\Cortex Lab Tool\\uninstall.exe': 'cortex lab tool uninstaller' },
      env: { CORTEX_LAB_TOOL: 'C:\\Program Files (x86)\\Cortex Lab Tool' },
    },
  },
  {
    // Fails: ERROR_INSTALL_FAILURE, installs nothing.
    id: 'lab-failing-1.0.0',
    kind: 'msi',
    fileName: 'lab-failing-1.0.0.msi',
    product: { name: 'Cortex Lab Failing Sample', version: '1.0.0', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E03}' },
    installExitCode: 1603,
  },
  {
    // Another installation is in progress (1618): the step's retries are the answer.
    id: 'lab-busy-1.0.0',
    kind: 'msi',
    fileName: 'lab-busy-1.0.0.msi',
    product: { name: 'Cortex Lab Busy Sample', version: '1.0.0', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}' },
    installExitCode: 1618,
  },
];

export const ARCHIVES: Array<z.input<typeof SyntheticArchiveSchema>> = [
  ...COMPONENT_ARCHIVES,
  {
    id: 'lab-sample-zip-1.0.0',
    fileName: 'lab-sample-1.0.0.zip',
    entries: { 'bin\\sample.exe': 'cortex lab zip sample 1.0.0', 'conf\\sample.json': '{"version":"1.0.0"}', 'README.txt': 'Cortex lab sample archive' },
  },
  {
    id: 'lab-sample-zip-1.1.0',
    fileName: 'lab-sample-1.1.0.zip',
    entries: { 'bin\\sample.exe': 'cortex lab zip sample 1.1.0', 'conf\\sample.json': '{"version":"1.1.0"}' },
  },
];

/** PFX files (h5-iis): the Gateway's certificates live in src/lab/artifacts/components/iis.ts. */
export const CERTIFICATES: Array<z.input<typeof SyntheticCertificateSchema>> = [...COMPONENT_CERTIFICATES];

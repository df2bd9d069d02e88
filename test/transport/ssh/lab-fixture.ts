/**
 * A lab sshd serving the contract program, for the SSH transport tests. Each test file passes its
 * own loopback addresses (test/helpers/loopback.ts) so files run in parallel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from '../../../src/lab/dispatcher.js';
import { startLabSsh, type LabSsh, type LabSshOptions } from '../../../src/lab/ssh/index.js';
import { sshDefaults, type SshConnectSettings } from '../../../src/transport/ssh/settings.js';
import { contractDispatcher } from '../contract-program.mjs';

export interface ContractLab {
  lab: LabSsh;
  stateDir: string;
  stop(): Promise<void>;
  settings(overrides?: Partial<SshConnectSettings>): SshConnectSettings;
}

export async function startContractLab(
  addresses: string[],
  dispatcher: Dispatcher = contractDispatcher,
  extra: Partial<LabSshOptions> = {},
): Promise<ContractLab> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cortex-ssh-lab-'));
  const lab = await startLabSsh({
    hosts: addresses.map((address, i) => ({ ref: { name: `sshhost${i + 1}`, address } })),
    dispatcher,
    stateDir,
    ...extra,
  });
  return {
    lab,
    stateDir,
    stop: async () => {
      await lab.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
    settings: (overrides = {}) => labSshSettings(lab, overrides),
  };
}

/** Settings that log in to a lab sshd with its generated client key and known_hosts. */
export function labSshSettings(
  lab: { port: number; user: string; clientKeyPath: string; knownHostsPath: string },
  overrides: Partial<SshConnectSettings> = {},
): SshConnectSettings {
  return {
    port: lab.port,
    user: lab.user,
    privateKey: readFileSync(lab.clientKeyPath, 'utf8'),
    passphrase: null,
    password: null,
    agent: null,
    knownHostsPath: lab.knownHostsPath,
    connectTimeoutMs: 5_000,
    keepaliveIntervalMs: sshDefaults.keepaliveIntervalMs,
    commandTimeoutMs: 20_000,
    jumpHost: null,
    ...overrides,
  };
}

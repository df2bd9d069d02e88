/**
 * The script runner on a real pwsh over SSH: the lab's real OpenSSH sshd, whose ForceCommand runs the
 * host's `powershell.exe …` command lines in a real pwsh (startLabSsh's `pwsh` host option).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSshSession } from '../../src/transport/ssh/index.js';
import { runToCompletion } from '../../src/transport/session.js';
import { encodeCommand } from '../../src/runner/bootstrap.js';
import { describeWithPwsh, PWSH } from '../helpers/pwsh.js';
import { startContractLab, type ContractLab } from '../transport/ssh/lab-fixture.js';
import { describeRealRunner } from './real-pwsh-suite.js';

// This file's lab address (the SSH tests' range, 127.0.70.0–127.0.79.255).
const address = '127.0.72.60';
let lab: ContractLab | undefined;
beforeAll(async () => {
  if (!PWSH) return; // describeRealRunner reports the missing pwsh
  lab = await startContractLab([address], undefined, { hosts: [{ ref: { name: 'pwshssh1', address }, pwsh: PWSH }] });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

describeRealRunner('SSH (lab sshd running pwsh)', async () => {
  const session = await openSshSession({ name: 'pwshssh1', address }, lab!.settings({ commandTimeoutMs: 120_000 }));
  return { session, cleanup: () => session.close() };
});

describeWithPwsh('lab SSH host running pwsh: what is not PowerShell', () => {
  it('refuses other programs with "not emulated by the lab" (exit 1), reading the command line as Windows does', async () => {
    const session = await openSshSession({ name: 'pwshssh1', address }, lab!.settings());
    try {
      const r = await runToCompletion(session, { command: 'cmd.exe', args: ['/c', 'ver'] }, { timeoutMs: 60_000 });
      expect(r.exitCode).toBe(1);
      expect(r.stderr.toString('utf8')).toContain('cmd.exe: not emulated by the lab');
      // powershell.exe maps onto pwsh, the words as the client quoted them.
      const p = await runToCompletion(session, { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', 'Write-Output', 'one', "'two words'"] }, { timeoutMs: 60_000 });
      expect(p.exitCode).toBe(0);
      expect(p.stdout.toString('utf8').trim().split(/\r?\n/)).toEqual(['one', 'two words']);
      const encoded = encodeCommand("[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false); 'Zürich – 東京'; exit 5");
      const e = await runToCompletion(session, { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-EncodedCommand', encoded] }, { timeoutMs: 60_000 });
      expect(e.exitCode).toBe(5);
      expect(e.stdout.toString('utf8').trim()).toBe('Zürich – 東京');
    } finally {
      await session.close();
    }
  }, 120_000);
});

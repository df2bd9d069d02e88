/**
 * The local transport: the error path (no PowerShell on this workstation: this machine has none),
 * and the Session contract against a `pwsh` on PATH. When the workstation has no real pwsh, the
 * test puts a fake one in a temp folder: a real child process running the contract program, so
 * spawn, stdin, stdout, stderr and exit codes are real.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CortexError } from '../../src/errors.js';
import { findPowerShell, openLocalSession } from '../../src/transport/local/index.js';
import { runToCompletion } from '../../src/transport/session.js';
import { describeSessionContract, program } from './contract.js';

const emptyDir = mkdtempSync(join(tmpdir(), 'cortex-local-empty-'));
const fakeDir = mkdtempSync(join(tmpdir(), 'cortex-local-pwsh-'));
const fakePwsh = join(fakeDir, 'pwsh');
writeFileSync(fakePwsh, `#!/bin/sh\nexec '${process.execPath}' '${resolve(import.meta.dirname, 'fake-pwsh.mjs')}' "$@"\n`);
chmodSync(fakePwsh, 0o755);
afterAll(() => {
  rmSync(emptyDir, { recursive: true, force: true });
  rmSync(fakeDir, { recursive: true, force: true });
});

const host = { name: 'workstation', address: 'localhost' };

describe('local transport', () => {
  it('without powershell.exe or pwsh, refuses with a clear unreachable error naming the host', async () => {
    const err = await openLocalSession(host, { searchPath: emptyDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CortexError);
    expect((err as CortexError).kind).toBe('unreachable');
    expect((err as CortexError).exitCode).toBe(2);
    expect((err as Error).message).toContain('host workstation');
    expect((err as Error).message).toContain('neither powershell.exe nor pwsh found on this workstation');
    expect((err as Error).message).toMatch(/winrm or ssh/);
  });

  it('finds pwsh on the search path, and prefers powershell.exe when both exist', () => {
    expect(findPowerShell(`${emptyDir}:${fakeDir}`)).toBe(fakePwsh);
    const both = mkdtempSync(join(tmpdir(), 'cortex-local-both-'));
    try {
      for (const n of ['pwsh', 'powershell.exe']) {
        writeFileSync(join(both, n), '#!/bin/sh\n');
        chmodSync(join(both, n), 0o755);
      }
      expect(findPowerShell(both)).toBe(join(both, 'powershell.exe'));
    } finally {
      rmSync(both, { recursive: true, force: true });
    }
  });

  it('maps powershell.exe in a ProcessSpec onto the pwsh it found', async () => {
    const session = await openLocalSession(host, { searchPath: fakeDir });
    try {
      expect(session.transport).toBe('local');
      const r = await runToCompletion(session, program('echo', 'from', 'pwsh'), { timeoutMs: 20_000 });
      expect(r.stdout.toString()).toBe('from pwsh\n');
    } finally {
      await session.close();
    }
  });
});

describeSessionContract(
  'local (pwsh on PATH)',
  async () => {
    const session = await openLocalSession(host, { searchPath: fakeDir });
    return { session, cleanup: () => session.close() };
  },
  {
    largeExitCodes: process.platform === 'win32',
    concurrentSpawns: true,
    openDead: () => openLocalSession(host, { searchPath: emptyDir }),
    // On the workstation a "remote" path is a local one.
    uploads: { remotePath: (name) => join(fakeDir, 'uploads', name), read: async (path) => readFileSync(path) },
  },
);

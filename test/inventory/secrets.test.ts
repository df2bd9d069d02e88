import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The terminal itself is out of reach in a test: count the questions instead.
const asked = vi.hoisted(() => ({ questions: [] as string[] }));
vi.mock('../../src/inventory/tty-prompt.js', () => ({
  readHidden: (q: string) => {
    asked.questions.push(q);
    return Promise.resolve('typed-at-the-prompt');
  },
}));
import { filePath, readFileRef, resolveHostSecret, resolveSecret } from '../../src/inventory/secrets.js';
import { checkSecretReferences } from '../../src/inventory/secret-check.js';
import { loadInventory } from '../../src/inventory/loader.js';
import { clearSecretsForTests, redact } from '../../src/secrets/registry.js';
import { InputError } from '../../src/errors.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/inventory');

afterEach(() => {
  clearSecretsForTests();
  delete process.env.H2_SECRET_TEST;
});

describe('resolveSecret', () => {
  it('env:NAME reads the variable and registers the value for redaction', async () => {
    process.env.H2_SECRET_TEST = 'from-the-env-123';
    expect(await resolveSecret('env:H2_SECRET_TEST', { field: 'winrm.password' })).toBe('from-the-env-123');
    expect(redact('x from-the-env-123 y')).toBe('x ******** y');
  });

  it('env:NAME unset is an InputError naming the variable, the host and the field', async () => {
    const p = resolveSecret('env:H2_SECRET_TEST', { host: 'app1', field: 'winrm.password', position: { file: 'site.yaml', line: 7, col: 17 } });
    await expect(p).rejects.toThrow(InputError);
    await expect(resolveSecret('env:H2_SECRET_TEST', { host: 'app1', field: 'winrm.password', position: { file: 'site.yaml', line: 7, col: 17 } })).rejects.toThrow(
      /site\.yaml:7:17, host app1, field winrm\.password: environment variable H2_SECRET_TEST is not set/,
    );
  });

  it('file:PATH is relative to the inventory folder, trailing newline trimmed', async () => {
    const v = await resolveSecret('file:secrets/winrm-password', { field: 'winrm.password', baseDir: fixtures });
    expect(v).toBe('file-secret-value');
    expect(redact('file-secret-value')).toBe('********');
    const viaPosition = await resolveSecret('file:secrets/winrm-password', { field: 'winrm.password', position: { file: join(fixtures, 'x.yaml'), line: 1, col: 1 } });
    expect(viaPosition).toBe('file-secret-value');
  });

  it('file:~/… expands the home folder', () => {
    expect(filePath('~/.ssh/id_ed25519', { baseDir: '/elsewhere' })).toBe(join(homedir(), '.ssh/id_ed25519'));
    expect(filePath('/abs/key', { baseDir: '/elsewhere' })).toBe('/abs/key');
  });

  it('a missing or empty file is an InputError without the content', async () => {
    await expect(resolveSecret('file:nope', { field: 'ssh.key', baseDir: fixtures })).rejects.toThrow(/cannot read secret file .*nope \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), 'cortex-secret-'));
    writeFileSync(join(dir, 'empty'), '\n');
    await expect(resolveSecret('file:empty', { field: 'ssh.key', baseDir: dir })).rejects.toThrow(/is empty/);
  });

  it('prompt is refused when stdin is not a terminal', async () => {
    const wasTty = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    try {
      await expect(resolveSecret('prompt', { host: 'db1', field: 'winrm.password' })).rejects.toThrow(/standard input is not a terminal.*Use env:NAME or file:PATH/s);
    } finally {
      Object.defineProperty(process.stdin, 'isTTY', { value: wasTty, configurable: true });
    }
  });

  it('prompt on a terminal asks once per written reference, and registers the answer', async () => {
    const wasTty = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
    try {
      const a = await resolveSecret('prompt', { host: 'app1', field: 'winrm.password', promptKey: 'site.yaml#all.vars.winrm.password' });
      const b = await resolveSecret('prompt', { host: 'app2', field: 'winrm.password', promptKey: 'site.yaml#all.vars.winrm.password' });
      const c = await resolveSecret('prompt', { host: 'db1', field: 'winrm.password' });
      expect([a, b, c]).toEqual(['typed-at-the-prompt', 'typed-at-the-prompt', 'typed-at-the-prompt']);
      expect(asked.questions).toEqual(['winrm.password: ', 'winrm.password for db1: ']);
      expect(redact('typed-at-the-prompt')).toBe('********');
    } finally {
      Object.defineProperty(process.stdin, 'isTTY', { value: wasTty, configurable: true });
    }
  });

  it('a literal is refused and masked', async () => {
    await expect(resolveSecret('hunter2hunter2', { field: 'winrm.password' })).rejects.toThrow(/never written literally/);
    expect(redact('hunter2hunter2')).toBe('********');
  });
});

describe('host secrets and file references', () => {
  it('resolveHostSecret resolves relative to the inventory file', async () => {
    const inv = { file: join(fixtures, 'site.yaml') };
    const host = { name: 'app1', winrm: { password: 'file:secrets/winrm-password' }, ssh: { key: null, passphrase: null, password: null } } as unknown as Parameters<typeof resolveHostSecret>[1];
    expect(await resolveHostSecret(inv, host, 'winrm.password')).toBe('file-secret-value');
    expect(await resolveHostSecret(inv, host, 'ssh.key')).toBeNull();
    expect(await readFileRef(inv, 'file:secrets/winrm-password', { field: 'winrm.tls.ca' })).toBe('file-secret-value\n');
    expect(await readFileRef(inv, null, { field: 'winrm.tls.ca' })).toBeNull();
  });

  it('resolveHostSecret errors point at the line that wrote the reference', async () => {
    const inv = await loadInventory(join(fixtures, 'inheritance.yaml'));
    const app1 = inv.hosts.find((h) => h.name === 'app1')!;
    await expect(resolveHostSecret(inv, app1, 'winrm.password')).rejects.toThrow(
      /inheritance\.yaml:8:17, host app1, field winrm\.password: environment variable CORTEX_TEST_PW is not set/,
    );
  });

  it('checkSecretReferences reports unset variables and missing files once per reference, never values', async () => {
    const inv = await loadInventory('examples/lab/inventory.yaml');
    const missing = checkSecretReferences(inv, {});
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ id: 'inventory.secret-unresolved', severity: 'warning', hosts: inv.hosts.map((h) => h.name) });
    expect(missing[0]!.message).toContain('CORTEX_LAB_PASSWORD');
    expect(checkSecretReferences(inv, { CORTEX_LAB_PASSWORD: 'CortexLab!2026' })).toEqual([]);
    const inh = await loadInventory(join(fixtures, 'inheritance.yaml'));
    const found = checkSecretReferences(inh, { CORTEX_TEST_PW: 'x' });
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining('winrm.tls.ca: file'), expect.stringContaining('ssh.key: file')]);
  });
});

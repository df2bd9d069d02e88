/**
 * Ansible Vault values (`ansible_password: !vault |`) in secret fields (docs/inventory.md, "Ansible
 * Vault"). The encrypted text is not a secret, so the loader keeps it as a reference, `vault:` + the
 * text in base64, and it is decrypted like any reference: only when a connection needs it, the value
 * registered with the redactor first. The password comes from a file named by ANSIBLE_VAULT_PASSWORD_FILE
 * (Ansible's own variable, so an Ansible user's setup works as it is) or CORTEX_VAULT_PASSWORD_FILE.
 * The decryption (AES256, formats 1.1 and 1.2) is the ansible-vault package's.
 */
import { statSync } from 'node:fs';
import { InputError, type SourcePosition } from '../errors.js';
import { registerSecret } from '../secrets/registry.js';
import { readBoundedFile } from './bounded-file.js';
import { SECRET_FILE_MAX_BYTES } from './limits.js';

export const VAULT_REF = 'vault:';
export const VAULT_PASSWORD_VARS = ['CORTEX_VAULT_PASSWORD_FILE', 'ANSIBLE_VAULT_PASSWORD_FILE'] as const;

/** The text of a vault value (header line, then hex lines) as a reference. */
export function toVaultRef(text: string): string {
  const lines = text.trim().split(/\s*\r?\n\s*/);
  return `${VAULT_REF}${Buffer.from(lines.join('\n'), 'utf8').toString('base64')}`;
}

export function isVaultRef(ref: string): boolean {
  return ref.startsWith(VAULT_REF);
}

/** The password file to use, and the variable that named it; null when none is set. */
export function vaultPasswordFile(env: NodeJS.ProcessEnv): { path: string; variable: string } | null {
  for (const variable of VAULT_PASSWORD_VARS) {
    const path = env[variable];
    if (path) return { path, variable };
  }
  return null;
}

export interface VaultContext {
  host?: string | undefined;
  field: string;
  position?: SourcePosition | undefined;
}

const HINT = `Set ANSIBLE_VAULT_PASSWORD_FILE (or CORTEX_VAULT_PASSWORD_FILE) to a file holding the vault password, as for ansible-playbook --vault-password-file (docs/inventory.md, "Ansible Vault").`;

/** Decrypts a vault: reference. Errors say which field and why, never the value or the password. */
export async function decryptVaultRef(ref: string, ctx: VaultContext, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const errCtx = { host: ctx.host, field: ctx.field, position: ctx.position };
  const file = vaultPasswordFile(env);
  if (!file) throw new InputError('is encrypted with Ansible Vault, and no vault password file is set.', { ...errCtx, hint: HINT });
  let password: string;
  try {
    // Ansible runs an executable password file as a script; cortex-deploy runs nothing it is handed.
    if ((statSync(file.path).mode & 0o111) !== 0) {
      throw new InputError(`the vault password file ${file.path} (${file.variable}) is executable; cortex-deploy does not run password scripts.`, {
        ...errCtx,
        hint: 'Point the variable at a plain file holding the password (chmod 600), e.g. written by your script before the run.',
      });
    }
    // As Ansible reads it: surrounding whitespace is not part of the password.
    password = (await readBoundedFile(file.path, SECRET_FILE_MAX_BYTES)).trim();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read the vault password file ${file.path} (${file.variable}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { ...errCtx, hint: HINT });
  }
  if (!password) throw new InputError(`the vault password file ${file.path} (${file.variable}) is empty.`, { ...errCtx, hint: HINT });
  registerSecret(password);
  const text = Buffer.from(ref.slice(VAULT_REF.length), 'base64').toString('utf8');
  let value: string | undefined;
  // Loaded here, when an inventory holds a vault value: every other run starts without it.
  const { Vault } = await import('ansible-vault');
  try {
    value = await new Vault({ password }).decrypt(text, undefined as unknown as string);
  } catch (err) {
    const why = (err as Error).message;
    const message =
      why === 'Integrity check failed'
        ? `the vault password in ${file.path} (${file.variable}) does not decrypt it (wrong password, or the value was encrypted with another vault id's password).`
        : `is not a vault value cortex-deploy can read (${why}); formats 1.1 and 1.2 with AES256 are read.`;
    throw new InputError(message, { ...errCtx, hint: 'Check it with: ansible-vault view, or ansible localhost -m debug -a var=… --vault-password-file FILE.' });
  }
  if (value === undefined) throw new InputError('could not be decrypted.', errCtx);
  registerSecret(value);
  return value;
}

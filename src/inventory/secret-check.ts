/**
 * `inventory check` looks at secret references without reading them out: is each env: variable set,
 * does each file: exist? Unresolvable references are warnings (the variable may be set only where
 * the run happens); `prompt` is never asked here. Values are never read into findings.
 */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { Finding } from './topology/rule.js';
import type { HostConfig, Inventory } from './types.js';
import { filePath } from './secrets.js';
import { isVaultRef, vaultPasswordFile } from './vault.js';

export const SECRET_UNRESOLVED = 'inventory.secret-unresolved';

function referencesOf(h: HostConfig): Array<[field: string, ref: string]> {
  const out: Array<[string, string | null | undefined]> =
    h.transport === 'winrm'
      ? [['winrm.password', h.winrm.password], ['winrm.tls.ca', h.winrm.tls.ca], ['winrm.certificate.cert', h.winrm.certificate?.cert], ['winrm.certificate.key', h.winrm.certificate?.key]]
      : h.transport === 'ssh'
        ? [['ssh.key', h.ssh.key], ['ssh.passphrase', h.ssh.passphrase], ['ssh.password', h.ssh.password]]
        : [];
  return out.filter((e): e is [string, string] => typeof e[1] === 'string');
}

export function checkSecretReferences(inv: Pick<Inventory, 'file' | 'hosts'>, env: NodeJS.ProcessEnv = process.env): Finding[] {
  const problems = new Map<string, { message: string; hosts: string[] }>();
  for (const h of inv.hosts) {
    for (const [field, ref] of referencesOf(h)) {
      let message: string | null = null;
      if (ref.startsWith('env:')) {
        const name = ref.slice(4);
        if (!env[name]) message = `${field}: environment variable ${name} is not set (${ref}); export it before connecting to these hosts.`;
      } else if (isVaultRef(ref)) {
        // Whether the password file is there; the value itself is decrypted only when a host is contacted.
        const file = vaultPasswordFile(env);
        if (!file) message = `${field}: encrypted with Ansible Vault, and neither ANSIBLE_VAULT_PASSWORD_FILE nor CORTEX_VAULT_PASSWORD_FILE is set.`;
        else {
          try {
            accessSync(file.path, constants.R_OK);
          } catch {
            message = `${field}: encrypted with Ansible Vault; the vault password file ${file.path} (${file.variable}) does not exist or cannot be read.`;
          }
        }
      } else if (ref.startsWith('file:')) {
        const path = filePath(ref.slice(5), { baseDir: dirname(inv.file) });
        try {
          accessSync(path, constants.R_OK);
        } catch {
          message = `${field}: file ${path} (${ref}) does not exist or cannot be read.`;
        }
      }
      if (!message) continue;
      const entry = problems.get(message) ?? { message, hosts: [] };
      entry.hosts.push(h.name);
      problems.set(message, entry);
    }
  }
  return [...problems.values()].map((p) => ({ id: SECRET_UNRESOLVED, severity: 'warning', message: p.message, source: 'docs/inventory.md, "Secrets"', hosts: p.hosts }));
}

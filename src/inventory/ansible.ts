/**
 * Ansible inventories as they are: the `ansible_*` connection variables an Ansible Windows inventory
 * sets, read as cortex-deploy's own keys (docs/inventory.md, "Coming from Ansible").
 * - The document schema accepts them where they are written (so errors point at them);
 * - the loader translates each layer (all, groups, host) before merging, knowing the host's transport,
 *   so Ansible's precedence holds and each translated key still points at the ansible_* line.
 * Jinja: `{{ lookup('env', 'NAME') }}` is read as env:NAME; any other expression is refused with the
 * line (cortex-deploy has no template engine). Vault-encrypted values in secret fields become vault:
 * references (vault.ts), decrypted when a connection needs them; elsewhere they are refused.
 */
import { AnsibleVarsShape } from './schema.js';
import type { YamlPath } from './source.js';
import { toVaultRef } from './vault.js';
import { classifyKey } from './custom-vars.js';

/** Fields that hold a secret reference, where a vault value is read (vault.ts). */
function isSecretField(path: YamlPath): boolean {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'ansible_password' || last === 'ansible_ssh_pass') return true;
  if (parent === 'winrm') return last === 'password';
  if (parent === 'certificate') return last === 'key' && path[path.length - 3] === 'winrm';
  if (parent === 'ssh') return last === 'key' || last === 'passphrase' || last === 'password';
  return false;
}

export type AnsibleKey = keyof typeof AnsibleVarsShape;
const ANSIBLE_KEYS = new Set(Object.keys(AnsibleVarsShape));

/** The transport a layer sets, if it sets one (its own `transport` wins over its ansible_connection). */
export function transportOfLayer(vars: Record<string, unknown>): string | undefined {
  if (typeof vars.transport === 'string') return vars.transport;
  const c = vars.ansible_connection;
  if (typeof c === 'string') return c === 'psrp' ? 'winrm' : c;
  return undefined;
}

const fileRef = (p: string) => (p.startsWith('file:') ? p : `file:${p}`);
const port = (v: unknown) => (typeof v === 'string' ? Number(v) : v);

/**
 * One layer's ansible_* keys as cortex-deploy settings: [our path, value, the ansible key that set it].
 * `transport` is the host's transport after all layers, which decides where user and password go.
 */
export function translateAnsible(vars: Record<string, unknown>, transport: string): Array<{ target: YamlPath; value: unknown; from: string }> {
  const out: Array<{ target: YamlPath; value: unknown; from: string }> = [];
  const conn = transport === 'ssh' ? 'ssh' : 'winrm';
  const put = (from: string, target: YamlPath, value: unknown) => out.push({ target, value, from });
  for (const [k, v] of Object.entries(vars)) {
    if (!ANSIBLE_KEYS.has(k) || v === undefined || v === null) continue;
    switch (k as AnsibleKey) {
      case 'ansible_host': put(k, ['address'], v); break;
      case 'ansible_port': put(k, ['port'], port(v)); break;
      case 'ansible_connection': put(k, ['transport'], v === 'psrp' ? 'winrm' : v); break;
      case 'ansible_user': put(k, [conn, 'user'], v); break;
      case 'ansible_password': put(k, [conn, 'password'], v); break;
      case 'ansible_ssh_user': put(k, ['ssh', 'user'], v); break;
      case 'ansible_ssh_pass': put(k, ['ssh', 'password'], v); break;
      case 'ansible_ssh_port': put(k, ['ssh', 'port'], port(v)); break;
      case 'ansible_ssh_private_key_file': put(k, ['ssh', 'key'], fileRef(String(v))); break;
      case 'ansible_winrm_transport': put(k, ['winrm', 'auth'], v); break;
      case 'ansible_winrm_scheme': put(k, ['winrm', 'scheme'], v); break;
      case 'ansible_winrm_server_cert_validation': put(k, ['winrm', 'tls', 'insecure'], v === 'ignore'); break;
      case 'ansible_winrm_ca_trust_path': put(k, ['winrm', 'tls', 'ca'], fileRef(String(v))); break;
      case 'ansible_winrm_cert_pem': put(k, ['winrm', 'certificate', 'cert'], fileRef(String(v))); break;
      case 'ansible_winrm_cert_key_pem': put(k, ['winrm', 'certificate', 'key'], fileRef(String(v))); break;
      case 'ansible_winrm_kerberos_hostname_override': put(k, ['winrm', 'spn'], `HTTP/${String(v)}`); break;
      case 'ansible_winrm_operation_timeout_sec': put(k, ['winrm', 'operationTimeoutSec'], v); break;
      case 'ansible_winrm_read_timeout_sec': put(k, ['winrm', 'requestTimeoutMs'], Number(v) * 1000); break;
      case 'ansible_shell_type': break;
    }
  }
  return out;
}

/** A layer without its ansible_* keys (what mergeLayer merges as written). */
export function withoutAnsible(vars: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => !ANSIBLE_KEYS.has(k)));
}

const ENV_LOOKUP = /^\s*\{\{\s*lookup\(\s*(['"])(?:ansible\.builtin\.)?env\1\s*,\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\2\s*\)\s*\}\}\s*$/;
const VAULT = /^\s*\$ANSIBLE_VAULT;/;
const JINJA = /\{\{|\{%/;

export interface TemplateProblem {
  path: YamlPath;
  message: string;
  hint: string;
}

const REF_HINT = "Write a reference instead: env:NAME (or {{ lookup('env', 'NAME') }}), file:PATH (a file holding only the secret) or prompt; see docs/inventory.md, \"Coming from Ansible\".";

const ANSIBLE_PREFIX = /^ansible_/i;

/**
 * Rewrites `{{ lookup('env', 'NAME') }}` to env:NAME in place, and returns a problem for every
 * vault-encrypted value and every other Jinja expression (their text is never echoed: it may be a secret).
 */
export function resolveTemplates(data: unknown): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const stack: Array<[unknown, YamlPath]> = [[data, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      // Other tools' ansible_* settings are ignored, their Jinja and vault values with them.
      // (Only an ansible_* key can be one: other keys, host and group names among them, skip the
      // classification, whose typo check cost ~40 ms on an inventory of 1,000 hosts.)
      if (!Array.isArray(node) && ANSIBLE_PREFIX.test(k) && classifyKey(k).kind === 'ansible-ignored') continue;
      const here = [...path, Array.isArray(node) ? Number(k) : k];
      if (typeof v !== 'string') {
        stack.push([v, here]);
        continue;
      }
      const env = ENV_LOOKUP.exec(v);
      if (env) (node as Record<string, unknown>)[k] = `env:${env[3]}`;
      else if (VAULT.test(v) && isSecretField(here)) (node as Record<string, unknown>)[k] = toVaultRef(v);
      else if (VAULT.test(v)) problems.push({ path: here, message: 'is an Ansible Vault-encrypted value (!vault) in a field that is not a secret; cortex-deploy decrypts vault values only in secret fields.', hint: `Vault values are read in ansible_password, ansible_ssh_pass, winrm.password, winrm.certificate.key and ssh.key/passphrase/password (docs/inventory.md, "Ansible Vault"); write this value in clear.` });
      else if (JINJA.test(v)) problems.push({ path: here, message: "is a Jinja expression; cortex-deploy reads only {{ lookup('env', 'NAME') }}.", hint: `Write the value itself, or for a secret a reference. ${REF_HINT}` });
    }
  }
  return problems;
}

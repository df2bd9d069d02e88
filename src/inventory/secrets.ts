/**
 * Secret references: `env:NAME`, `file:PATH`, `prompt` (and Ansible Vault values, vault.ts). Resolved only when a connection needs the
 * value, and every resolved value is registered with the redactor before anything else sees it.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, type SourcePosition } from '../errors.js';
import { registerSecret } from '../secrets/registry.js';
import { SECRET_REF_HINT, SECRET_REF_PATTERN } from './schema.js';
import { readHidden } from './tty-prompt.js';
import { BoundedReadError, readBoundedFile } from './bounded-file.js';
import { REFERENCED_FILE_MAX_BYTES, SECRET_FILE_MAX_BYTES } from './limits.js';
import type { HostConfig, Inventory } from './types.js';
import { decryptVaultRef, isVaultRef } from './vault.js';

export interface SecretContext {
  host?: string | undefined;
  /** The field that holds the reference, e.g. winrm.password. */
  field: string;
  /** Where the reference is written; relative file: paths resolve against this file's folder. */
  position?: SourcePosition | undefined;
  /** Folder for relative file: paths (default: the folder of `position.file`, else the current directory). */
  baseDir?: string | undefined;
  /** Identity of the written reference, so `prompt` asks once per place it is written (default: position). */
  promptKey?: string | undefined;
}

/** Asked once per written reference: `password: prompt` in all.vars asks once, not once per host. */
const prompted = new Map<string, Promise<string>>();

/** Secret fields whose file holds several lines (read whole, only a last newline stripped). */
const MULTI_LINE_FIELDS = new Set(['ssh.key', 'winrm.certificate.key', 'nservicebus_license.license']);

export async function resolveSecret(ref: string, ctx: SecretContext): Promise<string> {
  const errCtx = { host: ctx.host, field: ctx.field, position: ctx.position };
  if (!SECRET_REF_PATTERN.test(ref)) {
    registerSecret(ref);
    throw new InputError('is not a secret reference; secrets are never written literally.', { ...errCtx, hint: SECRET_REF_HINT });
  }
  if (isVaultRef(ref)) return decryptVaultRef(ref, errCtx);
  let value: string;
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const v = process.env[name];
    if (v === undefined || v === '') {
      throw new InputError(`environment variable ${name} is not set (referenced as ${ref}).`, { ...errCtx, hint: `Export it before running, e.g. export ${name}='…', or use file:PATH.` });
    }
    value = v;
  } else if (ref.startsWith('file:')) {
    const path = filePath(ref.slice(5), ctx);
    // A private key (SSH, or a WinRM client certificate's) and NServiceBus's licence (XML) span lines; a
    // password or passphrase is one line.
    const multiLine = MULTI_LINE_FIELDS.has(ctx.field);
    value = (await readReferencedFile(path, multiLine ? REFERENCED_FILE_MAX_BYTES : SECRET_FILE_MAX_BYTES, 'secret file', errCtx)).replace(/\r?\n$/, '');
    if (value === '') throw new InputError(`secret file ${path} is empty.`, errCtx);
    if (!multiLine && /[\r\n]/.test(value)) {
      registerSecret(value);
      for (const line of value.split(/\r?\n/)) registerSecret(line);
      throw new InputError(`secret file ${path} holds more than one line; a secret file is one line (a trailing newline is stripped).`, { ...errCtx, hint: 'Put only the secret in the file.' });
    }
  } else {
    if (!process.stdin.isTTY) {
      throw new InputError('is set to prompt, but standard input is not a terminal, so nobody can be asked.', {
        ...errCtx,
        hint: 'Use env:NAME or file:PATH for unattended runs (CI, pipes, scheduled tasks).',
      });
    }
    const shared = ctx.promptKey ?? (ctx.position ? `${ctx.position.file}:${ctx.position.line}:${ctx.position.col}` : undefined);
    const key = shared ?? `${ctx.host ?? ''}/${ctx.field}`;
    let pending = prompted.get(key);
    if (!pending) {
      pending = readHidden(`${ctx.field}${ctx.host && !shared ? ` for ${ctx.host}` : ''}: `);
      prompted.set(key, pending);
    }
    value = await pending;
  }
  registerSecret(value);
  return value;
}

/** A file a reference names, as text: a regular file of at most `maxBytes`, or an InputError naming it. */
async function readReferencedFile(path: string, maxBytes: number, what: string, errCtx: { host?: string | undefined; field: string; position?: SourcePosition | undefined }): Promise<string> {
  try {
    return await readBoundedFile(path, maxBytes);
  } catch (err) {
    const problem = err instanceof BoundedReadError ? err.problem : { kind: 'unreadable' as const, code: String(err) };
    if (problem.kind === 'missing' || problem.kind === 'unreadable') {
      throw new InputError(`cannot read ${what} ${path} (${problem.code}).`, { ...errCtx, hint: "Check the path; relative paths start at the inventory file's folder, ~ is your home." });
    }
    throw new InputError(`${what} ${(err as Error).message}.`, { ...errCtx, hint: 'Name a plain file (docs/security.md, Limits).' });
  }
}

/** Resolve a file: path (also used for non-secret file references such as tls.ca). */
export function filePath(raw: string, ctx: Pick<SecretContext, 'position' | 'baseDir'>): string {
  const expanded = raw === '~' ? homedir() : raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : raw;
  if (isAbsolute(expanded)) return expanded;
  const base = ctx.baseDir ?? (ctx.position ? dirname(resolve(ctx.position.file)) : process.cwd());
  return resolve(base, expanded);
}

export type HostSecretField = 'winrm.password' | 'winrm.certificate.key' | 'ssh.key' | 'ssh.passphrase' | 'ssh.password';

function refOf(host: HostConfig, field: HostSecretField): string | null | undefined {
  switch (field) {
    case 'winrm.password':
      return host.winrm.password;
    case 'winrm.certificate.key':
      return host.winrm.certificate?.key;
    case 'ssh.key':
      return host.ssh.key;
    case 'ssh.passphrase':
      return host.ssh.passphrase;
    case 'ssh.password':
      return host.ssh.password;
  }
}

/**
 * Resolve one of a host's secret fields (null when the field is not set). Relative file: paths start at
 * the inventory file's folder. The value is registered with the redactor before it is returned.
 */
export async function resolveHostSecret(inv: Pick<Inventory, 'file'> & Partial<Pick<Inventory, 'positionOf'>>, host: HostConfig, field: HostSecretField): Promise<string | null> {
  const ref = refOf(host, field);
  if (!ref) return null;
  const source = host.refSources?.[field];
  const position = source && inv.positionOf ? inv.positionOf(source) : undefined;
  return resolveSecret(ref, { host: host.name, field, baseDir: dirname(inv.file), position, promptKey: source ? `${inv.file}#${source.join('.')}` : undefined });
}

/** Read a non-secret file reference (e.g. winrm.tls.ca) as text; null when unset. */
export async function readFileRef(inv: Pick<Inventory, 'file'>, ref: string | null | undefined, ctx: { host?: string; field: string }): Promise<string | null> {
  if (!ref) return null;
  if (!ref.startsWith('file:')) throw new InputError(`must be file:PATH, got '${ref}'.`, { host: ctx.host, field: ctx.field });
  const path = filePath(ref.slice(5), { baseDir: dirname(inv.file) });
  return readReferencedFile(path, REFERENCED_FILE_MAX_BYTES, 'file', { host: ctx.host, field: ctx.field });
}

/**
 * Key material of the lab's SSH endpoint, made with ssh-keygen into the state folder: the server's
 * host key, and a client key pair whose public half is the authorized key. Kept across `lab up`s
 * so known_hosts entries and the inventory's key path stay valid.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fingerprintOf } from '../../transport/ssh/known-hosts.js';

const run = promisify(execFile);

/** Generate an unencrypted key pair at `path` (and `path.pub`) unless it exists. */
export async function ensureKeyPair(path: string, type: 'ed25519' | 'rsa' | 'ecdsa', comment: string): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', comment, '-f', path]);
}

/** The public key line (`type base64 comment`) and its SHA256 fingerprint. */
export function readPublicKey(pubPath: string): { line: string; keyType: string; blob: Buffer; fingerprint: string } {
  const line = readFileSync(pubPath, 'utf8').trim();
  const [keyType, b64] = line.split(/\s+/);
  if (!keyType || !b64) throw new Error(`${pubPath} is not an OpenSSH public key`);
  const blob = Buffer.from(b64, 'base64');
  return { line, keyType, blob, fingerprint: fingerprintOf(blob) };
}

/**
 * known_hosts: parse, match and append, the way OpenSSH reads the file (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"). Pure functions over the file's text; the session does the reading and writing.
 *
 * Supported: plain and hashed (`|1|salt|hash`, HMAC-SHA1) host fields, comma-separated patterns with
 * `*` / `?` wildcards and `!` negation, the `[host]:port` form for ports other than 22, and the
 * `@revoked` marker. `@cert-authority` lines are skipped (we do not verify host certificates).
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  hosts: string;
  keyType: string;
  keyBase64: string;
  /** 1-based line number in the file, for messages. */
  line: number;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return; // malformed lines are ignored, as ssh does
    entries.push({ marker, hosts, keyType, keyBase64, line: i + 1 });
  });
  return entries;
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const digest = createHmac('sha1', salt).update(name).digest('base64');
  return digest === parts[3];
}

/** Does the entry's host field name `name` (already in `[host]:port` form where needed)? */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (wildcardToRegExp(pattern).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/** SHA256:base64 (no padding) of the key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export interface KnownKey {
  keyType: string;
  fingerprint: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'revoked'; line: number }
  /** The host has recorded keys and the offered one is none of them. `known` lists those keys. */
  | { status: 'changed'; known: KnownKey[] };

/** Decide whether `keyBlob` offered by `address:port` is trusted by the known_hosts text. */
export function verifyHostKey(text: string, address: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(address, port);
  const offered = keyBlob.toString('base64');
  const forHost = parseKnownHosts(text).filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.keyBase64 === offered);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const known = forHost.filter((e) => e.marker === null);
  if (known.some((e) => e.keyBase64 === offered)) return { status: 'known' };
  if (known.length === 0) return { status: 'unknown' };
  // Show the recorded key of the same type first: that is the one that changed.
  const type = keyTypeOf(keyBlob);
  const ordered = [...known.filter((e) => e.keyType === type), ...known.filter((e) => e.keyType !== type)];
  return {
    status: 'changed',
    known: ordered.map((e) => ({
      keyType: e.keyType,
      fingerprint: fingerprintOf(Buffer.from(e.keyBase64, 'base64')),
      line: e.line,
    })),
  };
}

/** Key types recorded for the host, so the client can prefer them when negotiating (as ssh does). */
export function knownKeyTypes(text: string, address: string, port: number): string[] {
  const name = knownHostsName(address, port);
  return [
    ...new Set(
      parseKnownHosts(text)
        .filter((e) => e.marker === null && hostFieldMatches(e.hosts, name))
        .map((e) => e.keyType),
    ),
  ];
}

/** The line `--accept-new-host-keys` appends (plain host field, like `ssh -o HashKnownHosts=no`). */
export function knownHostsLine(address: string, port: number, keyBlob: Buffer): string {
  return `${knownHostsName(address, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
}

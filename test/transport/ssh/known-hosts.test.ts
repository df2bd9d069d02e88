import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  hostFieldMatches,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/transport/ssh/known-hosts.js';
import { hostKeyAlgorithms } from '../../../src/transport/ssh/connect.js';

/** A syntactically valid SSH public key blob of a type (random key material). */
function blob(type: string): Buffer {
  const t = Buffer.from(type);
  const k = randomBytes(32);
  const out = Buffer.alloc(8 + t.length + k.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(k.length, 4 + t.length);
  k.copy(out, 8 + t.length);
  return out;
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  const ed = blob('ssh-ed25519');
  const ed2 = blob('ssh-ed25519');
  const ecdsa = blob('ecdsa-sha2-nistp256');

  it('names hosts as OpenSSH does: bare on port 22, [host]:port otherwise', () => {
    expect(knownHostsName('10.0.0.5', 22)).toBe('10.0.0.5');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('fingerprints like ssh-keygen -l (SHA256, base64 without padding) and reads the key type', () => {
    expect(fingerprintOf(ed)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(ed)).toBe('ssh-ed25519');
  });

  it('parses markers, comments and skips malformed lines', () => {
    const text = `# comment\n\n@revoked host1 ssh-ed25519 ${ed.toString('base64')}\nhost2 ssh-ed25519 ${ed.toString('base64')} a comment\nbroken-line\n`;
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => [e.marker, e.hosts, e.line])).toEqual([
      ['revoked', 'host1', 3],
      [null, 'host2', 4],
    ]);
  });

  it('matches plain, comma lists, wildcards, negation and hashed host fields', () => {
    expect(hostFieldMatches('web1,10.0.0.11', '10.0.0.11')).toBe(true);
    expect(hostFieldMatches('10.0.0.*', '10.0.0.11')).toBe(true);
    expect(hostFieldMatches('10.0.0.?', '10.0.0.11')).toBe(false);
    expect(hostFieldMatches('10.0.0.*,!10.0.0.11', '10.0.0.11')).toBe(false);
    expect(hostFieldMatches('WEB1', 'web1')).toBe(true);
    expect(hostFieldMatches(hashed('[10.0.0.11]:2222'), '[10.0.0.11]:2222')).toBe(true);
    expect(hostFieldMatches(hashed('[10.0.0.11]:2222'), '10.0.0.11')).toBe(false);
    expect(hostFieldMatches('10.0.0.11', '[10.0.0.11]:2222')).toBe(false);
  });

  it('decides known / unknown / changed / revoked', () => {
    const text = `${knownHostsLine('10.0.0.11', 22, ed)}${hashed('[10.0.0.12]:2222')} ssh-ed25519 ${ed.toString('base64')}\n@revoked * ssh-ed25519 ${ed2.toString('base64')}\n`;
    expect(verifyHostKey(text, '10.0.0.11', 22, ed)).toEqual({ status: 'known' });
    expect(verifyHostKey(text, '10.0.0.12', 2222, ed)).toEqual({ status: 'known' });
    expect(verifyHostKey(text, '10.0.0.13', 22, ed)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(text, '10.0.0.11', 22, ed2)).toEqual({ status: 'revoked', line: 3 });
    const changed = verifyHostKey(text, '10.0.0.11', 22, blob('ssh-ed25519'));
    expect(changed).toEqual({ status: 'changed', known: [{ keyType: 'ssh-ed25519', fingerprint: fingerprintOf(ed), line: 1 }] });
  });

  it('lists the recorded key of the offered type first when a key changed', () => {
    const text = `h ecdsa-sha2-nistp256 ${ecdsa.toString('base64')}\nh ssh-ed25519 ${ed.toString('base64')}\n`;
    const v = verifyHostKey(text, 'h', 22, ed2);
    expect(v.status === 'changed' && v.known.map((k) => k.keyType)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    expect(knownKeyTypes(text, 'h', 22)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });

  it('asks the server for the key types already recorded first', () => {
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256']).slice(0, 2)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(new Set(hostKeyAlgorithms([])).size).toBe(hostKeyAlgorithms([]).length);
  });
});

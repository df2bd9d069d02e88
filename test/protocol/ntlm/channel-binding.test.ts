/**
 * tls-server-end-point channel bindings (RFC 5929 §4.1) on certificates generated here with openssl,
 * cross-checked against requests-ntlm's own implementation, plus the Chromium MsvAvChannelBindings vector.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import {
  certificateSignatureAlgorithm,
  channelBindingsAvValue,
  tlsServerEndPointAppData,
  tlsServerEndPointHash,
} from '../../../src/protocol/ntlm/channel-binding.js';
import { NtlmClient } from '../../../src/protocol/ntlm/client.js';
import { NtlmServer } from '../../../src/lab/winrm/ntlm-server.js';
import { v } from './vectors.js';

const opensslConf = resolve(import.meta.dirname, '../../fixtures/openssl-legacy.cnf');

interface Case {
  name: string;
  args: string[];
  /** Hash RFC 5929 prescribes for this certificate. */
  expected: string;
  oid: string;
}

const cases: Case[] = [
  { name: 'rsa-md5', args: ['-newkey', 'rsa:1024', '-md5'], expected: 'sha256', oid: '1.2.840.113549.1.1.4' },
  { name: 'rsa-sha1', args: ['-newkey', 'rsa:1024', '-sha1'], expected: 'sha256', oid: '1.2.840.113549.1.1.5' },
  { name: 'rsa-sha256', args: ['-newkey', 'rsa:1024', '-sha256'], expected: 'sha256', oid: '1.2.840.113549.1.1.11' },
  { name: 'ec-sha1', args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha1'], expected: 'sha256', oid: '1.2.840.10045.4.1' },
  { name: 'ec-sha384', args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha384'], expected: 'sha384', oid: '1.2.840.10045.4.3.3' },
  { name: 'ec-sha512', args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha512'], expected: 'sha512', oid: '1.2.840.10045.4.3.4' },
  { name: 'rsa-pss-sha384', args: ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:1024', '-sha384', '-sigopt', 'rsa_pss_saltlen:32'], expected: 'sha384', oid: '1.2.840.113549.1.1.10' },
  { name: 'ed25519', args: ['-newkey', 'ed25519'], expected: 'sha256', oid: '1.3.101.112' },
];

let dir = '';
const certs = new Map<string, Buffer>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cbt-'));
  for (const c of cases) {
    const pem = join(dir, `${c.name}.pem`);
    execFileSync('openssl', ['req', '-x509', ...c.args, '-nodes', '-keyout', join(dir, `${c.name}.key`), '-out', pem, '-days', '1', '-subj', '/CN=lab'], { stdio: 'pipe' });
    certs.set(c.name, new X509Certificate(execFileSync('openssl', ['x509', '-in', pem, '-outform', 'DER'])).raw);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tlsServerEndPointHash', () => {
  for (const c of cases) {
    it(`${c.name}: signature OID ${c.oid} → ${c.expected}`, () => {
      const der = certs.get(c.name)!;
      expect(certificateSignatureAlgorithm(der).oid).toBe(c.oid);
      expect(tlsServerEndPointHash(der)).toEqual(createHash(c.expected).update(der).digest());
      expect(tlsServerEndPointAppData(der).subarray(0, 21).toString()).toBe('tls-server-end-point:');
    });
  }

  it('agrees with requests-ntlm (an independent implementation) on every certificate it supports', () => {
    // Debian's python3-cryptography 38 reports no hash for Ed25519 and RSASSA-PSS; requests-ntlm then sends no binding.
    const supported = cases.filter((c) => c.name !== 'ed25519' && c.name !== 'rsa-pss-sha384');
    const script = [
      'import sys, binascii',
      'from requests_ntlm.requests_ntlm import _get_certificate_hash',
      'for line in sys.stdin: print(_get_certificate_hash(binascii.unhexlify(line.strip())))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script], {
      input: supported.map((c) => certs.get(c.name)!.toString('hex')).join('\n') + '\n',
      env: { ...process.env, OPENSSL_CONF: opensslConf },
    })
      .toString()
      .trim()
      .split('\n');
    expect(out).toEqual(supported.map((c) => tlsServerEndPointHash(certs.get(c.name)!).toString('hex').toUpperCase()));
  });

  it('throws ProtocolError on garbage and truncated DER', () => {
    const der = certs.get('rsa-sha256')!;
    for (const bad of [Buffer.alloc(0), Buffer.from('3082ffff', 'hex'), der.subarray(0, 40), Buffer.from('hello')]) {
      expect(() => tlsServerEndPointHash(bad)).toThrow(ProtocolError);
    }
  });
});

describe('channelBindingsAvValue', () => {
  it('matches the Chromium / Microsoft Open Specifications blog example', () => {
    // chromium/chromium net/ntlm/ntlm_test_data.h kChannelBindings → kExpectedChannelBindingHashV2
    const appData = Buffer.concat([
      Buffer.from('tls-server-end-point:'),
      Buffer.from('ea05fefecc6b0bd571dbbc5baa3ed45386d0446835f7b74c85621b9983475f95', 'hex'),
    ]);
    expect(channelBindingsAvValue(appData)).toEqual(v('cbt_gss_channel_bindings_md5'));
  });

  it('the server accepts the matching binding, refuses another certificate, and enforces "required"', () => {
    const names = { netbiosDomain: 'LAB', netbiosComputer: 'WIN01', dnsDomain: 'lab', dnsComputer: 'win01.lab' };
    const lookup = () => 'pw';
    const ours = tlsServerEndPointAppData(certs.get('rsa-sha256')!);
    const theirs = tlsServerEndPointAppData(certs.get('ec-sha384')!);
    const run = (clientCbt: Buffer | undefined, serverOpts: Parameters<NtlmServer['verify']>[2]) => {
      const client = new NtlmClient();
      const server = new NtlmServer();
      const challenge = server.challenge(client.negotiate(), names);
      const opts = clientCbt ? { channelBindings: clientCbt, targetName: 'HTTP/win01.lab' } : {};
      return server.verify(client.authenticate(challenge, { user: 'u', domain: 'LAB', password: 'pw' }, opts).message, lookup, serverOpts);
    };
    expect(run(ours, { channelBindings: ours }).ok).toBe(true);
    expect(run(theirs, { channelBindings: ours })).toMatchObject({ ok: false, reason: expect.stringMatching(/channel binding mismatch/) });
    expect(run(undefined, { channelBindings: ours }).ok).toBe(true);
    expect(run(undefined, { channelBindings: ours, requireChannelBindings: true })).toMatchObject({ ok: false });
  });
});

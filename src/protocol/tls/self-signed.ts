/**
 * A self-signed certificate made with the openssl CLI (Node cannot issue X.509 certificates): the lab's
 * (made at lab start; its subjectAltName lists each simulated host's name and loopback address, so
 * clients that verify names accept it once they trust it as their CA) and the artifact pull server's
 * (made per run; hosts pin its SHA-256 thumbprint, docs/artifacts.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate (also the CA to trust). */
  cert: string;
}

/** A self-signed ECDSA P-256 certificate valid for `names` (DNS names and IP addresses), 30 days. */
export function makeSelfSignedCert(names: string[], commonName = 'cortex-lab'): SelfSignedCertificate {
  const unique = [...new Set(names.filter(Boolean))];
  const san = unique.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',') || 'DNS:localhost';
  const dir = mkdtempSync(join(tmpdir(), 'cortex-lab-cert-'));
  try {
    // The extension list goes through a config file: a long SAN list would not fit a command line.
    const cnf = join(dir, 'req.cnf');
    writeFileSync(
      cnf,
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = ext',
        'prompt = no',
        '[dn]',
        `CN = ${commonName.replace(/[^\w.-]/g, '_')}`,
        '[ext]',
        'basicConstraints = critical,CA:TRUE',
        'keyUsage = critical,digitalSignature,keyCertSign',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${san}`,
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-sha256',
        '-config', cnf, '-keyout', keyPath, '-out', certPath],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The pull server's TLS certificate: one made for the run (self-signed, openssl CLI) or one the user
 * gives (PEM key and certificate files). Hosts do not trust it through their certificate store: they pin
 * its SHA-256 thumbprint, which reaches them in the file Set's parameters.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { makeSelfSignedCert } from '../../protocol/tls/self-signed.js';

export interface PullCertificate {
  key: string;
  cert: string;
  /** SHA-256 of the certificate's DER bytes, 64 lower-case hex digits: what hosts pin. */
  thumbprint: string;
}

/** SHA-256 thumbprint of a PEM certificate (lower-case hex, no separators). */
export function certificateThumbprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/** A certificate made for this run, naming the addresses hosts reach the workstation by. */
export function runCertificate(addresses: readonly string[]): PullCertificate {
  let made;
  try {
    made = makeSelfSignedCert([...addresses, 'localhost'], 'cortex-deploy artifact pull');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(`cannot make the pull server's certificate: ${missing ? 'openssl is not on the PATH' : (err as Error).message}.`, {
      field: '--artifacts',
      hint: 'Install openssl, give a certificate with --pull-cert FILE --pull-key FILE, or use --artifacts push.',
    });
  }
  return { ...made, thumbprint: certificateThumbprint(made.cert) };
}

/** A certificate the user gives: PEM files, checked to be a certificate and a private key. */
export function givenCertificate(certFile: string, keyFile: string): PullCertificate {
  const read = (file: string, field: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { field, hint: 'Give a PEM file.' });
    }
  };
  const cert = read(certFile, '--pull-cert');
  const key = read(keyFile, '--pull-key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new InputError(`${certFile} is not a PEM certificate.`, { field: '--pull-cert', hint: 'Give the certificate as PEM (-----BEGIN CERTIFICATE-----).' });
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('mismatch');
  } catch {
    throw new InputError(`${keyFile} is not the private key of ${certFile}.`, { field: '--pull-key', hint: 'Give the PEM private key that belongs to the certificate.' });
  }
  return { key, cert, thumbprint: certificateThumbprint(cert) };
}

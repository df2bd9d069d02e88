/**
 * The machine's GSS-API through the optional `kerberos` npm module (mongodb-js/kerberos 7, built
 * against MIT Kerberos): loaded on first use, so runs without Kerberos never need it, and a missing
 * or unbuilt module is an InputError that says how to get it.
 */
import { createRequire } from 'node:module';
import { InputError } from '../../errors.js';

/** The slice of the module this tool uses, as initiator and (the lab) as acceptor. */
export interface GssClient {
  step(challenge: string): Promise<string>;
  contextComplete: boolean;
}
export interface GssServer {
  step(challenge: string): Promise<string>;
  /** The client principal, `user@REALM`. */
  username: string;
  /** The service principal the ticket was for, `HTTP/host@REALM`. */
  targetName: string;
  contextComplete: boolean;
}
export interface GssModule {
  initializeClient(service: string, options?: { principal?: string; mechOID?: number; gssFlag?: number }): Promise<GssClient>;
  /** `''`: accept a ticket for any service principal in the keytab (KRB5_KTNAME). */
  initializeServer(service: string): Promise<GssServer>;
  GSS_MECH_OID_SPNEGO: number;
  GSS_C_MUTUAL_FLAG: number;
  GSS_C_SEQUENCE_FLAG: number;
}

let loaded: { mod: GssModule } | { error: Error } | null = null;

/** The `kerberos` module, or an InputError saying how to get it. */
export function loadGss(hostName?: string): GssModule {
  if (!loaded) {
    try {
      loaded = { mod: createRequire(import.meta.url)('kerberos') as GssModule };
    } catch (e) {
      loaded = { error: e as Error };
    }
  }
  if ('mod' in loaded) return loaded.mod;
  throw new InputError(`Kerberos needs the optional "kerberos" module, which is not installed or did not build (${loaded.error.message.split('\n')[0]})`, {
    ...(hostName ? { host: hostName } : {}),
    hint: 'Install MIT Kerberos headers and build tools (Debian: apt-get install libkrb5-dev krb5-user build-essential python3), then run npm rebuild kerberos. See docs/authentication.md.',
  });
}

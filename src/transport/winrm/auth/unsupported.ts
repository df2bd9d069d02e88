/** Schemes with a seam but no implementation yet: they fail at session open with an InputError. */
import { InputError } from '../../../errors.js';
import type { Authenticator, AuthScheme } from './authenticator.js';

export function unsupportedAuthenticator(scheme: Exclude<AuthScheme, 'basic' | 'ntlm'>, hostName: string): Authenticator {
  return {
    scheme,
    establish: () =>
      Promise.reject(
        new InputError(`WinRM auth "${scheme}" is not supported yet`, {
          host: hostName,
          field: 'winrm.auth',
          hint: 'Use auth: ntlm (sealed over HTTP, or over HTTPS) or auth: basic over HTTPS.',
        }),
      ),
  };
}

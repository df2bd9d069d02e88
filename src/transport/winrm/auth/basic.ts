/**
 * HTTP Basic: credentials on every request, no handshake and no message
 * encryption, so the channel refuses it over plain HTTP unless the inventory allows unencrypted
 * transport explicitly.
 */
import { CONTENT_TYPE_SOAP } from '../../../protocol/wsman/namespaces.js';
import { registerSecret } from '../../../secrets/registry.js';
import { payloadBytes, type Authenticator, type ConnectionSecurity } from './authenticator.js';

export function basicAuthenticator(user: string, password: string): Authenticator {
  const token = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
  registerSecret(token);
  const security: ConnectionSecurity = {
    headers: () => ({ Authorization: `Basic ${token}` }),
    wrap: (soap) => ({ body: payloadBytes(soap), contentType: CONTENT_TYPE_SOAP }),
    unwrap: (res) => res.body,
  };
  return {
    scheme: 'basic',
    establish: () => Promise.resolve(security),
  };
}

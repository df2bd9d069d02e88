/**
 * NTLMv2 for WinRM: messages, crypto, session security, channel binding, the client. Pure: no I/O.
 * The server side (which only the lab needs) is src/lab/winrm/ntlm-server.ts.
 */
export { md4 } from './md4.js';
export { Rc4, rc4k } from './rc4.js';
export { NegotiateFlags, hasFlag, describeFlags, type NegotiateFlagName } from './flags.js';
export * from './crypto.js';
export * from './messages.js';
export { SessionSecurity, SIGNATURE_LENGTH, type NtlmRole } from './sealing.js';
export {
  NtlmClient,
  parseAccountName,
  CLIENT_NEGOTIATE_FLAGS,
  type NtlmCredentials,
  type AuthenticateOptions,
  type AuthenticateResult,
  type NtlmClientOptions,
} from './client.js';
export {
  tlsServerEndPointHash,
  tlsServerEndPointAppData,
  channelBindingsAvValue,
  certificateSignatureAlgorithm,
} from './channel-binding.js';
export { extractNtlmToken } from './spnego.js';

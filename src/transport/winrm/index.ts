/** WinRM transport: sessions over WS-Management / WinRS (docs/winrm.md). */
export { openWinrmSession, WinrmSession, checkSettings } from './session.js';
export { winrmDefaults, type WinrmConnectSettings, type WinrmAuth, type WinrmTlsSettings, type WinrmClientCertificate } from './settings.js';
export { WsmanFaultError } from './errors.js';
export { TERMINATED_EXIT_CODE } from './process.js';
export type { Authenticator, AuthScheme, AuthUsed, ConnectionSecurity } from './auth/authenticator.js';

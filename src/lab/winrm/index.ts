/** The lab's WinRM service (HTTP/HTTPS listeners, Basic and NTLM, WinRS shells) for simulated hosts. */
export { startWinrmLab, checkLabAddress, type WinrmLab, type WinrmLabHost, type WinrmLabOptions, type WinrmLabAddress } from './server.js';
export { makeSelfSignedCert, type LabCertificate } from './cert.js';
export type { LabServerHooks, LabHostCounters, RequestDecision } from './hooks.js';
export type { LabAccount, CertificateMapping } from './auth.js';

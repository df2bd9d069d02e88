/** The lab's self-signed certificate: the same maker the artifact pull server uses (src/protocol/tls/self-signed.ts). */
export { makeSelfSignedCert, type SelfSignedCertificate as LabCertificate } from '../../protocol/tls/self-signed.js';

/**
 * The web servers' artifacts (docs/iis.md): URL Rewrite 2.1 (the real rewrite_amd64_en-US.msi's product
 * code and version; it refuses without IIS, the lab's choice for an UNCONFIRMED point), the Cortex
 * Gateway's versioned zip (store name `cortexGateway`), and PFX files for the Gateway's https binding.
 */
import type { ComponentArtifacts } from './index.js';

/** The password of the lab's synthetic PFX files (test data, not a secret): docs/lab.md. */
export const LAB_PFX_PASSWORD_SHA256 = 'ffd61ec07ad6bb8fe28a34a96dd6807dc285d5fc3260a4a62c047428d7e86d74';

const gateway = (version: string) => ({
  id: `cortex-gateway-${version}`,
  fileName: `cortex-gateway-${version}.zip`,
  artifact: { name: 'cortexGateway', version },
  entries: {
    'web.config': `<?xml version="1.0" encoding="utf-8"?>\n<configuration><!-- Cortex Gateway ${version} (lab) --><system.webServer><rewrite><rules /></rewrite></system.webServer></configuration>\n`,
    'bin\\Cortex.Gateway.dll': `cortex gateway ${version}`,
    'health.txt': 'ok',
  },
});

export const iis: ComponentArtifacts = {
  installers: [
    {
      id: 'urlrewrite-2.1',
      kind: 'msi',
      fileName: 'rewrite_amd64_en-US.msi',
      artifact: { name: 'urlRewrite', version: '2.1' },
      product: { name: 'IIS URL Rewrite Module 2', version: '7.2.1993', productCode: '{9BCA2118-F753-4A1E-BCF3-5A820729965C}' },
      iisExtension: 'urlRewrite',
    },
  ],
  archives: [gateway('1.0.0'), gateway('1.1.0')],
  certificates: [
    {
      id: 'cortex-gateway-pfx-2026',
      fileName: 'cortex-gateway-2026.pfx',
      artifact: { name: 'gatewayCertificate', version: '2026' },
      thumbprint: '916909FF7E3500C69B3B1E8184640F8E907D679C',
      subject: 'CN=gateway.corp.example.com',
      notAfter: '2027-06-30T00:00:00Z',
      passwordSha256: LAB_PFX_PASSWORD_SHA256,
    },
    {
      // The renewal: the same subject, a new thumbprint (a binding re-certified in place).
      id: 'cortex-gateway-pfx-2027',
      fileName: 'cortex-gateway-2027.pfx',
      artifact: { name: 'gatewayCertificate', version: '2027' },
      thumbprint: '1020DD39520EE071380924C693D20186B6F4DE89',
      subject: 'CN=gateway.corp.example.com',
      notAfter: '2028-06-30T00:00:00Z',
      passwordSha256: LAB_PFX_PASSWORD_SHA256,
    },
  ],
};

/**
 * What the end-to-end tests of playbooks/cortex.yaml share: the playbook, and the install's secrets as
 * the playbook reads them from the environment (test values; the PFX password is the lab's synthetic
 * certificate's, docs/lab.md). Each file keeps its own lab password.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './pwsh.js';

export const CORTEX_PLAYBOOK = join(REPO_ROOT, 'playbooks', 'cortex.yaml');

export const INSTALL_SECRETS: Readonly<Record<string, string>> = {
  CORTEX_ERLANG_COOKIE: 'E2ECOOKIEE2ECOOKIEE2ECOOKIE',
  CORTEX_RABBITMQ_OPS_PASSWORD: 'E2e-Ops!2026',
  CORTEX_RABBITMQ_APP_PASSWORD: 'E2e-App!2026',
  CORTEX_SF_INSTALL_PASSWORD: 'E2e-Sf!2026',
  CORTEX_GATEWAY_PFX_PASSWORD: 'Lab-Pfx!2026',
};

/**
 * The lab's HTTPS listener with the certificate it writes to the state folder: a client that trusts
 * that file as its CA verifies the host (Basic over TLS and NTLM over TLS).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLab } from '../../src/lab/lab.js';
import { loadScript } from '../../src/runner/index.js';
import { closeRunner, openRunner, startTestLab } from './helpers.js';
import { claimLoopbackBlock } from '../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

const host = { name: 'tls-web1', address: net.addr(1) };
let lab: RunningLab;
beforeAll(async () => {
  lab = await startTestLab([{ ...host, lab: { powershellStartMs: 0 } }]);
});
afterAll(async () => {
  await lab?.stop();
});

describe('lab over HTTPS', () => {
  for (const auth of ['basic', 'ntlm'] as const) {
    it(`${auth} over HTTPS, verifying the lab certificate from the state folder`, async () => {
      const ca = readFileSync(lab.status().certPath, 'utf8');
      const r = await openRunner(host, { scheme: 'https', port: 5986, auth, tls: { ca, serverName: null, insecure: false } });
      try {
        await expect(r.runData(loadScript('probes.ping'))).resolves.toMatchObject({ hostName: 'TLS-WEB1' });
      } finally {
        await closeRunner(r);
      }
    });
  }
});

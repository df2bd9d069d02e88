/**
 * Defect 8 (issue 14): preflight said "Connected and logged in." for a host whose NTLM negotiation
 * got an HTTP 500 or timed out, and exited 1. No session means the host is unreachable: exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import type { PreflightJson } from '../../src/report/preflight-json.js';
import { startHostileServer, type HostileCase, type HostileServer } from '../helpers/hostile-server.js';
import { sink } from '../helpers/sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-handshake-'));
process.env.CORTEX_HANDSHAKE_PW = 'Handshake!2026';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('preflight when the NTLM handshake fails', () => {
  it.each<[HostileCase, RegExp]>([
    ['fault-escapes', /NTLM NEGOTIATE with HTTP 500/],
    ['slow-drip', /NTLM negotiate got no answer within 1500 ms/],
  ])('%s: the host is unreachable (exit 2), never "Connected and logged in."', async (kind, why) => {
    server = await startHostileServer(kind);
    const inventory = join(dir, `${kind}.yaml`);
    writeFileSync(
      inventory,
      `all:
  vars:
    winrm: { user: 'LAB\\cortex', password: env:CORTEX_HANDSHAKE_PW, requestTimeoutMs: 1500, connectTimeoutMs: 1500 }
  children:
    app:
      hosts:
        evil1: { address: ${server.address}, port: ${server.port} }
`,
    );
    const stdout = sink();
    const code = await runPreflightCommand({ inventory, forks: 5, json: true, timeout: 5 }, { stdout, stderr: sink(), color: false, runDir: null });
    const json = JSON.parse(stdout.text()) as PreflightJson;
    expect(code).toBe(2);
    expect(json.hosts[0]).toMatchObject({ name: 'evil1', reachable: false, checks: [{ id: 'host.reachable', status: 'error' }] });
    expect(json.hosts[0]!.checks[0]!.message).toMatch(why);
    expect(stdout.text()).not.toContain('Connected and logged in.');
  });
});

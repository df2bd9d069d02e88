/**
 * An Ansible inventory directory (hosts.yml + group_vars/ + host_vars/, ansible_* variables only, the
 * password as {{ lookup('env', …) }}, port 5986 with no scheme) used as it is by the built CLI:
 * `lab up` then `preflight` against the lab's hosts on loopback, over HTTPS.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimLoopbackBlock } from '../helpers/loopback.js';
import { cliEnv, runCliSync } from '../helpers/cli.js';

const net = await claimLoopbackBlock(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'cortex-ansible-'));
const state = join(dir, 'lab');
const names = ['web01', 'web02', 'app01', 'app02', 'app03', 'db01', 'lb01'];
const files: Record<string, string> = {
  'hosts.yml': [
    'all:',
    '  children:',
    '    windows:',
    '      children:',
    ...(['web', 'app', 'db', 'lb'] as const).flatMap((g) => [`        ${g}:`, '          hosts:', ...names.filter((n) => n.startsWith(g)).map((n) => `            ${n}: { ansible_host: ${net.addr(names.indexOf(n) + 1)} }`)]),
    '',
  ].join('\n'),
  'group_vars/all.yml': "ansible_user: 'LAB\\cortex'\nansible_password: \"{{ lookup('env', 'CORTEX_LAB_PASSWORD') }}\"\n",
  'group_vars/windows.yml': 'ansible_connection: winrm\nansible_port: 5986\nansible_winrm_transport: ntlm\nansible_winrm_server_cert_validation: ignore\n',
  'group_vars/web.yml': 'webApps: [gateway]\n',
  'host_vars/web02.yml': 'webApps: [liveportal]\n',
};
for (const [p, text] of Object.entries(files)) {
  mkdirSync(join(dir, p, '..'), { recursive: true });
  writeFileSync(join(dir, p), text);
}
const env = cliEnv({ CORTEX_LAB_PASSWORD: 'CortexLab!2026' });
const cli = (args: string[]) => runCliSync(args, { cwd: dir, env, timeoutMs: 120_000 });

beforeAll(() => {
  const r = cli(['lab', 'up', '-i', 'hosts.yml', '--detach', '--state', state]);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  cli(['lab', 'down', '--state', state]);
  net.release();
});

describe('an Ansible inventory directory against the lab', () => {
  it('preflight reaches every host over HTTPS on 5986 with no edits', () => {
    const r = cli(['preflight', '-i', 'hosts.yml', '--json']);
    const doc = JSON.parse(r.stdout) as { hosts: Array<{ name: string; reachable: boolean }>; findings?: Array<{ id: string }> };
    // The lab speaks only TLS on 5986: reaching a host proves ansible_port 5986 was read as https.
    expect(doc.hosts.map((h) => [h.name, h.reachable])).toEqual(names.map((n) => [n, true]));
    expect(doc.findings?.some((f) => f.id === 'inventory.invalid')).not.toBe(true);
    expect(r.stderr).not.toContain('CortexLab!2026');
    expect(r.stdout).not.toContain('CortexLab!2026');
  }, 120_000);
});

/**
 * Rehearsing on a twin as a user does it (the built CLI, dist/cli/main.js; docs/rehearse.md):
 * preflight --save-facts on a running lab, lab up --from-facts --write-inventory --detach on another
 * loopback block, lab status listing what each twin host assumed, preflight on the twin's inventory
 * with the same findings, lab down. And the facts file's input errors as exit 3 with file:line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabStatus } from '../../../src/lab/lab.js';
import type { PreflightJson } from '../../../src/report/preflight-json.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';
import { cliEnv, runCli } from '../../helpers/cli.js';

const site = await claimLoopbackBlock(import.meta.url);
const twin = await claimLoopbackBlock(`${import.meta.url}#twin`);

const PASSWORD = 'CortexLab!2026-twin';
const dir = mkdtempSync(join(tmpdir(), 'cortex-twin-cli-'));
const siteState = join(dir, 'site-state');
const twinState = join(dir, 'twin-state');

const cortex = (args: string[]) => runCli(args, { cwd: dir, env: cliEnv({ CORTEX_LAB_PASSWORD: PASSWORD }) });

const started: string[] = [];
afterAll(async () => {
  for (const state of started) await cortex(['lab', 'down', '--state', state]);
});

const inventory = join(dir, 'site.yaml');
writeFileSync(
  inventory,
  [
    'all:',
    '  vars:',
    '    transport: winrm',
    "    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD }",
    '  children:',
    '    web:',
    `      hosts: { web1: { address: ${site.addr(1)}, webApps: [gateway], lab: { preset: ws2012r2 } } }`,
    '    app:',
    '      hosts:',
    `        app1: { address: ${site.addr(2)}, winrm: { scheme: https, port: 5986, tls: { ca: 'file:${siteState}/tls/cert.pem' } } }`,
    `        app2: { address: ${site.addr(3)}, lab: { preset: small } }`,
    `        app3: { address: ${site.addr(4)} }`,
    '    db:',
    `      hosts: { db1: { address: ${site.addr(5)}, lab: { preset: sql-express } } }`,
    '',
  ].join('\n'),
);

function notPassing(json: PreflightJson): Record<string, Record<string, string>> {
  return Object.fromEntries(json.hosts.map((h) => [h.name, Object.fromEntries(h.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status]))]));
}

describe('cortex-deploy preflight --save-facts → lab up --from-facts → preflight on the twin', () => {
  it('captures, builds and runs the twin; status lists what each host assumed', async () => {
    started.push(siteState);
    const upSite = await cortex(['lab', 'up', '-i', inventory, '--detach', '--state', siteState]);
    expect(upSite.stderr).toBe('');
    expect(upSite.code).toBe(0);
    const capture = await cortex(['preflight', '-i', inventory, '--json', '--save-facts', 'out/site.facts.json']);
    expect(capture.code).toBe(1);
    expect(capture.stderr).toContain(`Site facts: ${join(dir, 'out/site.facts.json')}`);
    const facts = JSON.parse(readFileSync(join(dir, 'out/site.facts.json'), 'utf8')) as { kind: string; schemaVersion: number; hosts: Array<{ name: string; winrm: unknown; facts: unknown }> };
    expect(facts).toMatchObject({ kind: 'cortex-deploy/site-facts', schemaVersion: 2 });
    expect(facts.hosts.map((h) => h.name)).toEqual(['web1', 'app1', 'app2', 'app3', 'db1']);
    expect(facts.hosts[1]!.winrm).toEqual({ scheme: 'https', port: 5986, auth: 'ntlm' });
    expect(facts.hosts.every((h) => h.facts !== null)).toBe(true);
    await cortex(['lab', 'down', '--state', siteState]);

    started.push(twinState);
    const upTwin = await cortex(['lab', 'up', '--from-facts', 'out/site.facts.json', '--write-inventory', 'twin.yaml', '--base', `${twin.prefix}0`, '--detach', '--state', twinState]);
    expect(upTwin.stderr).toBe('');
    expect(upTwin.code).toBe(0);
    expect(upTwin.stdout).toContain(`twin of out/site.facts.json: 5 hosts on ${twin.addr(1)} to ${twin.addr(5)}; inventory ${join(dir, 'twin.yaml')}`);
    expect(upTwin.stdout).toMatch(/lab running \(pid \d+\): 5 hosts, 5 up/);

    const status = await cortex(['lab', 'status', '--state', twinState]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('twin of out/site.facts.json: what the hosts assumed where the facts could not say');
    expect(status.stdout).toMatch(/^db1:\n( {2}.+\n)* {2}services: EventLog, MpsSvc, RemoteRegistry, pla, WinRM, W3SVC, MSSQL\$SQLEXPRESS /m);
    const json = JSON.parse((await cortex(['lab', 'status', '--state', twinState, '--json'])).stdout) as LabStatus;
    expect(json.hosts.map((h) => [h.name, h.address])).toEqual(['web1', 'app1', 'app2', 'app3', 'db1'].map((n, i) => [n, twin.addr(i + 1)]));
    expect(json.hosts.every((h) => h.twin !== null && h.twin.assumed.length > 0)).toBe(true);

    // The twin's inventory connects app1 over HTTPS, trusting the twin lab's certificate.
    const rehearse = await cortex(['preflight', '-i', 'twin.yaml', '--json']);
    expect(rehearse.code).toBe(1);
    expect(notPassing(JSON.parse(rehearse.stdout) as PreflightJson)).toEqual(notPassing(JSON.parse(capture.stdout) as PreflightJson));
    expect(readFileSync(join(dir, 'twin.yaml'), 'utf8')).toContain(`ca: file:${twinState}/tls/cert.pem`);

    const down = await cortex(['lab', 'down', '--state', twinState]);
    expect(down.stdout).toMatch(/lab stopped/);
  }, 120_000);

  it('a facts file of another schema version, or not JSON, is refused with file:line (exit 3)', async () => {
    writeFileSync(join(dir, 'v1.json'), '{\n  "kind": "cortex-deploy/site-facts",\n  "schemaVersion": 1,\n  "hosts": []\n}\n');
    const v1 = await cortex(['lab', 'up', '--from-facts', 'v1.json', '--state', join(dir, 'bad-state')]);
    expect(v1.code).toBe(3);
    expect(v1.stderr).toContain('v1.json:3:20, field schemaVersion: schemaVersion 1 is not one this cortex-deploy reads (it reads 2).');
    writeFileSync(join(dir, 'broken.json'), '{\n  "kind": "cortex-deploy/site-facts",\n  "schemaVersion": 2,\n  "hosts": [ { "name": "web1", }\n');
    const broken = await cortex(['lab', 'up', '--from-facts', 'broken.json', '--state', join(dir, 'bad-state')]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain("broken.json:4:32, field (json): not valid JSON: Expected double-quoted property name.");
    const both = await cortex(['lab', 'up', '-i', inventory, '--from-facts', 'v1.json', '--state', join(dir, 'bad-state')]);
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('-i and --from-facts cannot be used together');
  });
});

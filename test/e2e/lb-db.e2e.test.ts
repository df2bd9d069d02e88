/**
 * Issue 12's load balancer and database phases end to end (test/fixtures/playbooks/components/lb-db.yaml):
 * the built CLI applies them to a fresh 6-host lab (WinRM over HTTP with NTLM): NSSM and gobetween
 * unzipped, gobetween's generated configuration and health check written, the gobetween service
 * installed by NSSM and running; the Cortex database at schema 1.0.0. Applying again changes nothing
 * (the lab's Set counters stay at 0). Then a refusal: with SQL Server stopped, the database step is
 * refused by the plan, naming host, step and the fix. Last, the NServiceBus phase on the app servers
 * (test/fixtures/playbooks/components/nservicebus.yaml), the broker password never written. Every claim is read back from the lab's state
 * and counters, not from what the CLI says about itself.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gobetweenConfig } from '../../src/components/gobetween.js';
import { gobetweenNssmService } from '../../src/components/nssm.js';
import { artifactFile } from '../../src/lab/artifacts/catalog.js';
import type { LabStatus } from '../../src/lab/lab.js';
import type { LabHostState } from '../../src/lab/state/types.js';
import { detachedLab, type ApplyDoc } from '../helpers/detached-lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { REPO_ROOT } from '../helpers/pwsh.js';

const net = await claimLoopbackBlock(import.meta.url);

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'playbooks', 'components');
const PB = (name: string) => join(FIXTURES, name);
const FILES = join(FIXTURES, 'files');
const inv = relocatedCopy(join(FIXTURES, 'inventory.yaml'), ['127.0.51.'], net);
const BROKER_PASSWORD = 'Broker-Secret:2026/lbdb';
const { work, state, cli, status: labStatus } = detachedLab({
  name: 'lbdb',
  inventory: inv,
  env: { CORTEX_E2E_LAB_PASSWORD: 'E2e-Lab!2026-lbdb', CORTEX_RABBITMQ_PASSWORD: BROKER_PASSWORD },
});
const apply = (pb: string, extra: string[] = []) => cli(['apply', '-i', inv, '-p', PB(pb), '--skip-preflight', '--json', ...extra]);

const setCalls = (s: LabStatus, host: string) => s.hosts.find((h) => h.name === host)!.counters.setCalls;
/** A host's machine as the lab persisted it. */
const machine = (host: string) => (JSON.parse(readFileSync(join(state, 'hosts', `${host}.json`), 'utf8')) as { state: LabHostState }).state.machine;

describe('the load balancer and database phases on a fresh lab (spawned CLI)', () => {
  it("the fixture's files are the lab's synthetic artifacts and the generators' output, byte for byte", () => {
    for (const id of ['nssm-2.24-101', 'gobetween-0.8.2', 'cortex-database-1.0.0']) {
      const a = artifactFile(id);
      expect(readFileSync(join(FILES, a.artifact.fileName)).equals(a.bytes), id).toBe(true);
    }
    const hosts = [
      { name: 'web1', address: '127.0.51.1', roles: ['web' as const] },
      ...[3, 4, 5].map((n) => ({ name: `app${n - 2}`, address: `127.0.51.${n}`, roles: ['app' as const] })),
      { name: 'db1', address: '127.0.51.6', roles: ['db' as const] },
      { name: 'lb1', address: '127.0.51.7', roles: ['lb' as const] },
    ];
    for (const f of gobetweenConfig(hosts).files) expect(readFileSync(join(FILES, f.name), 'utf8'), f.name).toBe(f.text);
    // The health-check script is the shipped one, by its template (components.healthcheckScript): no copy.
    expect(existsSync(join(FILES, 'gobetween-healthcheck.ps1'))).toBe(false);
    expect(readFileSync(PB('lb-db.yaml'), 'utf8')).toContain("content: '{{ components.healthcheckScript }}'");
    // The nssm_service step holds exactly the generator's parameter set.
    const pb = readFileSync(PB('lb-db.yaml'), 'utf8');
    const svc = gobetweenNssmService({}, { nssmExe: 'C:\\Program Files\\nssm\\win64\\nssm.exe' });
    for (const p of svc.parameters.filter((x) => x.name !== 'Application')) {
      expect(pb, p.name).toContain(`name: ${p.name}${p.sub ? `, sub: ${p.sub}` : ''}, value: `);
      expect(pb, p.name).toMatch(new RegExp(`name: ${p.name}(, sub: ${p.sub ?? ''})?, value: '?${p.value.replace(/[\\.()]/g, '\\$&')}'? }`));
    }
  });

  it('fresh: gobetween runs under NSSM with the generated config, the database is at 1.0.0; again: 0 changed, 0 Set calls', async () => {
    const first = await apply('lb-db.yaml');
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ failed: 0, unreachable: 0 });
    const lb = doc.hosts.find((h) => h.name === 'lb1')!;
    expect(lb.steps.find((s) => s.id === 'lb-gobetween-service')).toMatchObject({ status: 'changed' });
    expect(lb.steps.every((s) => s.status === 'changed'), JSON.stringify(lb.steps)).toBe(true);
    expect(doc.hosts.find((h) => h.name === 'db1')!.steps.find((s) => s.id === 'db-schema')).toMatchObject({ status: 'changed' });

    const m = machine('lb1');
    const svc = m.services.find((s) => s.name === 'gobetween');
    expect(svc).toMatchObject({ state: 'Running', startType: 'Automatic', binaryPath: 'C:\\Program Files\\nssm\\win64\\nssm.exe' });
    const params = m.registry['HKLM\\SYSTEM\\CurrentControlSet\\Services\\gobetween\\Parameters']!;
    expect(params.Application).toEqual({ kind: 'ExpandString', data: 'C:\\Program Files\\gobetween\\gobetween.exe' });
    expect(params.AppParameters).toEqual({ kind: 'ExpandString', data: '-c gobetween.toml' });
    expect(params.AppRotateBytes).toEqual({ kind: 'DWord', data: 10485760 });
    // AppThrottle 1500 is NSSM's default: NSSM keeps no value for it.
    expect(params.AppThrottle).toBeUndefined();
    const toml = readFileSync(join(FILES, 'gobetween.toml'));
    expect(m.files['C:\\Program Files\\gobetween\\gobetween.toml']).toBe(artifactSha(toml));
    expect(Object.keys(m.files)).toEqual(expect.arrayContaining(['C:\\Program Files\\nssm\\win64\\nssm.exe', 'C:\\Program Files\\gobetween\\gobetween.exe']));
    expect(machine('db1').sqlDatabases).toEqual([{ instance: 'MSSQLSERVER', name: 'Cortex', schemaVersions: ['1.0.0'] }]);

    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    const again = await apply('lb-db.yaml');
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ changed: 0, failed: 0 });
    const s = await labStatus();
    for (const h of ['lb1', 'db1']) expect(setCalls(s, h), h).toBe(0);
  }, 180_000);

  it('refused: with SQL Server stopped, the plan refuses the database step, naming host, step and the fix; nothing runs', async () => {
    const stop = await apply('sql-stop.yaml');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(machine('db1').services.find((x) => x.name === 'MSSQLSERVER')?.state).toBe('Stopped');
    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    const refused = await apply('lb-db.yaml', ['--limit', 'db1']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/db1.*db-schema|db-schema.*db1/s);
    expect(refused.stdout + refused.stderr).toContain('SQL Server instance MSSQLSERVER is not running (service MSSQLSERVER is stopped); start it and run again');
    expect(setCalls(await labStatus(), 'db1')).toBe(0);
    expect(machine('db1').sqlDatabases[0]!.schemaVersions).toEqual(['1.0.0']);
    const start = await apply('sql-start.yaml');
    expect(start.exitCode, start.stderr).toBe(0);
  }, 180_000);

  it('NServiceBus: the licence, the tool, the queues on one app server with the broker password from the environment, never written anywhere; again 0 Set calls', async () => {
    const first = await apply('nservicebus.yaml');
    expect(first.exitCode, first.stderr).toBe(0);
    const vhost = machine('app1').amqpVhosts.cortex!;
    expect(vhost.queues).toMatchObject({ 'Cortex.ApiGateway': 'quorum', 'Cortex.FlowExecution': 'quorum', error: 'quorum', audit: 'quorum' });
    expect(vhost.exchanges).toContain('nsb.v2.delay-delivery');
    expect(machine('app2').amqpVhosts.cortex).toEqual({ queues: {}, exchanges: [] });
    expect(Object.keys(machine('app2').files)).toContain('C:\\ProgramData\\ParticularSoftware\\license.xml');
    expect((await cli(['lab', 'reset-counters', '--state', state])).exitCode).toBe(0);
    const again = await apply('nservicebus.yaml');
    expect(again.exitCode, again.stderr).toBe(0);
    const s = await labStatus();
    for (const h of ['app1', 'app2', 'app3']) expect(setCalls(s, h), h).toBe(0);
    // The run's journal and logs keep the reference, never the password.
    expect(existsSync(join(work, '.cortex', 'runs'))).toBe(true);
    const leaked = await execa('grep', ['-rl', '--', BROKER_PASSWORD, join(work, '.cortex')], { reject: false });
    expect(leaked.stdout).toBe('');
    expect(first.stdout + first.stderr + again.stdout).not.toContain(BROKER_PASSWORD);
  }, 180_000);
});

function artifactSha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
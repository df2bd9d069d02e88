/**
 * The lab models of nssm_service, sql_schema and nservicebus_queues held to their scripts through the
 * Windows shim (resources-b-harness.ts): the Set script against the shim's view and the Set handler on
 * the same machine must print the same envelope and leave the same view; then test-batch.ps1 and the
 * model must read the same state. Machine states × parameters: fresh, already done, drifted, refusals.
 */
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { answerRequest } from '../../../src/lab/handlers/resources.test-batch.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import type { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { textFile } from '../../../src/lab/artifacts/catalog.js';
import { CORTEX_DB_SCRIPTS } from '../../../src/lab/artifacts/components/cortex-database.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, gatewayWebServer, machineFrom, NO_LAB, withFile, type World } from './resources-b-harness.js';
import { projectGobetween } from '../../../src/lab/shim/windows-view.js';
import { findFile } from '../../../src/lab/handlers/resources/files.js';
import { labViewOf } from './machines.js';

const pwsh = pwshForTests('test/lab/differential (load balancer, database, NServiceBus)');
let host: ShimHost;

/** The Set scripts this file holds to their handlers (probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = {
  'resources.nssm-service': 'nssm_service',
  'resources.sql-schema': 'sql_schema',
  'resources.nservicebus-queues': 'nservicebus_queues',
  'resources.gobetween-backend': 'gobetween_backend',
};

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

const NSSM = 'C:\\Program Files\\nssm\\win64\\nssm.exe';
const GOBETWEEN = {
  serviceName: 'gobetween',
  nssmExe: NSSM,
  program: 'C:\\Program Files\\gobetween\\gobetween.exe',
  parameters: [
    { name: 'AppDirectory', value: 'C:\\Program Files\\gobetween' },
    { name: 'AppParameters', value: '-c gobetween.toml' },
    { name: 'DisplayName', value: 'Cortex load balancer (gobetween)' },
    { name: 'Description', value: 'Balances the Cortex API Gateway Service.' },
    { name: 'Start', value: 'SERVICE_AUTO_START' },
    { name: 'AppStdout', value: 'C:\\ProgramData\\gobetween\\logs\\gobetween.log' },
    { name: 'AppRotateFiles', value: '1' },
    { name: 'AppRotateBytes', value: '10485760' },
    { name: 'AppExit', sub: 'Default', value: 'Restart' },
    { name: 'AppThrottle', value: '1500' },
  ],
};

/** A load balancer with NSSM unzipped (as the archive step leaves it). */
function withNssm(): LabHostState {
  const s = machineFrom({}, 'lb1');
  const f = textFile('lab synthetic nssm 2.24-101-g897c7ad win64');
  withFile(s.machine, NSSM, f.sha256, f.length);
  return s;
}

describe.skipIf(!pwsh)('load balancer, database, NServiceBus: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('nssm_service', () => {
    it('installs the service and sets what install left different; then again is a no-op', async () => {
      const first = await compareSet(host, withNssm(), 'nssm_service', GOBETWEEN);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script).toMatchObject({ ok: true, data: { message: 'installed gobetween; set AppParameters, DisplayName, Description, AppStdout, AppRotateFiles, AppRotateBytes' } });
      expect(first.machine.services.find((s) => s.name === 'gobetween')).toMatchObject({ state: 'Stopped', startType: 'Automatic', binaryPath: NSSM });
      const again = await compareSet(host, { ...withNssm(), machine: first.machine }, 'nssm_service', GOBETWEEN);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script).toMatchObject({ ok: true, data: { message: null } });
      expect(again.viewChanged).toBe(false);
    }, 120_000);

    it('drifted parameters: set each that differs, reset an emptied one, a default number deleted', async () => {
      const installed = (await compareSet(host, withNssm(), 'nssm_service', GOBETWEEN)).machine;
      const changed = {
        ...GOBETWEEN,
        parameters: [
          ...GOBETWEEN.parameters.filter((p) => !['AppParameters', 'AppRotateBytes', 'Start', 'AppExit'].includes(p.name)),
          { name: 'AppParameters', value: '' },
          { name: 'AppRotateBytes', value: '0' },
          { name: 'Start', value: 'SERVICE_DELAYED_AUTO_START' },
          { name: 'AppExit', sub: 'Default', value: 'Exit' },
        ],
      };
      const r = await compareSet(host, { ...withNssm(), machine: installed }, 'nssm_service', changed);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script).toMatchObject({ ok: true, data: { message: 'set AppParameters, AppRotateBytes, Start, AppExit Default' } });
      const back = await compareSet(host, { ...withNssm(), machine: r.machine }, 'nssm_service', { ...GOBETWEEN, parameters: [...GOBETWEEN.parameters, { name: 'Start', value: 'SERVICE_DEMAND_START' }].filter((p, i, a) => a.findLastIndex((q) => q.name === p.name) === i) });
      expect(back.diffs, back.diffs.join('\n')).toEqual([]);
    }, 120_000);

    it('refuses without nssm.exe, and a service of that name run by another program', async () => {
      const none = await compareSet(host, machineFrom({}, 'lb1'), 'nssm_service', GOBETWEEN);
      expect(none.diffs, none.diffs.join('\n')).toEqual([]);
      expect(none.script.error?.message).toBe(`nssm_service: ${NSSM} does not exist; unzip NSSM there in an earlier step`);
      const other = withNssm();
      other.machine.services.push({ name: 'gobetween', state: 'Running', startType: 'Automatic', binaryPath: 'C:\\Tools\\gobetween.exe -c C:\\Tools\\gobetween.toml' });
      const r = await compareSet(host, other, 'nssm_service', GOBETWEEN);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toMatch(/^nssm_service: service gobetween exists but is not run by .*nssm\.exe \(its ImagePath is C:\\Tools\\gobetween\.exe -c C:\\Tools\\gobetween\.toml\)/);
    }, 120_000);
  });

  /**
   * gobetween_backend on lb1 for web1's site: the drain marker, then the wait on gobetween's API, which
   * the shim answers from the view's `gobetween` (the backends projectGobetween lists from the same lab
   * the handler sees), so the whole Set is compared, the wait included. A wait that never sees the wanted
   * state sleeps for real in the script (2 s polls): those cases use timeoutSec 1 (one sleep).
   */
  describe('gobetween_backend', () => {
    const DIR = 'C:\\Program Files\\gobetween';
    const MARKER = `${DIR}\\drain\\web1_443`;
    const DRAIN = { server: 'web_gateway', backend: 'web1:443', state: 'drained', installDir: DIR };
    const RESTORE = { ...DRAIN, state: 'live' };

    /** lb1 with gobetween installed by NSSM (AppDirectory: its folder) and running, unless told. */
    async function loadBalancer(running = true): Promise<LabHostState> {
      const s = withNssm();
      s.host = { name: 'lb1', address: '127.0.0.20' };
      const installed = await compareSet(host, s, 'nssm_service', { ...GOBETWEEN, parameters: GOBETWEEN.parameters.filter((p) => p.name === 'AppDirectory') });
      expect(installed.diffs, installed.diffs.join('\n')).toEqual([]);
      s.machine = installed.machine;
      s.machine.services.find((x) => x.name === 'gobetween')!.state = running ? 'Running' : 'Stopped';
      return s;
    }

    /** web1 (127.0.0.21) with the gateway site on 443, started or stopped; the lab of lb1 and web1. */
    function world(lb: LabHostState, site: 'Started' | 'Stopped' = 'Started', webUp = true): World {
      const web = gatewayWebServer(site);
      const lab = labViewOf([{ state: lb, up: true }, { state: web, up: webUp }]);
      return { lab, project: { gobetween: projectGobetween(lab) } };
    }

    it('drains a live backend (marker, then the API shows it not live); again: no change; restore removes the marker; again: no change', async () => {
      const lb = await loadBalancer();
      const w = world(lb);
      // Every lab host by name and address on its sites' ports (lb1's Default Web Site too).
      expect(w.project.gobetween!.backends).toEqual(expect.arrayContaining([{ host: 'web1', port: 443, healthy: true }, { host: '127.0.0.21', port: 443, healthy: true }, { host: 'lb1', port: 80, healthy: true }]));
      const drain = await compareSet(host, lb, 'gobetween_backend', DRAIN, undefined, w);
      expect(drain.diffs, drain.diffs.join('\n')).toEqual([]);
      expect(drain.script).toMatchObject({ ok: true, data: { message: 'drained web1:443 from gobetween server web_gateway: no new connections (active now: 0)' } });
      expect(findFile(drain.machine, MARKER)).toMatchObject({ length: 'drained by cortex-deploy'.length });

      const drained = { ...lb, machine: drain.machine };
      const again = await compareSet(host, drained, 'gobetween_backend', DRAIN, undefined, w);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script).toMatchObject({ ok: true, data: { message: 'drained web1:443 from gobetween server web_gateway: no new connections (active now: 0)' } });
      expect(again.viewChanged).toBe(false);

      const restore = await compareSet(host, drained, 'gobetween_backend', RESTORE, undefined, w);
      expect(restore.diffs, restore.diffs.join('\n')).toEqual([]);
      expect(restore.script).toMatchObject({ ok: true, data: { message: 'web1:443 is live again in gobetween server web_gateway' } });
      expect(findFile(restore.machine, MARKER)).toBeUndefined();

      const live = await compareSet(host, { ...lb, machine: restore.machine }, 'gobetween_backend', RESTORE, undefined, w);
      expect(live.diffs, live.diffs.join('\n')).toEqual([]);
      expect(live.script).toMatchObject({ ok: true, data: { message: 'web1:443 is live again in gobetween server web_gateway' } });
      expect(live.viewChanged).toBe(false);
    }, 240_000);

    it('the backend by address, or by name in another case (DNS): the same backend', async () => {
      const lb = await loadBalancer();
      for (const backend of ['127.0.0.21:443', 'WEB1:443']) {
        const r = await compareSet(host, lb, 'gobetween_backend', { ...DRAIN, backend }, undefined, world(lb));
        expect(r.diffs, `${backend}\n${r.diffs.join('\n')}`).toEqual([]);
        expect(r.script).toMatchObject({ ok: true, data: { message: `drained ${backend} from gobetween server web_gateway: no new connections (active now: 0)` } });
      }
    }, 120_000);

    it("a restore whose site does not answer fails at the timeout, the marker removed; one gobetween does not list: 'not listed'", async () => {
      const lb = await loadBalancer();
      const drained = (await compareSet(host, lb, 'gobetween_backend', DRAIN, undefined, world(lb))).machine;
      for (const [label, w] of [['site stopped', world(lb, 'Stopped')], ['web1 down', world(lb, 'Started', false)]] as const) {
        const r = await compareSet(host, { ...lb, machine: drained }, 'gobetween_backend', { ...RESTORE, timeoutSec: 1 }, undefined, w);
        expect(r.diffs, `${label}\n${r.diffs.join('\n')}`).toEqual([]);
        expect(r.script.error?.message, label).toBe(
          'gobetween_backend: web1:443 did not turn live in server web_gateway within 1 s (not live in http://127.0.0.1:8888/servers/web_gateway/stats); the drain marker is removed: check that the site answers the health check (cmd /c healthcheck-<server>.cmd host port prints 1)',
        );
        expect(findFile(r.machine, MARKER), label).toBeUndefined();
      }
      // No site of web1 is bound to 8443: gobetween lists no such backend.
      const unlisted = await compareSet(host, lb, 'gobetween_backend', { ...RESTORE, backend: 'web1:8443', timeoutSec: 1 }, undefined, world(lb));
      expect(unlisted.diffs, unlisted.diffs.join('\n')).toEqual([]);
      expect(unlisted.script.error?.message).toMatch(/^gobetween_backend: web1:8443 did not turn live in server web_gateway within 1 s \(not listed in http:\/\/127\.0\.0\.1:8888\/servers\/web_gateway\/stats\)/);
    }, 120_000);

    it('a drain whose marker gobetween never reads (installDir is not its folder) fails at the timeout, naming the marker', async () => {
      const lb = await loadBalancer();
      const other = 'C:\\gobetween-elsewhere';
      const r = await compareSet(host, lb, 'gobetween_backend', { ...DRAIN, installDir: other, timeoutSec: 1 }, undefined, world(lb));
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toBe(
        `gobetween_backend: web1:443 is still live in server web_gateway after 1 s with the drain marker ${other}\\drain\\web1_443 in place; is the health check the one cortex-deploy writes (gobetween-healthcheck.ps1 reads the marker)?`,
      );
      expect(findFile(r.machine, `${other}\\drain\\web1_443`)).toBeDefined();
    }, 120_000);

    it('gobetween stopped: the API does not answer; a drain holds (live unknown), a restore fails as not listed', async () => {
      const lb = await loadBalancer(false);
      const drain = await compareSet(host, lb, 'gobetween_backend', DRAIN, undefined, world(lb));
      expect(drain.diffs, drain.diffs.join('\n')).toEqual([]);
      expect(drain.script).toMatchObject({ ok: true, data: { message: 'drained web1:443 from gobetween server web_gateway: no new connections (active now: )' } });
      const restore = await compareSet(host, { ...lb, machine: drain.machine }, 'gobetween_backend', { ...RESTORE, timeoutSec: 1 }, undefined, world(lb));
      expect(restore.diffs, restore.diffs.join('\n')).toEqual([]);
      expect(restore.script.error?.message).toMatch(/^gobetween_backend: web1:443 did not turn live in server web_gateway within 1 s \(not listed in /);
    }, 120_000);
  });

  describe('sql_schema', () => {
    const DIR = 'C:\\ProgramData\\CortexInstall\\database';
    const step = (version: string, extra: Record<string, unknown> = {}) => ({ instance: 'MSSQLSERVER', database: 'Cortex', version, script: `${DIR}\\CortexDb-${version}.sql`, ...extra });
    /** A database server with the Cortex scripts unzipped (and one file the lab does not know). */
    function db(overrides: Record<string, unknown> = {}): LabHostState {
      const s = machineFrom(overrides, 'db1');
      for (const x of CORTEX_DB_SCRIPTS) {
        const f = textFile(x.text);
        withFile(s.machine, `${DIR}\\${x.fileName}`, f.sha256, f.length);
      }
      const other = textFile('DROP TABLE dbo.Flow\r\n');
      withFile(s.machine, `${DIR}\\custom.sql`, other.sha256, other.length);
      return s;
    }

    it('creates the database at 1.0.0, then upgrades it to 1.1.0; each again is a no-op', async () => {
      const first = await compareSet(host, db(), 'sql_schema', step('1.0.0'));
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script).toMatchObject({ ok: true, data: { message: 'Cortex: schema version 1.0.0 from a new database (3 batches)' } });
      expect(first.machine.sqlDatabases).toEqual([{ instance: 'MSSQLSERVER', name: 'Cortex', schemaVersions: ['1.0.0'] }]);
      const again = await compareSet(host, { ...db(), machine: first.machine }, 'sql_schema', step('1.0.0'));
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script).toMatchObject({ ok: true, data: { message: 'Cortex is already at schema version 1.0.0' } });
      const up = await compareSet(host, { ...db(), machine: first.machine }, 'sql_schema', step('1.1.0'));
      expect(up.diffs, up.diffs.join('\n')).toEqual([]);
      expect(up.script).toMatchObject({ ok: true, data: { message: 'Cortex: schema version 1.1.0 from version 1.0.0 (1 batches)' } });
      expect(up.machine.sqlDatabases[0]!.schemaVersions).toEqual(['1.0.0', '1.1.0']);
    }, 120_000);

    it('refuses: a downgrade, the upgrade script on a new database, a script the lab does not know', async () => {
      const at11 = db({ sqlDatabases: [{ instance: 'MSSQLSERVER', name: 'Cortex', schemaVersions: ['1.0.0', '1.1.0'] }] });
      const down = await compareSet(host, at11, 'sql_schema', step('1.0.0'));
      expect(down.diffs, down.diffs.join('\n')).toEqual([]);
      expect(down.script.error?.message).toBe('sql_schema: database Cortex is at schema version 1.1.0, newer than 1.0.0: a downgrade is refused');
      const early = await compareSet(host, db(), 'sql_schema', step('1.1.0'));
      expect(early.diffs, early.diffs.join('\n')).toEqual([]);
      expect(early.script.error?.message).toBe("batch 1 of 1 failed and nothing was kept: the lab's Cortex database script CortexDb-1.1.0.sql starts from schema version 1.0.0, and the database is new");
      expect(early.machine.sqlDatabases).toEqual([]);
      const custom = await compareSet(host, db(), 'sql_schema', step('2.0.0', { script: `${DIR}\\custom.sql` }));
      expect(custom.diffs, custom.diffs.join('\n')).toEqual([]);
      expect(custom.script.error).toMatchObject({ category: 'NotImplemented' });
      expect(custom.script.error?.message).toMatch(/^running the SQL script .*custom\.sql \(SHA-256 [0-9a-f]{64}\), which is not one of the lab's Cortex database scripts: not emulated by the lab/);
    }, 120_000);

    it('refuses: SQL Server stopped, an instance that is not installed, a script that is not there', async () => {
      const stopped = await compareSet(host, db({ services: [{ name: 'MSSQLSERVER', state: 'Stopped' }] }), 'sql_schema', step('1.0.0'));
      expect(stopped.diffs, stopped.diffs.join('\n')).toEqual([]);
      expect(stopped.script.error?.message).toBe('sql_schema: SQL Server instance MSSQLSERVER is not running (service MSSQLSERVER is stopped); start it and run again');
      const named = await compareSet(host, db(), 'sql_schema', step('1.0.0', { instance: 'CORTEX' }));
      expect(named.diffs, named.diffs.join('\n')).toEqual([]);
      expect(named.script.error?.message).toBe('sql_schema: SQL Server instance CORTEX is not installed on this host (no service MSSQL$CORTEX)');
      const missing = await compareSet(host, db(), 'sql_schema', step('1.0.0', { script: 'C:\\Nowhere\\CortexDb-1.0.0.sql' }));
      expect(missing.diffs, missing.diffs.join('\n')).toEqual([]);
      expect(missing.script.error?.message).toBe('sql_schema: the script C:\\Nowhere\\CortexDb-1.0.0.sql does not exist; stage it in an earlier step');
    }, 120_000);
  });

  describe('nservicebus_queues', () => {
    const CTL = 'C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat';
    const TOOL = 'C:\\Program Files\\NServiceBus.Transport.RabbitMQ.CommandLine\\rabbitmq-transport.exe';
    const QUEUES = { tool: TOOL, rabbitmqctl: CTL, endpoints: ['Cortex.Flow', 'Cortex.Gateway'], connection: { url: 'amqp://cortex@localhost:5672/cortex', password: 'Lab-Broker!1' }, errorQueue: 'error', auditQueue: 'audit' };
    function app(rabbit: 'Running' | 'Stopped' = 'Running', vhosts: Record<string, unknown> = { cortex: {} }): LabHostState {
      const s = machineFrom({ services: [{ name: 'RabbitMQ', state: rabbit }], amqpVhosts: vhosts }, 'app1');
      for (const f of [CTL, TOOL]) withFile(s.machine, f, textFile(f).sha256, 10);
      return s;
    }

    it('makes the delay infrastructure and each endpoint; again is a no-op', async () => {
      const first = await compareSet(host, app(), 'nservicebus_queues', QUEUES);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script).toMatchObject({ ok: true, data: { message: 'delay infrastructure, endpoint Cortex.Flow, endpoint Cortex.Gateway' } });
      expect(first.machine.amqpVhosts.cortex!.queues).toMatchObject({ 'Cortex.Flow': 'quorum', error: 'quorum', audit: 'quorum', 'nsb.v2.delay-level-27': 'quorum' });
      const again = await compareSet(host, { ...app(), machine: first.machine }, 'nservicebus_queues', QUEUES);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script).toMatchObject({ ok: true, data: { message: null } });
      const more = await compareSet(host, { ...app(), machine: first.machine }, 'nservicebus_queues', { ...QUEUES, endpoints: ['Cortex.Flow', 'Cortex.Gateway', 'Cortex.Studio'] });
      expect(more.diffs, more.diffs.join('\n')).toEqual([]);
      expect(more.script).toMatchObject({ ok: true, data: { message: 'endpoint Cortex.Studio' } });
    }, 120_000);

    it('refuses: the broker down (rabbitmqctl exit 69), a vhost the model does not hold, no tool', async () => {
      const down = await compareSet(host, app('Stopped'), 'nservicebus_queues', QUEUES);
      expect(down.diffs, down.diffs.join('\n')).toEqual([]);
      expect(down.script.error?.message).toBe(`${CTL} exited with code 69: Error: unable to perform an operation on node 'rabbit@APP1'. Please see diagnostics information and suggestions below.`);
      const novhost = await compareSet(host, app('Running', {}), 'nservicebus_queues', QUEUES);
      expect(novhost.diffs, novhost.diffs.join('\n')).toEqual([]);
      expect(novhost.script.error).toMatchObject({ category: 'NotImplemented' });
      const s = app();
      delete s.machine.files[TOOL];
      const notool = await compareSet(host, s, 'nservicebus_queues', QUEUES);
      expect(notool.diffs, notool.diffs.join('\n')).toEqual([]);
      expect(notool.script.error?.message).toBe(`nservicebus_queues: ${TOOL} does not exist; unzip the transport tool there in an earlier step`);
    }, 120_000);

    it('RabbitMQ not installed yet: the Test reads cliInstalled false (script and model alike); the Set refuses, naming rabbitmqctl', async () => {
      const s = app();
      delete s.machine.files[CTL];
      const noctl = await compareSet(host, s, 'nservicebus_queues', QUEUES);
      // compareSet also holds the Test after the Set to the model: both read { cliInstalled: false }.
      expect(noctl.diffs, noctl.diffs.join('\n')).toEqual([]);
      expect(noctl.script.error?.message).toBe(`nservicebus_queues: ${CTL} does not exist; install RabbitMQ first (or fix rabbitmqctl)`);
      expect(noctl.viewChanged).toBe(false);
      const read = answerRequest({ step: 's1', resource: 'nservicebus_queues', params: QUEUES }, { machine: noctl.machine, host: s.host, lab: NO_LAB, now: () => new Date() });
      expect(read).toEqual({ step: 's1', state: { cliInstalled: false, queues: {}, delayInfrastructure: false } });
    }, 120_000);
  });
});

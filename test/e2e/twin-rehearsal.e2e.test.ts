/**
 * Issue 16's rehearsal, end to end, with the built CLI (docs/rehearse.md): the lab's 7-host Bronze site
 * (examples/lab/inventory.yaml) stands in for production. Its facts are captured (preflight --save-facts),
 * the site is stopped, and a twin is built from the facts alone (lab up --from-facts --write-inventory).
 * On the twin: preflight, plan, the Cortex install (playbooks/cortex.yaml, the lab's synthetic artifacts
 * in a store, the install's secrets from the environment), a second apply that changes nothing. Then the
 * upgrades: the twin's inventory is bumped to the lab's second versions, one rehearsal after the other
 * (UPGRADES below: add an entry, or flip one's `today`, as the upgrade procedures of issue 13 land).
 * No secret reaches a facts file, neither the inventory's nor the install's, even once the twin is installed.
 */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { labCatalog } from '../../src/lab/artifacts/catalog.js';
import { labVersions } from '../../src/lab/artifacts/store.js';
import type { LabStatus } from '../../src/lab/lab.js';
import { claimLoopbackBlock, relocatedCopy } from '../helpers/loopback.js';
import { CORTEX_PLAYBOOK, INSTALL_SECRETS } from '../helpers/cortex-install.js';
import { REPO_ROOT } from '../helpers/pwsh.js';
import type { ApplyDoc } from '../helpers/detached-lab.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const PASSWORD = 'E2e-Twin!2026-rehearse';
const site = await claimLoopbackBlock(import.meta.url);
const twinNet = await claimLoopbackBlock(import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'cx-e2e-twin-'));
const siteInv = relocatedCopy(join(REPO_ROOT, 'examples/lab/inventory.yaml'), ['127.0.1.'], site);
const siteState = join(work, 'site-lab');
const twinState = join(work, 'twin-lab');
const twinInv = join(work, 'twin.yaml');
const factsFile = join(work, 'site.facts.json');
const store = join(work, 'store');

const cli = (args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false, cwd: work, env: { NO_COLOR: '1', CORTEX_LAB_PASSWORD: PASSWORD, CORTEX_REBOOT_POLL_MS: '300', ...INSTALL_SECRETS }, all: false });

interface PlanDoc {
  changes: Array<{ host: string; step: string; action: string }>;
  summary: Record<string, number>;
}
/** What this file reads of a lab machine's saved state. */
interface LabMachineView {
  iis?: { sites?: Array<{ name: string; physicalPath: string; bindings: Array<{ certificateHash?: string }> }> } | null;
  sqlDatabases: Array<{ name: string; schemaVersions: string[] }>;
  serviceFabric?: { codeVersion: string } | null;
}
const machine = (name: string) => (JSON.parse(readFileSync(join(twinState, 'hosts', `${name}.json`), 'utf8')) as { state: { machine: LabMachineView } }).state.machine;

/** The lab's later version of a component (`lab versions`, oldest first). */
function secondVersion(name: string): string {
  const list = labVersions()[name] ?? [];
  if (list.length < 2) throw new Error(`the lab has one version of ${name} (${list.join(', ')}): nothing to upgrade to`);
  return list[list.length - 1]!;
}
/** The thumbprint of the lab's certificate for a gatewayCertificate version (the binding follows it). */
function thumbprintOf(version: string): string {
  const c = labCatalog().certificates.find((x) => x.artifact?.name === 'gatewayCertificate' && x.artifact.version === version);
  if (!c) throw new Error(`no lab certificate for gatewayCertificate ${version}`);
  return c.thumbprint;
}

interface Upgrade {
  name: string;
  /** The version keys bumped to the lab's second versions. */
  bump: string[];
  /** Host variables that follow the bump, per host (the Gateway binding follows its certificate). */
  hostVars?: (versions: Record<string, string>) => Record<string, Record<string, unknown>>;
  /** `host step` for every step the plan shows a change for: exactly these. */
  planned: string[];
  /** Planned steps the plan can only know after earlier changes, and whose Test then finds nothing to do. */
  unchangedAfterAll?: string[];
  /** `host handler` for the handlers the changes notify, which apply runs (plan lists steps only). */
  handlersRun?: string[];
  /** What apply does today: applies (then a second apply changes nothing), or fails at this step. */
  today: { applies: true; check?: () => void } | { failsAt: string; message: RegExp; check?: () => void };
}

const WEB = ['web1', 'web2'];
const APP = ['app1', 'app2', 'app3'];
const on = (hosts: string[], steps: string[]) => hosts.flatMap((h) => steps.map((s) => `${h} ${s}`));

/**
 * The version bumps rehearsed, in order, each on top of the one before. Today the install playbook
 * re-installs what a package, archive or file step can replace; what needs an upgrade procedure is refused
 * by its step (issue 13 brings those: flip `today` to applies when they land).
 */
const UPGRADES: Upgrade[] = [
  {
    name: 'Erlang, RabbitMQ, the NServiceBus tool, gobetween and the Gateway certificate',
    bump: ['erlang', 'rabbitmq', 'nservicebusRabbitMq', 'gobetween', 'gatewayCertificate'],
    hostVars: (v) => Object.fromEntries(WEB.map((h) => [h, { gatewayThumbprint: thumbprintOf(v.gatewayCertificate!) }])),
    planned: [
      ...on(WEB, ['stage-gateway-certificate', 'gateway-certificate', 'gateway-site']),
      // The gateway phase changes each web server: the load balancer drains it first and restores it after (docs/upgrades.md).
      ...on(['lb1'], WEB.flatMap((w) => [`gateway-drain@${w}`, `gateway-restore@${w}`])),
      // The roll upgrades each node in turn; the install's package steps then find their versions there.
      ...on(APP, ['stage-erlang', 'stage-rabbitmq', 'rabbitmq-roll', 'erlang', 'rabbitmq']),
      // The transport's broker-side migrations: the new version recorded (nothing else to migrate there).
      ...on(['app1'], ['stage-nservicebus-tool', 'nservicebus-tool', 'nservicebus-migrate', 'nservicebus-queues']),
      // The new gobetween is extracted with its service stopped (Windows keeps a running program's files
      // open): the service step after it starts it again, known after the extraction.
      ...on(['lb1'], ['stage-gobetween', 'gobetween', 'gobetween-running']),
    ],
    // The queues exist: the new tool finds them there. The roll has put Erlang and RabbitMQ at their new
    // versions by the time the install's package steps run; after the last node, feature flags and rebalance.
    unchangedAfterAll: ['app1 nservicebus-queues', ...on(APP, ['erlang', 'rabbitmq'])],
    // run_once: the cluster-wide finish runs once, on the first node the roll changed.
    handlersRun: on(['app1'], ['rabbitmq-upgrade-finish']),
    today: {
      applies: true,
      check: () => {
        for (const h of WEB) {
          const gw = machine(h).iis?.sites?.find((s) => s.name === 'CortexGateway');
          expect(gw?.bindings.map((b) => b.certificateHash), h).toEqual([thumbprintOf(secondVersion('gatewayCertificate'))]);
        }
      },
    },
  },
  {
    name: 'the Service Fabric runtime',
    bump: ['serviceFabric'],
    planned: on(['app1'], ['stage-servicefabric', 'sf-package', 'sf-cluster']),
    // The new runtime package is staged and unpacked, then sf-cluster runs Service Fabric's monitored
    // code upgrade, one upgrade domain at a time (docs/upgrades-service-fabric.md).
    today: {
      applies: true,
      check: () => {
        for (const h of APP) expect(machine(h).serviceFabric?.codeVersion, h).toMatch(/^10\.1\.2448\./);
      },
    },
  },
  {
    name: 'Cortex 1.0.0 to its next release (the applications, the database, the Gateway)',
    bump: ['cortex'],
    planned: [
      ...on(WEB, ['stage-gateway', 'gateway-unpack', 'gateway-acl', 'gateway-site']),
      ...on(['lb1'], WEB.flatMap((w) => [`gateway-drain@${w}`, `gateway-restore@${w}`])),
      ...on(['app1'], ['stage-cortex-apps', 'cortex-apps-package', 'cortex-apps']),
      ...on(['db1'], ['stage-cortex-database', 'db-scripts', 'db-schema']),
    ],
    // The database first, then a monitored Service Fabric application upgrade, then the Gateway's new
    // version folder, one web server at a time.
    today: {
      applies: true,
      check: () => {
        expect(machine('db1').sqlDatabases.find((d) => d.name === 'Cortex')?.schemaVersions).toContain('1.1.0');
        for (const h of WEB) expect(machine(h).iis?.sites?.find((s) => s.name === 'CortexGateway')?.physicalPath, h).toBe('C:\\inetpub\\cortex-gateway\\1.1.0');
      },
    },
  },
];

/** The twin inventory with the versions bumped and the host variables set (through the YAML document, comments kept). */
function bumpedInventory(text: string, versions: Record<string, string>, hostVars: Record<string, Record<string, unknown>>): string {
  const doc = parseDocument(text);
  for (const [k, v] of Object.entries(versions)) doc.setIn(['all', 'vars', 'versions', k], v);
  const groups = doc.getIn(['all', 'children']) as { items: Array<{ key: { value: string } }> };
  for (const [host, vars] of Object.entries(hostVars)) {
    const group = groups.items.map((i) => i.key.value).find((g) => doc.hasIn(['all', 'children', g, 'hosts', host]) && doc.getIn(['all', 'children', g, 'hosts', host]) !== null);
    if (!group) throw new Error(`no listing of ${host} with its vars in the twin inventory`);
    for (const [k, v] of Object.entries(vars)) doc.setIn(['all', 'children', group, 'hosts', host, k], v);
  }
  return doc.toString({ lineWidth: 0 });
}

const labStatus = async (): Promise<LabStatus> => {
  const r = await cli(['lab', 'status', '--state', twinState, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LabStatus;
};
/** A second apply: 0 changed, no Set call on any host (the lab's own counters), and a plan with nothing pending. */
async function applyChangesNothing(inv: string): Promise<void> {
  expect((await cli(['lab', 'reset-counters', '--state', twinState])).exitCode).toBe(0);
  const again = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--skip-preflight', '--json']);
  expect(again.exitCode, again.stderr).toBe(0);
  expect((JSON.parse(again.stdout) as ApplyDoc).summary).toMatchObject({ hosts: 7, changed: 0, failed: 0, unreachable: 0 });
  for (const h of (await labStatus()).hosts) expect(h.counters.setCalls, `${h.name}: Set calls in the second apply`).toBe(0);
  const clean = await cli(['plan', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--detailed-exitcode']);
  expect(clean.exitCode, clean.stderr).toBe(0);
}
/** `host step` of every change a plan shows. */
const plannedChanges = (plan: PlanDoc) => plan.changes.filter((c) => c.action !== 'none').map((c) => `${c.host} ${c.step}`).sort();

afterAll(async () => {
  await cli(['lab', 'down', '--state', siteState]);
  await cli(['lab', 'down', '--state', twinState]);
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('rehearsing the Cortex install and its upgrades on a twin of the Bronze site', () => {
  it('capture the site, stop it, build the twin from the facts alone: its inventory carries what the install reads', async () => {
    const up = await cli(['lab', 'up', '-i', siteInv, '--detach', '--state', siteState]);
    expect(up.exitCode, up.stderr).toBe(0);
    const capture = await cli(['preflight', '-i', siteInv, '--save-facts', factsFile]);
    expect(capture.exitCode, capture.stderr).toBe(0);
    expect((await cli(['lab', 'down', '--state', siteState])).exitCode).toBe(0);

    const facts = readFileSync(factsFile, 'utf8');
    for (const secret of [PASSWORD, ...Object.values(INSTALL_SECRETS), 'CORTEX_LAB_PASSWORD', 'env:', 'LAB\\\\cortex']) expect(facts, secret).not.toContain(secret);

    const twin = await cli(['lab', 'up', '--from-facts', factsFile, '--write-inventory', twinInv, '--base', `${twinNet.prefix}0`, '--detach', '--state', twinState]);
    expect(twin.exitCode, twin.stderr).toBe(0);
    expect(twin.stdout).toContain(`7 hosts on ${twinNet.addr(1)} to ${twinNet.addr(7)}`);
    // The inventory's shape the install needs: versions, component settings, the Gateway's host vars, the
    // install account's profile; the site's own inventory is not read again.
    const inv = parseDocument(readFileSync(twinInv, 'utf8')).toJS() as { all: { vars: Record<string, unknown>; children: Record<string, { hosts: Record<string, Record<string, unknown>> }> } };
    const original = parseDocument(readFileSync(siteInv, 'utf8')).toJS() as typeof inv;
    expect(inv.all.vars.versions).toEqual(original.all.vars.versions);
    expect(inv.all.vars.components).toMatchObject(original.all.vars.components as object);
    for (const h of WEB) expect(inv.all.children.web!.hosts[h], h).toMatchObject({ gatewayHostName: 'gateway.corp.example.com', gatewayThumbprint: thumbprintOf('2026') });
    expect(inv.all.children.app!.hosts.app1!.lab).toMatchObject({ directories: ['C:\\Users\\cortex'] });
  }, 180_000);

  it('preflight, plan and the install on the twin; a second apply changes nothing', async () => {
    const arts = await cli(['lab', 'artifacts', '--store', store]);
    expect(arts.exitCode, arts.stderr).toBe(0);
    const pre = await cli(['preflight', '-i', twinInv]);
    expect(pre.exitCode, pre.stderr).toBe(0);
    expect(pre.stdout).toContain('7 hosts: 7 passed, 0 with warnings, 0 failed, 0 unreachable');

    const plan = await cli(['plan', '-i', twinInv, '-p', CORTEX_PLAYBOOK, '--store', store, '--detailed-exitcode', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect((JSON.parse(plan.stdout) as PlanDoc).summary).toMatchObject({ hosts: 7, errors: 0, unreachable: 0 });

    const first = await cli(['apply', '-i', twinInv, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('Preflight passed on 7 hosts');
    const doc = JSON.parse(first.stdout) as ApplyDoc;
    expect(doc.summary).toMatchObject({ hosts: 7, failed: 0, unreachable: 0 });
    expect(doc.summary.changed).toBeGreaterThan(100);
    // Read back from the twin: the RabbitMQ and Service Fabric clusters of the app servers, the Gateway, the schema.
    const st = await labStatus();
    expect(st.clusters.find((c) => c.kind === 'rabbitmq')).toMatchObject({ members: APP, running: APP, quorumLost: false });
    expect(st.clusters.find((c) => c.kind === 'service-fabric')).toMatchObject({ members: APP, quorumLost: false });
    for (const h of WEB) expect(machine(h).iis?.sites?.find((s) => s.name === 'CortexGateway'), h).toMatchObject({ physicalPath: 'C:\\inetpub\\cortex-gateway\\1.0.0' });
    expect(machine('db1').sqlDatabases).toContainEqual(expect.objectContaining({ name: 'Cortex', schemaVersions: ['1.0.0'] }));

    await applyChangesNothing(twinInv);
  }, 600_000);

  it('facts captured from the installed twin hold none of the install\'s secrets', async () => {
    const after = join(work, 'installed.facts.json');
    const r = await cli(['preflight', '-i', twinInv, '--save-facts', after]);
    expect(r.stderr).toContain('Site facts:');
    const text = readFileSync(after, 'utf8');
    for (const secret of [PASSWORD, ...Object.values(INSTALL_SECRETS), 'CORTEX_', 'env:', 'file:']) expect(text, secret).not.toContain(secret);
  }, 120_000);

  let inventoryText = '';
  const versions: Record<string, string> = {};
  for (const u of UPGRADES) {
    it(`upgrade: ${u.name} (${u.bump.join(', ')} to the lab's second versions)`, async () => {
      inventoryText ||= readFileSync(twinInv, 'utf8');
      for (const k of u.bump) versions[k] = secondVersion(k);
      inventoryText = bumpedInventory(inventoryText, versions, u.hostVars?.(versions) ?? {});
      const inv = join(work, `twin-${UPGRADES.indexOf(u) + 1}.yaml`);
      writeFileSync(inv, inventoryText);

      const plan = await cli(['plan', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--detailed-exitcode', '--json']);
      expect(plan.exitCode, plan.stderr).toBe(2);
      expect(plannedChanges(JSON.parse(plan.stdout) as PlanDoc)).toEqual([...u.planned].sort());

      const apply = await cli(['apply', '-i', inv, '-p', CORTEX_PLAYBOOK, '--store', store, '--json']);
      const doc = JSON.parse(apply.stdout) as ApplyDoc;
      if ('applies' in u.today) {
        expect(apply.exitCode, apply.stderr).toBe(0);
        expect(doc.summary).toMatchObject({ failed: 0, unreachable: 0 });
        const changed = doc.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'changed').map((s) => `${h.name} ${s.id}`)).sort();
        expect(changed).toEqual([...u.planned.filter((x) => !(u.unchangedAfterAll ?? []).includes(x)), ...(u.handlersRun ?? [])].sort());
        u.today.check?.();
        await applyChangesNothing(inv);
      } else {
        expect(apply.exitCode).toBe(1);
        const failed = doc.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'failed').map((s) => ({ at: `${h.name} ${s.id}`, message: s.message ?? '' })));
        expect(failed.map((f) => f.at)).toEqual([u.today.failsAt]);
        expect(failed[0]!.message).toMatch(u.today.message);
        u.today.check?.();
      }
    }, 600_000);
  }
});

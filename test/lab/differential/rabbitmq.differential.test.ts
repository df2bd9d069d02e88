/**
 * The lab models of the RabbitMQ component's resource types (erlang_cookie, ...) held to their scripts
 * through the Windows shim (resources-b-harness.ts): the Set script on the view and the Set handler on
 * the machine from the same state; envelopes, views and the Test's state afterwards must be equal.
 */
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import { resourceOf, type ResourceTypeName } from '../../../src/resources/index.js';
import { otpVersionMatches, PackageParams } from '../../../src/resources/package.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';
import { asciiSha256 } from '../../../src/lab/handlers/resources/erlang-cookie.js';
import { artifactFile } from '../../../src/lab/artifacts/catalog.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceSetHandler } from '../../../src/lab/handlers/resources/set-handler.js';
import { answerRequest } from '../../../src/lab/handlers/resources.test-batch.js';
import type { LabView } from '../../../src/lab/handlers/types.js';
import { WindowsViewSchema, type WindowsView } from '../../../src/lab/shim/view-schema.js';
import { libraryText } from '../../../src/runner/scripts.js';
import { REPO_ROOT } from '../../helpers/pwsh.js';
import { diffValues } from './diff.js';
import { comparable, normalizeText } from './resources-b-harness.js';
import { labNodes } from '../../../src/lab/components/rabbitmq.js';
import { applyInstall } from '../../../src/lab/artifacts/effects.js';
import type { SyntheticInstaller } from '../../../src/lab/artifacts/schema.js';
import type { LabHostState, LabMachine } from '../../../src/lab/state/types.js';

/** A machine with the named artifacts uploaded to C:\Installers\<fileName>. */
function withArtifacts(state: LabHostState, ids: string[]): LabHostState {
  const s = structuredClone(state);
  for (const id of ids) {
    const a = artifactFile(id);
    withFile(s.machine, `C:\\Installers\\${a.artifact.fileName}`, a.sha256, a.bytes.length);
  }
  return s;
}

const ERLANG = { name: 'Erlang OTP', path: 'C:\\Installers\\otp_win64_27.3.4.exe', uninstallKey: 'Erlang OTP', version: '27.3.4', arguments: ['/S'] };
const RABBITMQ = { name: 'RabbitMQ', path: 'C:\\Installers\\rabbitmq-server-4.1.4.exe', uninstallKey: 'RabbitMQ', version: '4.1.4', arguments: ['/S'] };

const pwsh = pwshForTests('test/lab/differential (RabbitMQ)');
let host: ShimHost;

/** The Set scripts this file holds to their handlers (test/lab/differential/probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = {
  'resources.erlang-cookie': 'erlang_cookie',
  'resources.rabbitmq-plugin': 'rabbitmq_plugin',
  'resources.rabbitmq-cluster': 'rabbitmq_cluster',
  'resources.rabbitmq-config': 'rabbitmq_config',
  // Compared up to the node's stop (the shim has no rabbitmq-upgrade, rabbitmq-diagnostics or
  // rabbitmq-service yet): the refusals before it and the Test; the roll itself in test/lab/rabbitmq-upgrade-model.test.ts.
  'resources.rabbitmq-upgrade': 'rabbitmq_upgrade',
};

it("the handlers compared here are the lab's Set handlers of these types", () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
});

const COOKIE = 'QWERTYUIOPASDFGHJKLZXCVBNM123456';
const SYS = 'C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie';
const USER = 'C:\\Users\\svc-cortex\\.erlang.cookie';

const scriptText = (file: string) => readFileSync(join(REPO_ROOT, 'ps1', 'resources', file), 'utf8');
const norm = (e: unknown) => JSON.parse(normalizeText(JSON.stringify(e))) as unknown;

/** A lab of these hosts (some down), for the models; the same peers go into the script's view. */
function labOf(states: LabHostState[], down: readonly string[] = []): LabView {
  return {
    hosts: () => states.map((s) => s.host),
    findHost: (n) => states.find((s) => s.host.name === n || s.host.address === n)?.host,
    getHostState: (n) => states.find((s) => s.host.name === n),
    isUp: (n) => !down.includes(n),
    canConnect: () => false,
  };
}

function peersOf(self: LabHostState, lab: LabView): NonNullable<WindowsView['rabbitmq']>['peers'] {
  return labNodes(lab, { host: self.host.name, machine: self.machine })
    .filter((n) => n.host !== self.host.name)
    .map((n) => ({ node: structuredClone(n.node), running: n.running, cookieSha256: n.cookieSha256 }));
}

/**
 * The Set script of `type` on `self`'s view (with the lab's other nodes as peers) and its Set handler on
 * a copy of `self` in the same lab: envelopes, views and the Test's state afterwards must be equal.
 */
async function compareInLab(self: LabHostState, others: LabHostState[], down: string[], type: ResourceTypeName, params: Record<string, unknown>, readParams: Record<string, unknown>) {
  const lab0 = labOf([self, ...others], down);
  const peers = peersOf(self, lab0);
  const before = projectWindowsView(self.machine, { rabbitmqPeers: peers });
  const run = await host.run({ script: scriptText(`${type.replace(/_/g, '-')}.ps1`), lib: libraryText(), params, view: before, exportView: true, timeoutMs: 60_000 });
  const script = JSON.parse(run.output.at(-1) ?? 'null') as { ok: boolean; data: unknown; error: { message: string; category: string } | null };
  if (script === null) throw new Error(`the script printed nothing: ${JSON.stringify(run.errors)}`);
  const after = WindowsViewSchema.parse(run.view);

  const machine: LabMachine = structuredClone(self.machine);
  const mine = { ...structuredClone(self), machine };
  const lab = labOf([mine, ...others], down);
  const result = await resourceSetHandler(type).run({ host: self.host, state: mine, params, lab, now: () => new Date() });
  if ('raw' in result) throw new Error('a Set handler answered raw');
  const handlerEnvelope = result.ok ? { ok: true, data: result.data ?? null, error: null } : { ok: false, data: null, error: result.error };
  const diffs = diffValues(norm(handlerEnvelope), norm(script)).map((d) => `envelope ${d}`);
  diffs.push(...diffValues(norm(comparable(projectWindowsView(machine, { rabbitmqPeers: peers }))), norm(comparable(after))).map((d) => `view ${d}`));

  const request = { step: 's1', resource: type, params: readParams };
  const read = await host.run({ script: scriptText('test-batch.ps1'), lib: libraryText(), params: { requests: [request] }, view: after, timeoutMs: 60_000 });
  const readEnvelope = JSON.parse(read.output.at(-1) ?? 'null') as { data: { results: unknown[] } };
  const modelRead = answerRequest(request, { machine, host: self.host, lab, now: () => new Date() });
  diffs.push(...diffValues(norm(modelRead), norm(readEnvelope.data.results[0])).map((d) => `test ${d}`));
  return { script, diffs, machine, modelRead };
}

describe.skipIf(!pwsh)('RabbitMQ component: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('package: the Erlang and RabbitMQ installers', () => {
    const base = withArtifacts(machineFrom({}), ['erlang-otp-27.3.4', 'rabbitmq-server-4.1.4']);

    it('RabbitMQ without Erlang: the installer aborts (exit code 2, its message), nothing installed', async () => {
      const r = await compareSet(host, base, 'package', RABBITMQ);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toBe('package: installing RabbitMQ failed: C:\\Installers\\rabbitmq-server-4.1.4.exe exited with code 2: Erlang could not be detected. You must install Erlang before installing RabbitMQ.');
      expect(r.machine.products).toEqual([]);
      expect(r.viewChanged).toBe(false);
    }, 120_000);

    it('Erlang, then RabbitMQ: their keys in WOW6432Node, erl.exe and OTP_VERSION, the RabbitMQ service and sbin', async () => {
      const erl = await compareSet(host, base, 'package', ERLANG);
      expect(erl.diffs, erl.diffs.join('\n')).toEqual([]);
      const reg = projectWindowsView(erl.machine).registry;
      expect(reg['SOFTWARE\\WOW6432Node\\Ericsson\\Erlang\\15.2.7']).toEqual({ '(default)': { kind: 'String', data: 'C:\\Program Files\\Erlang OTP' } });
      expect(Object.keys(reg)).toContain('SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Erlang OTP');
      expect(Object.keys(erl.machine.files)).toEqual(expect.arrayContaining(['C:\\Program Files\\Erlang OTP\\bin\\erl.exe', 'C:\\Program Files\\Erlang OTP\\releases\\27\\OTP_VERSION']));
      const rabbit = await compareSet(host, { ...base, machine: erl.machine }, 'package', RABBITMQ);
      expect(rabbit.diffs, rabbit.diffs.join('\n')).toEqual([]);
      expect(rabbit.script.data).toEqual({ rebootRequired: false, exitCode: 0, message: 'installing RabbitMQ: exit code 0' });
      expect(rabbit.machine.services.find((s) => s.name === 'RabbitMQ')?.state).toBe('Running');
      expect(rabbit.machine.env.ERLANG_HOME).toBe('C:\\Program Files\\Erlang OTP');
      expect(Object.keys(rabbit.machine.files)).toContain('C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat');
      // Uninstalling Erlang takes its key with it.
      const gone = await compareSet(host, { ...base, machine: erl.machine }, 'package', { ...ERLANG, state: 'absent' });
      expect(gone.diffs, gone.diffs.join('\n')).toEqual([]);
      expect(Object.keys(projectWindowsView(gone.machine).registry).some((k) => /Ericsson/i.test(k))).toBe(false);
    }, 120_000);
  });

  describe("package with erlang: true: Erlang's single-ERTS-key rule and OTP_VERSION, read by the Test", () => {
    const base = withArtifacts(machineFrom({}), ['erlang-otp-27.3.4']);
    const params = { ...ERLANG, erlang: true };
    /** test-batch.ps1 on the machine's view and the model on the machine: the same state. */
    async function compareTest(m: LabMachine) {
      const request = { step: 'erlang', resource: 'package', params };
      const read = await host.run({ script: scriptText('test-batch.ps1'), lib: libraryText(), params: { requests: [request] }, view: projectWindowsView(m), timeoutMs: 60_000 });
      const script = (JSON.parse(read.output.at(-1) ?? 'null') as { data: { results: unknown[] } }).data.results[0];
      const model = answerRequest(request, { machine: m, host: base.host, lab: labOf([]), now: () => new Date() });
      return { diffs: diffValues(norm(model), norm(script)), script: script as { state: { installed: boolean; erlang: { ertsKeys: string[]; otpVersionSha256: string | null } } } };
    }

    it('installed once: one ERTS key (ErlSrv left out), OTP_VERSION the pinned release; none before', async () => {
      const before = await compareTest(base.machine);
      expect(before.diffs, before.diffs.join('\n')).toEqual([]);
      expect(before.script.state.erlang).toEqual({ ertsKeys: [], otpVersionSha256: null });
      const erl = await compareSet(host, base, 'package', params);
      expect(erl.diffs, erl.diffs.join('\n')).toEqual([]);
      const m = structuredClone(erl.machine);
      m.registry['HKLM\\SOFTWARE\\WOW6432Node\\Ericsson\\Erlang\\ErlSrv\\1.1'] = { RabbitMQ: { kind: 'String', data: 'erlsrv entry' } };
      const after = await compareTest(m);
      expect(after.diffs, after.diffs.join('\n')).toEqual([]);
      expect(after.script.state.erlang.ertsKeys).toEqual(['15.2.7']);
      expect(otpVersionMatches(after.script.state.erlang.otpVersionSha256, '27.3.4')).toBe(true);
      expect(otpVersionMatches(after.script.state.erlang.otpVersionSha256, '27.3.3')).toBe(false);
    }, 120_000);

    it('a second Erlang beside it: two ERTS keys, which the diff refuses with the fix', async () => {
      const erl = await compareSet(host, base, 'package', params);
      const m = structuredClone(erl.machine);
      m.registry['HKLM\\SOFTWARE\\WOW6432Node\\Ericsson\\Erlang\\14.2.5'] = { '': { kind: 'String', data: 'C:\\Program Files\\Erlang OTP 26' } };
      const two = await compareTest(m);
      expect(two.diffs, two.diffs.join('\n')).toEqual([]);
      expect(two.script.state.erlang.ertsKeys).toEqual(['14.2.5', '15.2.7']);
      expect(two.script.state.erlang.otpVersionSha256).toBeNull();
      expect(() => resourceOf('package').diff(PackageParams.parse(params), two.script.state)).toThrow(/^2 Erlang releases are installed \(ERTS keys .*\); only one may be: .*Uninstall\.exe" \/S\), and run again$/);
    }, 120_000);
  });

  describe('erlang_cookie', () => {
    const base = machineFrom({ directories: ['C:\\Users\\svc-cortex'] });
    const params = { cookie: COOKIE, paths: [SYS, USER], cookieSha256: asciiSha256(COOKIE) };
    const readParams = { cookie: 'env:CORTEX_ERLANG_COOKIE', paths: [SYS, USER] };

    it('writes both files (ASCII bytes: 32 of them), then again writes nothing', async () => {
      const first = await compareSet(host, base, 'erlang_cookie', params, readParams);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script.data).toEqual({ rebootRequired: false, exitCode: null, message: `wrote the Erlang cookie to 2 of 2 files: ${SYS}, ${USER}` });
      expect(first.machine.files[SYS]).toBe(asciiSha256(COOKIE));
      expect(first.machine.fileSizes[USER]).toBe(32);
      const again = await compareSet(host, { ...base, machine: first.machine }, 'erlang_cookie', params, readParams);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.viewChanged).toBe(false);
      expect(JSON.stringify(again.script)).not.toContain(COOKIE);
    }, 120_000);

    it('rewrites a file holding another cookie, keeps the right one', async () => {
      const m = structuredClone(base);
      withFile(m.machine, SYS, asciiSha256(COOKIE), 32);
      withFile(m.machine, USER, asciiSha256(`${COOKIE}\r\n`), 34);
      const r = await compareSet(host, m, 'erlang_cookie', params, readParams);
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.data).toMatchObject({ message: `wrote the Erlang cookie to 1 of 2 files: ${USER}` });
    }, 120_000);

    it('refuses a profile folder that does not exist, a short cookie, a mismatched digest', async () => {
      const noProfile = machineFrom({});
      const missing = await compareSet(host, noProfile, 'erlang_cookie', params, readParams);
      expect(missing.diffs, missing.diffs.join('\n')).toEqual([]);
      expect(missing.script.error?.message).toMatch(/^erlang_cookie: the folder C:\\Users\\svc-cortex does not exist/);
      // The systemprofile file was written before the refusal, as the script does.
      expect(missing.machine.files[SYS]).toBe(asciiSha256(COOKIE));
      const short = await compareSet(host, base, 'erlang_cookie', { ...params, cookie: 'abc' }, readParams);
      expect(short.diffs, short.diffs.join('\n')).toEqual([]);
      expect(short.script.error?.message).toBe('erlang_cookie: the cookie must be 20 to 255 ASCII letters and digits; the one received has 3 characters');
      const digest = await compareSet(host, base, 'erlang_cookie', { ...params, cookieSha256: asciiSha256('X'.repeat(32)) }, readParams);
      expect(digest.diffs, digest.diffs.join('\n')).toEqual([]);
      expect(digest.script.ok).toBe(false);
    }, 120_000);
  });

  describe('rabbitmq_plugin, rabbitmq_cluster, rabbitmq_config (the shim\'s rabbitmqctl and rabbitmq-plugins)', () => {
    /** An app server with Erlang and RabbitMQ installed, RABBITMQ_NODENAME set and the cookie written. */
    function rabbitHost(name: string, cookie = COOKIE): LabHostState {
      const st = machineFrom({ directories: ['C:\\Users\\svc-cortex'] }, name);
      st.host = { name, address: '127.0.0.10' };
      st.machine.env.RABBITMQ_NODENAME = `rabbit@${name}`;
      for (const id of ['erlang-otp-27.3.4', 'rabbitmq-server-4.1.4']) {
        const a = artifactFile(id);
        applyInstall(st.machine, a.artifact as SyntheticInstaller, a.sha256);
      }
      withFile(st.machine, SYS, asciiSha256(cookie), cookie.length);
      return st;
    }
    const ok = (r: { diffs: string[] }) => expect(r.diffs, r.diffs.join('\n')).toEqual([]);
    const SEED = { seed: 'rabbit@app1' };
    const CONFIG = {
      featureFlags: 'all',
      vhost: { name: 'cortex', defaultQueueType: 'quorum' },
      users: [{ name: 'cortex-ops', password: 'Ops-Secret-1', tags: ['administrator'], permissions: { configure: '.*', write: '.*', read: '.*' } }],
      guest: 'remove',
      policies: [{ name: 'nsb-delivery-limit', pattern: '.*', applyTo: 'quorum_queues', definition: { 'delivery-limit': 100000 }, priority: 0 }],
    };
    const CONFIG_READ = { vhost: { name: 'cortex' } };

    it('rabbitmq_upgrade: the Test (versions, running, feature flags); an installer not staged refused before the node stops; not installed refused', async () => {
      const app1 = rabbitHost('app1');
      const roll = { version: '4.2.1', installer: 'C:\\Installers\\rabbitmq-server-4.2.1.exe', erlang: { version: '27.3.4.2', installer: 'C:\\Installers\\otp_win64_27.3.4.2.exe' } };
      const missing = await compareInLab(withArtifacts(app1, ['erlang-otp-27.3.4.2']), [], [], 'rabbitmq_upgrade', roll, roll);
      ok(missing);
      expect(missing.script.error?.message).toBe('rabbitmq_upgrade: the RabbitMQ installer C:\\Installers\\rabbitmq-server-4.2.1.exe is not on the host; stage it in an earlier step');
      expect(missing.modelRead).toEqual({ step: 's1', state: { installed: true, version: '4.1.4', erlangVersion: '27.3.4', nodeName: 'rabbit@app1', running: true, featureFlagsDisabled: [] } });
      expect(missing.machine.services.find((s) => s.name === 'RabbitMQ')?.state).toBe('Running');
      const bare = withArtifacts(machineFrom({}), []);
      const none = await compareInLab(bare, [], [], 'rabbitmq_upgrade', roll, roll);
      ok(none);
      expect(none.script.error?.message).toMatch(/^rabbitmq_upgrade: RabbitMQ is not installed/);
    }, 120_000);

    it('rabbitmq_plugin: enables the plugin on this node, then again changes nothing; an unknown plugin is the tool\'s error', async () => {
      const app2 = rabbitHost('app2');
      const first = await compareInLab(app2, [], [], 'rabbitmq_plugin', { name: 'rabbitmq_management', state: 'enabled' }, { name: 'rabbitmq_management' });
      ok(first);
      expect(first.script.data).toMatchObject({ message: 'enabled rabbitmq_management on RabbitMQ 4.1.4' });
      expect(first.modelRead).toEqual({ step: 's1', state: { installed: true, enabled: true } });
      const again = await compareInLab({ ...app2, machine: first.machine }, [], [], 'rabbitmq_plugin', { name: 'rabbitmq_management' }, { name: 'rabbitmq_management' });
      ok(again);
      const bogus = await compareInLab(app2, [], [], 'rabbitmq_plugin', { name: 'rabbitmq_bogus' }, { name: 'rabbitmq_management' });
      ok(bogus);
      expect(bogus.script.error?.message).toMatch(/rabbitmq-plugins\.bat exited with code 65: Error:\nThe following plugins could not be found:\n {2}rabbitmq_bogus$/);
    }, 120_000);

    it('rabbitmq_cluster: app2 joins app1, then app3 joins the two; the seed joins nothing', async () => {
      const app1 = rabbitHost('app1');
      const app2 = rabbitHost('app2');
      const app3 = rabbitHost('app3');
      const j2 = await compareInLab(app2, [app1, app3], [], 'rabbitmq_cluster', SEED, SEED);
      ok(j2);
      expect(j2.script.data).toMatchObject({ message: 'rabbit@app2 joined the cluster of rabbit@app1: 2 running nodes' });
      const joined2 = { ...app2, machine: j2.machine };
      const j3 = await compareInLab(app3, [app1, joined2], [], 'rabbitmq_cluster', SEED, SEED);
      ok(j3);
      expect(j3.modelRead).toEqual({ step: 's1', state: { installed: true, nodeName: 'rabbit@app3', running: true, members: ['rabbit@app1', 'rabbit@app2', 'rabbit@app3'], runningNodes: ['rabbit@app1', 'rabbit@app2', 'rabbit@app3'] } });
      const seed = await compareInLab(app1, [joined2], [], 'rabbitmq_cluster', SEED, SEED);
      ok(seed);
      expect(seed.script.data).toMatchObject({ message: 'rabbit@app1 is the seed: nothing to join' });
    }, 180_000);

    it('rabbitmq_cluster refusals: the seed down, another cookie, this node stopped (its Test: not running)', async () => {
      const app1 = rabbitHost('app1');
      const app2 = rabbitHost('app2');
      const down = await compareInLab(app2, [app1], ['app1'], 'rabbitmq_cluster', SEED, SEED);
      ok(down);
      expect(down.script.error?.message).toBe("C:\\Program Files\\RabbitMQ Server\\rabbitmq_server-4.1.4\\sbin\\rabbitmqctl.bat exited with code 70: Error:\n{:cannot_discover_cluster, 'The nodes provided are either offline or not running'}");
      const cookie = await compareInLab(rabbitHost('app2', 'ANOTHERCOOKIE0123456789ABCDEFGH'), [app1], [], 'rabbitmq_cluster', SEED, SEED);
      ok(cookie);
      expect(cookie.script.ok).toBe(false);
      const stopped = rabbitHost('app2');
      stopped.machine.services = stopped.machine.services.map((x) => (x.name === 'RabbitMQ' ? { ...x, state: 'Stopped' as const } : x));
      const st = await compareInLab(stopped, [app1], [], 'rabbitmq_cluster', SEED, SEED);
      ok(st);
      expect(st.script.error?.message).toMatch(/rabbitmqctl\.bat exited with code 69: Error: unable to perform an operation on node 'rabbit@app2'/);
      expect(st.modelRead).toMatchObject({ state: { running: false, members: [] } });
    }, 180_000);

    it('rabbitmq_config: vhost, user (password on stdin), permissions, guest, policy; again: nothing; a joining node takes the data', async () => {
      const app1 = rabbitHost('app1');
      const first = await compareInLab(app1, [], [], 'rabbitmq_config', CONFIG, CONFIG_READ);
      ok(first);
      expect(first.script.data).toMatchObject({ message: 'vhost cortex added; user cortex-ops added; tags of cortex-ops; permissions of cortex-ops on cortex; guest deleted; policy nsb-delivery-limit' });
      expect(JSON.stringify(first.script)).not.toContain('Ops-Secret-1');
      expect(JSON.stringify(first.machine)).not.toContain('Ops-Secret-1');
      const configured = { ...app1, machine: first.machine };
      const again = await compareInLab(configured, [], [], 'rabbitmq_config', CONFIG, CONFIG_READ);
      ok(again);
      expect(again.script.data).toMatchObject({ message: 'nothing to change' });
      // app2 joins the configured seed: the cluster's data is the seed's, so the config holds there too.
      const j = await compareInLab(rabbitHost('app2'), [configured], [], 'rabbitmq_cluster', SEED, SEED);
      ok(j);
      const onApp2 = await compareInLab({ ...rabbitHost('app2'), machine: j.machine }, [configured], [], 'rabbitmq_config', CONFIG, CONFIG_READ);
      ok(onApp2);
      expect(onApp2.script.data).toMatchObject({ message: 'nothing to change' });
    }, 180_000);
  });
});

/**
 * The lab models of service, env_var, registry_value, file, directory (and reboot's Test) held to their
 * scripts: each Set script in pwsh against the Windows shim vs its handler on the same machine (creates,
 * updates, no-ops, refusals), and test-batch.ps1 vs the resources.test-batch handler over a mix of steps.
 * Envelopes (data, or error message and category) and views after the run must be equal (resource-harness.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCertificate } from '../../../src/artifacts/pull/certificate.js';
import { startPullServer, type PullServer } from '../../../src/artifacts/pull/server.js';
import { newPullToken } from '../../../src/artifacts/pull/token.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import type { LabHostState, LabMachine } from '../../../src/lab/state/types.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { generatedStates, presetStates, rng, type NamedState } from './machines.js';
import { expectSame, viewChanged } from './resource-harness.js';

const pwsh = pwshForTests('test/lab/differential (resource scripts, part A)');
const net = await claimLoopbackBlock(import.meta.url);
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20261202);
const COUNT = Math.min(Number(process.env.DIFFERENTIAL_COUNT ?? 50), 20);

/** Test requests for what a machine has (and a few it has not), in a shuffled order. */
function readsOf(named: NamedState, seed: number): Array<{ step: string; resource: string; params: Record<string, unknown> }> {
  const m = named.state.machine;
  const r = rng(seed);
  const out: Array<{ resource: string; params: Record<string, unknown> }> = [
    ...m.services.map((s) => ({ resource: 'service', params: { name: r.chance(0.3) ? s.name.toUpperCase() : s.name } })),
    { resource: 'service', params: { name: 'NoSuchService' } },
    ...Object.keys(m.env).map((name) => ({ resource: 'env_var', params: { name: r.chance(0.3) ? name.toLowerCase() : name } })),
    ...[
      ['SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'EditionID', '64'],
      ['SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full', 'Release', '32'],
      ['SOFTWARE\\Microsoft\\InetStp', 'MajorVersion', '64'],
      ['SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL', r.pick(['MSSQLSERVER', 'SQLEXPRESS', 'CORTEX']), '64'],
      ['SYSTEM\\CurrentControlSet\\Services\\WinRM', 'Start', '32'],
      ['SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client', 'Enabled', '64'],
    ].map(([key, name, view]) => ({ resource: 'registry_value', params: { key: `HKLM:\\${key}`, name, view } })),
    ...Object.keys(m.files).map((path) => ({ resource: 'file', params: { path: r.chance(0.3) ? path.toLowerCase().replace(/\\/g, '/') : path } })),
    { resource: 'file', params: { path: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe' } },
    ...[m.programData, `${m.installDrive}\\`, 'C:\\Program Files', 'E:\\', 'C:\\inetpub\\wwwroot', ...Object.keys(m.files).map((f) => f.slice(0, f.lastIndexOf('\\')))].map((path) => ({ resource: 'directory', params: { path } })),
    { resource: 'reboot', params: {} },
  ];
  return out.sort(() => r.next() - 0.5).map((q, i) => ({ step: `s${i}`, ...q }));
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const base = presetStates().find((s) => s.label === 'preset ws2019')!.state;

function stateWith(mutate: (m: LabMachine) => void = () => {}): LabHostState {
  const s = structuredClone(base);
  mutate(s.machine);
  return s;
}

/** A host with services that depend on one another, some disabled, one paused, one delayed. */
const servicesHost = stateWith((m) => {
  m.services.push(
    { name: 'epmd', state: 'Stopped', startType: 'Manual' },
    { name: 'RabbitMQ', state: 'Stopped', startType: 'Automatic', dependsOn: ['epmd'] },
    { name: 'Cortex.Worker', state: 'Running', startType: 'Automatic', dependsOn: ['Cortex.Queue'], delayedAutoStart: true },
    { name: 'Cortex.Queue', state: 'Running', startType: 'Automatic' },
    { name: 'Legacy', state: 'Stopped', startType: 'Disabled' },
    { name: 'NeedsLegacy', state: 'Stopped', startType: 'Manual', dependsOn: ['Legacy'] },
    { name: 'Sleepy', state: 'Paused', startType: 'Manual' },
  );
});

const STAGED = 'C:\\Windows\\Temp\\cortex-staging\\cortex.json';
/** Generated text as a `file` step's content carries it: non-ASCII, CRLF and LF, no final newline. */
const TEXT = 'cluster_name = caf\u00e9\r\nlisteners.tcp.default = 5672\nend';
const filesHost = stateWith((m) => {
  m.files[STAGED] = sha('staged');
  m.fileSizes[STAGED] = 6;
  m.files['C:\\Cortex\\conf\\old.json'] = sha('old');
  m.fileSizes['C:\\Cortex\\conf\\old.json'] = 3;
  m.files['C:\\Cortex\\logs\\a\\one.log'] = sha('one');
  m.directories.push('C:\\Cortex\\logs\\empty', 'D:\\nowhere-drive-check');
  m.volumes.push({ drive: 'D:', fileSystem: 'NTFS', sizeGB: 100, freeGB: 50 });
});

const registryHost = stateWith((m) => {
  // Mask and Wide as a profile may write them: signed, as .NET reads them back (0xFFFFFFFF is -1).
  m.registry['HKLM\\SOFTWARE\\Cortex\\Deploy'] = {
    Tenant: { kind: 'String', data: 'zurich' },
    Retries: { kind: 'DWord', data: 3 },
    Mask: { kind: 'DWord', data: -1 },
    Wide: { kind: 'QWord', data: -2 },
    Empty: { kind: 'MultiString', data: [] },
    Raw: { kind: 'Binary', data: [0, 171, 255] },
  };
  m.registry['HKCU\\Software\\Cortex'] = { '': { kind: 'String', data: 'default data' } };
  m.registry['HKLM\\SOFTWARE\\WOW6432Node\\Cortex'] = { Bits: { kind: 'QWord', data: 32 } };
});

let host: ShimHost;

describe.skipIf(!pwsh)('resource scripts part A: script in the shim vs lab handler', () => {
  withShimHost(pwsh!, (h) => (host = h), 120_000);

  describe('resources.service', () => {
    const cases: Array<[string, Record<string, unknown>, LabHostState]> = [
      ['stop and make manual', { name: 'W3SVC', state: 'stopped', startupType: 'manual' }, base],
      ['delayed start of a stopped manual service (name in another case)', { name: 'remoteregistry', startupType: 'automatic_delayed', state: 'running' }, base],
      ['automatic clears a delayed flag', { name: 'Cortex.Worker', startupType: 'automatic' }, servicesHost],
      ['manual keeps the delayed flag', { name: 'Cortex.Worker', startupType: 'manual' }, servicesHost],
      ['start starts what it depends on', { name: 'RabbitMQ', state: 'running' }, servicesHost],
      ['refused: a running service depends on it', { name: 'Cortex.Queue', state: 'stopped' }, servicesHost],
      ['refused: a disabled service does not start', { name: 'Legacy', state: 'running' }, servicesHost],
      ['refused: what it depends on is disabled', { name: 'NeedsLegacy', state: 'running' }, servicesHost],
      ['disabled, then the start is refused: the startup type stays changed', { name: 'pla', startupType: 'disabled', state: 'running' }, base],
      ['refused: not installed', { name: 'NoSuchService', state: 'running' }, base],
      ['refused: a state the resource does not know', { name: 'W3SVC', state: 'paused' }, base],
      ['refused: a startup type the resource does not know', { name: 'W3SVC', startupType: 'boot' }, base],
      ['a paused service is not emulated', { name: 'Sleepy', state: 'running' }, servicesHost],
      ['refused: no name', { state: 'running' }, base],
    ];
    for (const [label, params, state] of cases) {
      it(label, async () => {
        await expectSame(host, 'resources.service', params, state);
      }, 60_000);
    }

    it('a Set that finds everything as wanted changes nothing and says so', async () => {
      const { script, handler, before } = await expectSame(host, 'resources.service', { name: 'WinRM', state: 'running' }, base);
      expect(viewChanged(before, script.view)).toBe(false);
      expect(handler.changed).toBe(false);
      expect(handler.envelope.data).toEqual({ rebootRequired: false, exitCode: null, message: 'started' });
    }, 60_000);
  });

  describe('resources.env-var', () => {
    const cases: Array<[string, Record<string, unknown>, LabHostState]> = [
      ['creates a variable', { name: 'CORTEX_TENANT', value: 'zurich' }, base],
      ['updates one, keeping the stored name', { name: 'os', value: 'Windows_NT_lab' }, base],
      ['a value with %references% is stored as REG_EXPAND_SZ', { name: 'CORTEX_HOME', value: '%ProgramFiles%\\Cortex' }, base],
      ['removes one', { name: 'ComSpec', state: 'absent' }, base],
      ['refused: present without a value', { name: 'CORTEX_TENANT', value: '' }, base],
      ['refused: a state the resource does not know', { name: 'CORTEX_TENANT', state: 'gone' }, base],
    ];
    for (const [label, params, state] of cases) {
      it(label, async () => {
        await expectSame(host, 'resources.env-var', params, state);
      }, 60_000);
    }

    it('removing what is not there changes nothing', async () => {
      const { script, handler, before } = await expectSame(host, 'resources.env-var', { name: 'NOT_SET_HERE', state: 'absent' }, base);
      expect(viewChanged(before, script.view)).toBe(false);
      expect(handler.changed).toBe(false);
    }, 60_000);
  });

  describe('resources.registry-value', () => {
    const cases: Array<[string, Record<string, unknown>, LabHostState]> = [
      ['a new key and String value', { key: 'HKLM:\\SOFTWARE\\Cortex\\New', name: 'Mode', type: 'String', data: 'ha' }, registryHost],
      ['DWord at its maximum into an existing key (name in another case)', { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'retries', type: 'DWord', data: 4294967295 }, registryHost],
      ['QWord in the 32-bit view (WOW6432Node)', { key: 'HKLM\\SOFTWARE\\Cortex', name: 'Bits', type: 'QWord', data: 64, view: '32' }, registryHost],
      ['a type name in another case is stored as Windows names it', { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Lower', type: 'dword', data: 7 }, registryHost],
      ['MultiString', { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Cortex\\Deploy', name: 'Nodes', type: 'MultiString', data: ['app1', 'app2'] }, registryHost],
      ['Binary from mixed-case hex', { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Blob', type: 'Binary', data: 'DEADbeef00' }, registryHost],
      ['ExpandString', { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Home', type: 'ExpandString', data: '%ProgramFiles%\\Cortex' }, registryHost],
      ['HKCU of the connecting account', { key: 'HKCU:\\Software\\Cortex\\Prefs', name: 'Theme', data: 'dark' }, registryHost],
      ["the key's default value", { key: 'HKCU:\\Software\\Cortex', name: '', data: 'new default' }, registryHost],
      ['over a value the profile implies (IIS version string)', { key: 'HKLM:\\SOFTWARE\\Microsoft\\InetStp', name: 'VersionString', data: 'Version 10.1' }, base],
      ['removes a value the profile implies', { key: 'HKLM:\\SOFTWARE\\Microsoft\\InetStp', name: 'VersionString', state: 'absent' }, base],
      ['removes an overlay value', { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Tenant', state: 'absent' }, registryHost],
      ['writes a pending-reboot marker', { key: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager', name: 'PendingFileRenameOperations', type: 'MultiString', data: ['\\??\\C:\\x', ''] }, base],
      ['refused: a DWord out of range', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'N', type: 'DWord', data: 4294967296 }, base],
      ['refused: a negative DWord', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'N', type: 'DWord', data: -1 }, base],
      ['refused: Binary that is not hex', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'B', type: 'Binary', data: 'xyz' }, base],
      ['refused: an unknown type', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'B', type: 'Link', data: 'x' }, base],
      ['refused: another hive', { key: 'HKCR:\\Cortex', name: 'B', data: 'x' }, base],
      ['refused: a hive, not a key', { key: 'HKLM:\\', name: 'B', data: 'x' }, base],
      ['refused: no data', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'B' }, base],
      ['refused: a view the resource does not know', { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'B', data: 'x', view: '128' }, base],
    ];
    for (const [label, params, state] of cases) {
      it(label, async () => {
        await expectSame(host, 'resources.registry-value', params, state);
      }, 60_000);
    }

    it('writing the value that is there, or removing one that is not, changes nothing', async () => {
      for (const params of [
        { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Retries', type: 'DWord', data: 3 },
        { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Missing', state: 'absent' },
        { key: 'HKLM:\\SOFTWARE\\NoSuchKey', name: 'Missing', state: 'absent' },
      ]) {
        const { script, handler, before } = await expectSame(host, 'resources.registry-value', params, registryHost);
        expect(viewChanged(before, script.view), JSON.stringify(params)).toBe(false);
        expect(handler.changed, JSON.stringify(params)).toBe(false);
      }
    }, 60_000);
  });

  describe('resources.file', () => {
    const placed = { sha256: sha('staged'), stagedPath: STAGED };
    const cases: Array<[string, Record<string, unknown>, LabHostState]> = [
      ['placed in a new folder (parents created), the staged copy gone', { path: 'C:\\Cortex\\new\\deep\\cortex.json', ...placed }, filesHost],
      ['replaces a file (path in another case, forward slashes)', { path: 'c:/cortex/conf/OLD.json', ...placed, sha256: sha('staged').toUpperCase() }, filesHost],
      ['on another drive', { path: 'D:\\Cortex\\cortex.json', ...placed }, filesHost],
      ['refused: the staged copy has other content', { path: 'C:\\Cortex\\x.json', sha256: sha('other'), stagedPath: STAGED }, filesHost],
      ['refused: the staged copy is missing', { path: 'C:\\Cortex\\x.json', sha256: sha('other'), stagedPath: 'C:\\Windows\\Temp\\nothing' }, filesHost],
      ['refused: a folder is at the path', { path: 'C:\\Cortex\\logs', ...placed }, filesHost],
      ['refused: a drive the host does not have', { path: 'Q:\\Cortex\\x.json', ...placed }, filesHost],
      ['deletes a file, its folder stays', { path: 'C:\\Cortex\\conf\\old.json', state: 'absent' }, filesHost],
      ['deleting a system file is not emulated', { path: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', state: 'absent' }, filesHost],
      ['refused: a state the resource does not know', { path: 'C:\\Cortex\\x.json', state: 'latest' }, filesHost],
      ['refused: no sha256', { path: 'C:\\Cortex\\x.json', stagedPath: STAGED }, filesHost],
      ['a relative path is not emulated', { path: 'cortex.json', state: 'absent' }, filesHost],
      ['content: written in a new folder (parents created), UTF-8 without BOM', { path: 'C:\\Cortex\\gen\\deep\\rabbitmq.conf', content: TEXT, sha256: sha(TEXT) }, filesHost],
      ['content: replaces a file (path in another case)', { path: 'c:\\cortex\\conf\\OLD.json', content: TEXT, sha256: sha(TEXT).toUpperCase() }, filesHost],
      ['content: an empty text', { path: 'C:\\Cortex\\empty.txt', content: '', sha256: sha('') }, filesHost],
      ['content: refused, its SHA-256 is not the step\'s', { path: 'C:\\Cortex\\conf\\old.json', content: TEXT, sha256: sha('old') }, filesHost],
      ['content: refused, a folder is at the path', { path: 'C:\\Cortex\\logs', content: TEXT, sha256: sha(TEXT) }, filesHost],
      ['content: refused, a drive the host does not have', { path: 'Q:\\Cortex\\x.conf', content: TEXT, sha256: sha(TEXT) }, filesHost],
      // The pull branch's refusals before any download (the download itself: test/e2e/artifacts-pull.e2e.test.ts).
      ['pulled: refused without the download URL', { path: 'C:\\Cortex\\x.exe', sha256: sha('staged'), download: { token: 'tok-123', thumbprint: 'ab'.repeat(32) } }, filesHost],
      ['pulled: refused without the token', { path: 'C:\\Cortex\\x.exe', sha256: sha('staged'), download: { url: 'https://127.0.0.1:9/artifacts/a/1', thumbprint: 'ab'.repeat(32) } }, filesHost],
    ];
    for (const [label, params, state] of cases) {
      it(label, async () => {
        await expectSame(host, 'resources.file', params, state);
      }, 60_000);
    }

    describe('pulled: the script and the handler each download from a real pull server on loopback', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cortex-diff-pull-'));
      const addr = net.addr(1);
      const cert = runCertificate([addr]);
      const token = newPullToken();
      let server: PullServer;
      beforeAll(async () => {
        writeFileSync(join(dir, 'otp.exe'), 'staged');
        server = await startPullServer({ artifacts: [{ name: 'erlang', version: '27.3.4', path: join(dir, 'otp.exe'), sha256: sha('staged'), size: 6 }], token, certificate: cert, addresses: [addr] });
      });
      afterAll(async () => {
        await server?.close();
        rmSync(dir, { recursive: true, force: true });
      });
      const dl = (over: Record<string, unknown> = {}) => ({ url: server.url(addr, 'erlang', '27.3.4'), token, thumbprint: cert.thumbprint, ...over });
      const pulled: Array<[string, () => Record<string, unknown>]> = [
        ['placed in a new folder (parents created), nothing left beside it', () => ({ path: 'C:\\Cortex\\dl\\otp.exe', sha256: sha('staged'), download: dl() })],
        ['replaces a file', () => ({ path: 'C:\\Cortex\\conf\\old.json', sha256: sha('staged'), download: dl() })],
        ['refused: the download has other content (deleted; the host, the file and both hashes named)', () => ({ path: 'C:\\Cortex\\conf\\old.json', sha256: sha('other'), download: dl() })],
        ['refused: the server refuses another token (401)', () => ({ path: 'C:\\Cortex\\x.exe', sha256: sha('staged'), download: dl({ token: newPullToken() }) })],
        ['refused: not an artifact of the run (404)', () => ({ path: 'C:\\Cortex\\x.exe', sha256: sha('staged'), download: dl({ url: server.url(addr, 'nssm', '2.24-101') }) })],
      ];
      for (const [label, params] of pulled) {
        it(label, async () => {
          await expectSame(host, 'resources.file', params(), filesHost);
        }, 60_000);
      }
    });

    it('deleting a file that is not there changes nothing', async () => {
      const { script, handler, before } = await expectSame(host, 'resources.file', { path: 'C:\\Cortex\\none.json', state: 'absent' }, filesHost);
      expect(viewChanged(before, script.view)).toBe(false);
      expect(handler.changed).toBe(false);
    }, 60_000);
  });

  describe('resources.directory', () => {
    const cases: Array<[string, Record<string, unknown>, LabHostState]> = [
      ['creates a folder and its parents', { path: 'C:\\Cortex\\data\\queue\\spool' }, filesHost],
      ['deletes a folder with what is in it; its parent stays', { path: 'C:\\Cortex\\logs', state: 'absent' }, filesHost],
      ['deletes an empty listed folder', { path: 'c:\\cortex\\logs\\empty', state: 'absent' }, filesHost],
      ['refused: a file is at the path', { path: 'C:\\Cortex\\conf\\old.json' }, filesHost],
      ['refused: a drive the host does not have', { path: 'Q:\\Cortex' }, filesHost],
      ['deleting a system folder is not emulated', { path: 'C:\\Windows', state: 'absent' }, filesHost],
      ['deleting a folder that holds a system folder is not emulated', { path: 'C:\\inetpub', state: 'absent' }, filesHost],
      ['a folder below a file is not emulated', { path: 'C:\\Cortex\\conf\\old.json\\sub' }, filesHost],
      ['refused: no path', { state: 'absent' }, filesHost],
    ];
    for (const [label, params, state] of cases) {
      it(label, async () => {
        await expectSame(host, 'resources.directory', params, state);
      }, 60_000);
    }

    it('a folder that is there (or a drive root), or one to delete that is not, changes nothing', async () => {
      for (const params of [{ path: 'C:\\Cortex\\logs' }, { path: 'C:\\ProgramData' }, { path: 'C:\\' }, { path: 'C:\\Nothing', state: 'absent' }]) {
        const { script, handler, before } = await expectSame(host, 'resources.directory', params, filesHost);
        expect(viewChanged(before, script.view), JSON.stringify(params)).toBe(false);
        expect(handler.changed, JSON.stringify(params)).toBe(false);
      }
    }, 60_000);
  });

  describe('resources.test-batch', () => {
    const pool = [...presetStates(), ...generatedStates(SEED, COUNT)];
    for (const [i, named] of pool.entries()) {
      it(`reads what ${named.label} has`, async () => {
        await expectSame(host, 'resources.test-batch', { requests: readsOf(named, SEED + i) }, named.state);
      }, 60_000);
    }

    const requests = [
      { step: 's1', resource: 'service', params: { name: 'w3svc' } },
      { step: 's2', resource: 'service', params: { name: 'Cortex.Worker' } },
      { step: 's3', resource: 'service', params: { name: 'Sleepy' } },
      { step: 's4', resource: 'service', params: { name: 'Nope' } },
      { step: 's5', resource: 'service', params: {} },
      { step: 'e1', resource: 'env_var', params: { name: 'comspec' } },
      { step: 'e2', resource: 'env_var', params: { name: 'NOT_SET' } },
      { step: 'r1', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Retries' } },
      { step: 'r2', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Nope' } },
      { step: 'r3', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Nope', name: 'x' } },
      { step: 'r4', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex', name: 'Bits', view: '32' } },
      { step: 'r5', resource: 'registry_value', params: { key: 'HKCU:\\Software\\Cortex', name: '' } },
      { step: 'r6', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', name: 'currentbuild' } },
      { step: 'r7', resource: 'registry_value', params: { key: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\W3SVC', name: 'Start' } },
      { step: 'r8', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Wide', view: '128' } },
      { step: 'r9', resource: 'registry_value', params: { key: 'HKCR:\\x', name: 'x' } },
      { step: 'r10', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Mask' } },
      { step: 'r11', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Wide' } },
      { step: 'r12', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Empty' } },
      { step: 'r13', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Cortex\\Deploy', name: 'Raw' } },
      { step: 'r14', resource: 'registry_value', params: { key: 'HKLM:\\SOFTWARE\\Microsoft\\InetStp', name: 'MajorVersion' } },
      { step: 'f1', resource: 'file', params: { path: STAGED } },
      { step: 'f2', resource: 'file', params: { path: 'C:\\Cortex\\logs' } },
      { step: 'f3', resource: 'file', params: { path: 'C:\\Windows\\System32\\inetsrv\\W3WP.EXE' } },
      { step: 'f4', resource: 'file', params: { path: 'relative.txt' } },
      { step: 'd1', resource: 'directory', params: { path: 'C:\\Cortex\\logs\\a' } },
      { step: 'd2', resource: 'directory', params: { path: 'C:\\Cortex\\conf\\old.json' } },
      { step: 'd3', resource: 'directory', params: { path: 'C:\\Nowhere' } },
      { step: 'd4', resource: 'directory', params: { path: 'D:\\' } },
      { step: 'b1', resource: 'reboot', params: {} },
      { step: 'x1', resource: 'Service', params: { name: 'W3SVC' } },
      { step: 'x2', resource: 'no_such_type', params: {} },
      // A request without params or step never reaches either side: the contract (src/scripts/catalog.ts) refuses it.
    ];
    const mixed = stateWith((m) => {
      Object.assign(m, structuredClone({ services: servicesHost.machine.services, registry: registryHost.machine.registry, files: filesHost.machine.files, fileSizes: filesHost.machine.fileSizes, directories: filesHost.machine.directories, volumes: filesHost.machine.volumes }));
    });

    it('answers a mix of steps as the script does, in order, one failing step not stopping the others', async () => {
      const { script, before } = await expectSame(host, 'resources.test-batch', { requests }, mixed);
      expect(viewChanged(before, script.view)).toBe(false);
      const results = (script.envelope.data as { results: Array<{ step: string; error?: string }> }).results;
      expect(results.map((r) => r.step)).toEqual(requests.map((r) => r.step));
      // Not vacuous: states and errors both occur.
      expect(results.filter((r) => 'error' in r).length).toBeGreaterThan(4);
      expect(results.filter((r) => !('error' in r)).length).toBeGreaterThan(15);
    }, 60_000);

    for (const [label, mutate] of [
      ['reboot pending (CBS)', (m: LabMachine) => void (m.pendingReboot = true)],
      ['reboot pending (a rename waits)', (m: LabMachine) => void (m.registry['HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName'] = { ComputerName: { kind: 'String', data: 'NEWNAME' } })],
      ['reboot pending (file renames)', (m: LabMachine) => void (m.registry['HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager'] = { PendingFileRenameOperations: { kind: 'MultiString', data: ['\\??\\C:\\a', ''] } })],
      ['reboot pending (Windows Update)', (m: LabMachine) => void (m.registry['HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'] = {})],
      ['reboot pending (Server Manager)', (m: LabMachine) => void (m.registry['HKLM\\SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache'] = { RestartRequired: { kind: 'DWord', data: 1 } })],
      ['reboot pending (a domain join)', (m: LabMachine) => void (m.registry['HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon'] = { AvoidSpnSet: { kind: 'DWord', data: 1 } })],
      ['no reboot pending (Server Manager flag cleared)', (m: LabMachine) => void (m.registry['HKLM\\SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache'] = { RestartRequired: { kind: 'DWord', data: 0 } })],
      ['no reboot pending (empty file renames)', (m: LabMachine) => void (m.registry['HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager'] = { PendingFileRenameOperations: { kind: 'MultiString', data: [] } })],
    ] as const) {
      it(`reboot's Test: ${label}`, async () => {
        const { script } = await expectSame(host, 'resources.test-batch', { requests: [{ step: 'b', resource: 'reboot', params: {} }] }, stateWith(mutate));
        expect((script.envelope.data as { results: Array<{ state: { pending: boolean } }> }).results[0]!.state.pending).toBe(!label.startsWith('no'));
      }, 60_000);
    }
  });
});

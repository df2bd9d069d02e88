/**
 * The lab models of package, windows_feature and firewall_rule held to their scripts through the Windows
 * shim (resources-b-harness.ts): machine states × parameters, creating, updating, removing, no-ops and
 * failures; views, envelopes (message and category) and the Test's state afterwards must be equal.
 */
import { nssmInstall } from '../../../src/lab/components/nssm.js';
import { describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../../src/lab/handlers/index.js';
import type { ResourceTypeName } from '../../../src/resources/index.js';
import { artifactFile } from '../../../src/lab/artifacts/catalog.js';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabHostState } from '../../../src/lab/state/types.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';
import { compareSet, machineFrom, withFile } from './resources-b-harness.js';

const pwsh = pwshForTests('test/lab/differential (resources part B)');
/** Cases whose label says nothing is to change. */
const NO_CHANGE = /already|not there|same fields/;
let host: ShimHost;

const WS2019_32 = { os: { caption: 'Microsoft Windows Server 2008 Standard', editionId: 'ServerStandard', build: 6002, productType: 3, is64Bit: false } };

/** A machine with the named artifacts uploaded to C:\Installers\<fileName>. */
function withArtifacts(state: LabHostState, ids: string[]): LabHostState {
  const s = structuredClone(state);
  for (const id of ids) {
    const a = artifactFile(id);
    withFile(s.machine, `C:\\Installers\\${a.artifact.fileName}`, a.sha256, a.bytes.length);
  }
  return s;
}

const ALL = ['lab-sample-1.0.0', 'lab-sample-1.1.0', 'lab-reboot-2.0.0', 'lab-tool-3.2.1', 'lab-failing-1.0.0', 'lab-busy-1.0.0'];
const SAMPLE = { name: 'Cortex Lab Sample', path: 'C:\\Installers\\lab-sample-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E01}' };
const TOOL = { name: 'Cortex Lab Tool', path: 'C:\\Installers\\lab-tool-3.2.1-setup.exe', uninstallKey: 'CortexLabTool', arguments: ['/S'] };

/** The Set scripts this file holds to their handlers (test/lab/differential/probes.differential.test.ts counts on it). */
const COMPARED_HERE: Record<string, ResourceTypeName> = {
  'resources.package': 'package',
  'resources.windows-feature': 'windows_feature',
  'resources.firewall-rule': 'firewall_rule',
  'resources.acl': 'acl',
  'resources.scheduled-task': 'scheduled_task',
  'resources.exec': 'exec',
  'resources.archive': 'archive',
};

it('the handlers compared here are the lab\'s Set handlers of these types', () => {
  const registry = handlerRegistry();
  for (const [id, type] of Object.entries(COMPARED_HERE)) {
    expect(registry.get(id)?.script, id).toBe(`ps1/resources/${type.replace(/_/g, '-')}.ps1`);
  }
});

describe.skipIf(!pwsh)('resources part B: lab models vs scripts through the shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  describe('package', () => {
    const base = withArtifacts(machineFrom({}), ALL);

    it('installs a known MSI: uninstall entry, service, file, environment; then again is a no-op', async () => {
      const first = await compareSet(host, base, 'package', SAMPLE);
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      expect(first.script).toMatchObject({ ok: true, data: { rebootRequired: false, exitCode: 0, message: 'installing Cortex Lab Sample: exit code 0' } });
      expect(first.machine.services.map((s) => s.name)).toContain('CortexLabSample');
      expect(first.viewChanged).toBe(true);
      const again = await compareSet(host, { ...base, machine: first.machine }, 'package', SAMPLE);
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.script.ok).toBe(true);
    }, 120_000);

    it('refuses another version of an installed MSI (1638), naming the log', async () => {
      const installed = await compareSet(host, base, 'package', SAMPLE);
      const r = await compareSet(host, { ...base, machine: installed.machine }, 'package', { ...SAMPLE, path: 'C:\\Installers\\lab-sample-1.1.0.msi', version: '1.1.0' });
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error?.message).toMatch(/^package: installing Cortex Lab Sample failed: msiexec\.exe exited with code 1638: Another version of this product is already installed\..*; the log is C:\\ProgramData\\cortex-deploy\\logs\\package-Cortex-Lab-Sample-install-\d{8}-\d{6}\.log$/);
    }, 120_000);

    it('a 32-bit MSI that asks for a reboot (3010): WOW6432Node entry, reboot pending', async () => {
      const r = await compareSet(host, base, 'package', { name: 'Reboot Sample', path: 'C:\\Installers\\lab-reboot-2.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E02}' });
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.data).toEqual({ rebootRequired: true, exitCode: 3010, message: 'installing Reboot Sample: exit code 3010, reboot required' });
      expect(r.machine.pendingReboot).toBe(true);
      // The shim's installer and the projection share where an entry goes: say it here, independently.
      expect(Object.keys(projectWindowsView(r.machine).registry)).toContain('SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E02}');
    }, 120_000);

    it('on 32-bit Windows a 32-bit installer registers in the one view there is', async () => {
      const m = withArtifacts(machineFrom(WS2019_32), ALL);
      const r = await compareSet(host, m, 'package', { name: 'Reboot Sample', path: 'C:\\Installers\\lab-reboot-2.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E02}' });
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
    }, 120_000);

    it('an EXE installer, then its removal through its QuietUninstallString', async () => {
      const installed = await compareSet(host, base, 'package', TOOL);
      expect(installed.diffs, installed.diffs.join('\n')).toEqual([]);
      expect(installed.script.data).toMatchObject({ exitCode: 0 });
      const removed = await compareSet(host, { ...base, machine: installed.machine }, 'package', { ...TOOL, state: 'absent' });
      expect(removed.diffs, removed.diffs.join('\n')).toEqual([]);
      expect(removed.script.data).toMatchObject({ message: 'removing Cortex Lab Tool: exit code 0' });
      expect(removed.machine.products).toEqual([]);
      expect(Object.keys(removed.machine.env)).not.toContain('CORTEX_LAB_TOOL');
    }, 120_000);

    it('removes an MSI by ProductCode, and says so when it is not installed', async () => {
      const installed = await compareSet(host, base, 'package', SAMPLE);
      const removed = await compareSet(host, { ...base, machine: installed.machine }, 'package', { ...SAMPLE, state: 'absent' });
      expect(removed.diffs, removed.diffs.join('\n')).toEqual([]);
      expect(removed.machine.services.map((s) => s.name)).not.toContain('CortexLabSample');
      const none = await compareSet(host, base, 'package', { ...SAMPLE, state: 'absent' });
      expect(none.diffs, none.diffs.join('\n')).toEqual([]);
      expect(none.script.data).toEqual({ rebootRequired: false, exitCode: null, message: 'Cortex Lab Sample is not installed' });
    }, 120_000);

    it("removes a profile's product by the MSI code in its UninstallString; refuses one with no quiet uninstaller", async () => {
      const m = withArtifacts(
        machineFrom({
          products: [
            { name: 'Old Agent', version: '1.2', uninstallKey: '{11111111-2222-3333-4444-555555555555}', uninstallString: 'MsiExec.exe /X{11111111-2222-3333-4444-555555555555}' },
            { name: 'Legacy Tool', version: '9', uninstallKey: 'LegacyTool', wow6432: true, uninstallString: 'C:\\Legacy\\uninst.exe' },
          ],
        }),
        [],
      );
      const msi = await compareSet(host, m, 'package', { name: 'Old Agent', path: 'C:\\x.msi', uninstallKey: '{11111111-2222-3333-4444-555555555555}', state: 'absent' });
      expect(msi.diffs, msi.diffs.join('\n')).toEqual([]);
      expect(msi.machine.products.map((p) => p.name)).toEqual(['Legacy Tool']);
      const exe = await compareSet(host, m, 'package', { name: 'Legacy Tool', path: 'C:\\x.exe', uninstallKey: 'LegacyTool', state: 'absent' });
      expect(exe.diffs, exe.diffs.join('\n')).toEqual([]);
      expect(exe.script.error?.message).toBe('package: Legacy Tool has no QuietUninstallString under SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\LegacyTool (view 32); remove it with an exec step that runs its uninstaller silently');
    }, 120_000);

    it('unknown files: an MSI the lab does not know fails as msiexec does (1620); an EXE is not emulated', async () => {
      const m = structuredClone(base);
      withFile(m.machine, 'C:\\Installers\\other.msi', 'ab'.repeat(32), 100);
      withFile(m.machine, 'C:\\Installers\\other.exe', 'cd'.repeat(32), 100);
      const msi = await compareSet(host, m, 'package', { name: 'Other', path: 'C:\\Installers\\other.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E99}' });
      expect(msi.diffs, msi.diffs.join('\n')).toEqual([]);
      expect(msi.script.error?.message).toMatch(/msiexec\.exe exited with code 1620: This installation package could not be opened\./);
      const exe = await compareSet(host, m, 'package', { name: 'Other', path: 'C:\\Installers\\other.exe', uninstallKey: 'Other' });
      expect(exe.diffs, exe.diffs.join('\n')).toEqual([]);
      expect(exe.script.error?.message).toBe('package: installing Other failed: the program C:\\Installers\\other.exe: not emulated by the lab (see docs/lab.md, "The Windows shim")');
    }, 120_000);

    it('a failing installer (1603), one busy (1618: ResourceBusy, or success when listed), a missing installer, bad parameters', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: 'F', path: 'C:\\Installers\\lab-failing-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E03}' }, /exited with code 1603: Fatal error during installation\./],
        [{ name: 'B', path: 'C:\\Installers\\lab-busy-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}' }, /^package: installing B: another installation is in progress \(exit code 1618\)/],
        [{ name: 'M', path: 'C:\\Installers\\missing.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E05}' }, /^package: the installer C:\\Installers\\missing\.msi is not on the host; upload it in an earlier step$/],
        [{ name: 'N', path: 'C:\\Installers\\lab-busy-1.0.0.msi' }, /^package: parameter productCode \(MSI\) or uninstallKey \(EXE\) is missing/],
        [{ name: 'S', path: 'C:\\Installers\\lab-busy-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}', state: 'latest' }, /^package: parameter state must be present or absent, not latest$/],
        [{ path: 'C:\\Installers\\lab-busy-1.0.0.msi' }, /^package: parameter name is missing$/],
      ];
      for (const [params, message] of cases) {
        const r = await compareSet(host, base, 'package', params, { productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}' });
        expect(r.diffs, `${JSON.stringify(params)}\n${r.diffs.join('\n')}`).toEqual([]);
        expect(r.script.error?.message).toMatch(message);
      }
      const busy = await compareSet(host, base, 'package', { name: 'B', path: 'C:\\Installers\\lab-busy-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}' });
      expect(busy.script.error?.category).toBe('ResourceBusy');
      const listed = await compareSet(host, base, 'package', { name: 'B', path: 'C:\\Installers\\lab-busy-1.0.0.msi', productCode: '{6F1D4C0E-2B7A-4E51-9C3D-0A1B2C3D4E04}', successExitCodes: [0, 1618] });
      expect(listed.diffs, listed.diffs.join('\n')).toEqual([]);
      expect(listed.script.data).toMatchObject({ exitCode: 1618 });
    }, 240_000);
  });

  describe('windows_feature', () => {
    const base = machineFrom({});
    const cases: Array<[string, LabHostState, Record<string, unknown>, RegExp | null]> = [
      ['install a feature', base, { name: 'Telnet-Client' }, null],
      ['install one already there (NoChangeNeeded)', base, { name: 'Web-Server' }, null],
      ['install with its management tools', base, { name: 'SNMP-Service', includeManagementTools: true }, null],
      ['install one that needs a restart', base, { name: 'Hyper-V', includeManagementTools: true }, null],
      ['remove one that needs a restart to go', base, { name: 'Web-Server', state: 'absent', includeManagementTools: true }, null],
      ['remove one that is not there', base, { name: 'MSMQ', state: 'absent' }, null],
      ['name in other case', base, { name: 'telnet-client' }, null],
      ["remove a feature only the profile knows", machineFrom({ features: ['Custom-Feature', 'PowerShell'] }), { name: 'Custom-Feature', state: 'absent' }, null],
      ['unknown name', base, { name: 'No-Such-Feature' }, /^ArgumentNotValid: The role, role service, or feature name is not valid: 'No-Such-Feature'\. The name was not found\.$/],
      ['bad state', base, { name: 'MSMQ', state: 'installed' }, /^windows_feature: parameter state must be present or absent, not installed$/],
      ['no name', base, { state: 'present' }, /^windows_feature: parameter name is missing$/],
    ];
    for (const [label, state, params, error] of cases) {
      it(label, async () => {
        const r = await compareSet(host, state, 'windows_feature', params, { name: params.name ?? 'MSMQ' });
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok).toBe(true);
        // A case that should change the host does: the comparison is not of two no-ops.
        expect(r.viewChanged, 'view changed').toBe(!error && !NO_CHANGE.test(label));
      }, 60_000);
    }

    it('results: exit codes and reboots as FeatureOperationExitCode has them', async () => {
      const hyperV = await compareSet(host, base, 'windows_feature', { name: 'Hyper-V' });
      expect(hyperV.script.data).toEqual({ rebootRequired: true, exitCode: 3010, message: 'installing Hyper-V, reboot required' });
      const again = await compareSet(host, base, 'windows_feature', { name: 'Web-Server' });
      expect(again.script.data).toEqual({ rebootRequired: false, exitCode: 1003, message: 'installing Web-Server' });
      const unknown = await compareSet(host, base, 'windows_feature', { name: 'No-Such-Feature' });
      expect(unknown.script.error?.category).toBe('InvalidArgument');
    }, 60_000);
  });

  describe('firewall_rule', () => {
    const base = machineFrom({
      firewallRules: [
        { name: 'Cortex-AMQP', direction: 'Inbound', protocol: 'TCP', localPorts: [5672, '25672'], action: 'Allow', profiles: ['Domain'] },
        { name: 'Cortex-Off', direction: 'Outbound', protocol: 'UDP', localPorts: [], action: 'Block', enabled: false },
      ],
    });
    const cases: Array<[string, Record<string, unknown>, RegExp | null]> = [
      ['create with defaults', { name: 'Cortex-Web', localPorts: [443, '8443'] }, null],
      ['create with a range, outbound, some profiles', { name: 'Cortex-Dyn', direction: 'outbound', protocol: 'udp', localPorts: ['49152-65535'], profiles: ['public', 'domain'], enabled: false }, null],
      ['create for any protocol', { name: 'Cortex-Any', protocol: 'any', action: 'block' }, null],
      ['update in place', { name: 'Cortex-AMQP', localPorts: [5672], profiles: ['domain', 'private', 'public'] }, null],
      ['update: same fields', { name: 'Cortex-AMQP', localPorts: [5672, 25672], profiles: ['domain'] }, null],
      ['update a disabled rule to enabled, other name case', { name: 'cortex-off', direction: 'outbound', protocol: 'udp', action: 'block' }, null],
      ['remove', { name: 'Cortex-AMQP', state: 'absent' }, null],
      ['remove one not there', { name: 'Nope', state: 'absent' }, null],
      ['ports with any protocol', { name: 'X', protocol: 'any', localPorts: [80] }, /^firewall_rule: parameter localPorts needs protocol tcp or udp/],
      ['bad direction', { name: 'X', direction: 'in' }, /^firewall_rule: parameter direction must be inbound or outbound, not in$/],
      ['bad protocol', { name: 'X', protocol: 'icmp' }, /^firewall_rule: parameter protocol must be tcp, udp or any, not icmp$/],
      ['bad action', { name: 'X', action: 'deny' }, /^firewall_rule: parameter action must be allow or block, not deny$/],
      ['empty profiles', { name: 'X', profiles: [] }, /^firewall_rule: parameter profiles is empty/],
      ['bad profile', { name: 'X', profiles: ['work'] }, /^firewall_rule: parameter profiles may hold domain, private and public, not work$/],
      ['bad state', { name: 'X', state: 'on' }, /^firewall_rule: parameter state must be present or absent, not on$/],
    ];
    for (const [label, params, error] of cases) {
      it(label, async () => {
        const r = await compareSet(host, base, 'firewall_rule', params, { name: params.name });
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok).toBe(true);
        // A case that should change the host does: the comparison is not of two no-ops.
        expect(r.viewChanged, 'view changed').toBe(!error && !NO_CHANGE.test(label));
      }, 60_000);
    }

    it('the Test reads profile rules as the playbook writes them', async () => {
      const r = await compareSet(host, base, 'firewall_rule', { name: 'Cortex-New', localPorts: [1] }, { name: 'Cortex-AMQP' });
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
    }, 60_000);
  });

  describe('acl', () => {
    const base = machineFrom({
      directories: ['C:\\Cortex\\data', 'C:\\Locked', 'C:\\Cortex\\logs'],
      files: { 'C:\\Cortex\\conf\\cortex.json': 'ab'.repeat(32) },
      acls: {
        'C:\\Cortex': { rules: [{ identity: 'CORP\\svc-cortex', rights: 'Modify' }, { identity: 'CORP\\auditors', rights: 'Read', inherit: false }] },
        'C:\\Cortex\\logs': { rules: [{ identity: 'CORP\\svc-cortex', rights: 'Write' }, { identity: 'BUILTIN\\Guests', rights: 'Read', type: 'deny' }] },
        'C:\\Locked': { inheritance: false, rules: [{ identity: 'BUILTIN\\Administrators', rights: 'FullControl' }] },
      },
    });
    const svc = (rights: string, extra: Record<string, unknown> = {}) => ({ identity: 'CORP\\svc-cortex', rights, ...extra });
    const cases: Array<[string, Record<string, unknown>, RegExp | null]> = [
      ['a rule on a folder with no ACL of its own', { path: 'C:\\Cortex\\data', rules: [svc('ReadAndExecute')] }, null],
      ['the rule is there already (identity in other case)', { path: 'C:\\Cortex', rules: [{ identity: 'corp\\SVC-CORTEX', rights: 'Modify' }] }, null],
      ["an identity's other rule is replaced", { path: 'C:\\Cortex', rules: [svc('Read')] }, null],
      ['two rules for one identity merge into a named right', { path: 'C:\\Cortex\\data', rules: [svc('Read'), svc('Modify')] }, null],
      ['purge removes unlisted explicit rules, keeps the inherited', { path: 'C:\\Cortex\\logs', rules: [svc('Write')], purge: true }, null],
      ['inheritance off keeps copies of what was inherited', { path: 'C:\\Cortex\\logs', rules: [svc('Write')], inheritance: false }, null],
      ['inheritance off and purge', { path: 'C:\\Cortex\\data', rules: [svc('Modify')], inheritance: false, purge: true }, null],
      ['inheritance back on', { path: 'C:\\Locked', rules: [{ identity: 'BUILTIN\\Administrators', rights: 'FullControl' }], inheritance: true }, null],
      ['a deny rule', { path: 'C:\\Cortex\\data', rules: [{ identity: 'BUILTIN\\Guests', rights: 'Write', type: 'deny' }] }, null],
      ['a file: no inheritance flags', { path: 'C:\\Cortex\\conf\\cortex.json', rules: [svc('Read')] }, null],
      ['a file, inheritance off', { path: 'C:\\Cortex\\conf\\cortex.json', rules: [svc('Read')], inheritance: false }, null],
      ['rights .NET would merge into no named right: not emulated', { path: 'C:\\Cortex\\data', rules: [svc('Read'), svc('Write')] }, /^combining the rights Read and Write in one access rule: not emulated by the lab/],
      ['a path that does not exist', { path: 'C:\\Nope', rules: [svc('Read')] }, /^acl: C:\\Nope does not exist; create it in an earlier step$/],
      ['bad rights', { path: 'C:\\Cortex', rules: [svc('Everything')] }, /^acl: rights must be FullControl, Modify, ReadAndExecute, Read, Write or ListDirectory, not Everything$/],
      ['bad type', { path: 'C:\\Cortex', rules: [svc('Read', { type: 'permit' })] }, /^acl: type must be allow or deny, not permit$/],
      ['no rules', { path: 'C:\\Cortex', rules: [] }, /^acl: parameter rules is empty$/],
      ['a rule without identity', { path: 'C:\\Cortex', rules: [{ rights: 'Read' }] }, /^acl: parameter identity is missing$/],
    ];
    for (const [label, params, error] of cases) {
      it(label, async () => {
        const r = await compareSet(host, base, 'acl', params, { path: params.path, rules: [svc('Read')] });
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok).toBe(true);
        // A case that should change the host does: the comparison is not of two no-ops.
        expect(r.viewChanged, 'view changed').toBe(!error && !NO_CHANGE.test(label));
      }, 60_000);
    }
  });

  describe('scheduled_task', () => {
    const base = machineFrom({
      scheduledTaskRuns: {
        'create-cluster': { exitCode: 0 },
        'install-driver': { exitCode: 3010 },
        'pending-after': { exitCode: 0, setsPendingReboot: true },
        failing: { exitCode: -2147024891 },
        slow: { exitCode: 0, runSec: 30 },
      },
    });
    const step = (name: string, extra: Record<string, unknown> = {}) => ({ name, command: 'powershell.exe', arguments: '-File C:\\Cortex\\x.ps1', runAs: { user: 'CORP\\svc-sf', password: 'S3cret!pw' }, token: 'v1', ...extra });
    const cases: Array<[string, Record<string, unknown>, RegExp | null]> = [
      ['a run that succeeds: the marker with token and exit code', step('create-cluster'), null],
      ['exit code 3010: a reboot is required', step('install-driver', { successExitCodes: [0, 3010] }), null],
      ['a run that leaves a reboot pending', step('pending-after'), null],
      ['a failing run is recorded and fails the step', step('failing'), /^scheduled_task: failing ran as CORP\\svc-sf and exited with code -2147024891; the next apply runs it again$/],
      ['a run longer than the timeout is stopped', step('slow', { timeout: 1 }), /^scheduled_task: slow \(as CORP\\svc-sf\) did not finish within 1 s; it was stopped$/],
      ['a task the profile does not describe is not emulated', step('unknown-task'), /^the run of scheduled task \\cortex-deploy\\cortex-unknown-task .*: not emulated by the lab/],
      ['timeout below 1', step('create-cluster', { timeout: 0 }), /^scheduled_task: parameter timeout must be at least 1 second, not 0$/],
      ['no password', { ...step('create-cluster'), runAs: { user: 'CORP\\svc-sf' } }, /^scheduled_task: parameter password is missing$/],
      ['no token', { ...step('create-cluster'), token: '' }, /^scheduled_task: parameter token is missing$/],
    ];
    for (const [label, params, error] of cases) {
      it(label, async () => {
        const r = await compareSet(host, base, 'scheduled_task', params, { name: params.name });
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok).toBe(true);
        // The password travels on stdin only: never in a result.
        expect(JSON.stringify(r.script)).not.toContain('S3cret!pw');
      }, 60_000);
    }

    it('a changed token runs it again; the Test reads the marker', async () => {
      const first = await compareSet(host, base, 'scheduled_task', step('create-cluster'));
      const again = await compareSet(host, { ...base, machine: first.machine }, 'scheduled_task', step('create-cluster', { token: 'v2' }));
      expect(again.diffs, again.diffs.join('\n')).toEqual([]);
      expect(again.machine.registry['HKLM\\SOFTWARE\\Cortex\\Deploy\\Tasks\\create-cluster']?.Token).toEqual({ kind: 'String', data: 'v2' });
    }, 60_000);
  });

  describe('exec', () => {
    const base = machineFrom({ directories: ['C:\\Cortex\\done'] });
    it('the Set: the step\'s PowerShell is not run, and says so', async () => {
      const r = await compareSet(host, base, 'exec', { run: "Set-Content -LiteralPath 'C:\\x.txt' -Value 1" }, { run: 'x', creates: 'C:\\Cortex\\done' });
      expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      expect(r.script.error).toEqual({ message: 'exec: running a step\'s PowerShell in a runspace of its own: not emulated by the lab (see docs/lab.md, "The Windows shim")', category: 'NotImplemented' });
      expect(r.viewChanged).toBe(false);
    }, 60_000);
    const guards: Array<[string, Record<string, unknown>]> = [
      ['creates, there', { run: 'x', creates: 'C:\\Cortex\\done' }],
      ['creates, not there, no unless', { run: 'x', creates: 'C:\\Cortex\\nope' }],
      ['creates there wins over unless', { run: 'x', creates: 'C:\\Cortex\\done', unless: '$true' }],
      ['unless: not emulated', { run: 'x', creates: 'C:\\Cortex\\nope', unless: 'Test-Path C:\\x' }],
      ['no guard', { run: 'x' }],
      ['no run', { creates: 'C:\\Cortex\\done' }],
    ];
    for (const [label, params] of guards) {
      it(`the Test: ${label}`, async () => {
        const r = await compareSet(host, base, 'exec', { run: 'x' }, params);
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
      }, 60_000);
    }
  });

  describe('archive', () => {
    const zip = artifactFile('lab-sample-zip-1.0.0');
    const zip2 = artifactFile('lab-sample-zip-1.1.0');
    const base = structuredClone(machineFrom({ directories: ['C:\\Cortex\\app'], files: { 'C:\\Cortex\\file.txt': 'ef'.repeat(32) } }));
    withFile(base.machine, 'C:\\Installers\\sample.zip', zip.sha256, zip.bytes.length);
    withFile(base.machine, 'C:\\Installers\\sample-1.1.zip', zip2.sha256, zip2.bytes.length);
    withFile(base.machine, 'C:\\Installers\\other.zip', '12'.repeat(32), 10);
    const step = (extra: Record<string, unknown> = {}) => ({ source: 'C:\\Installers\\sample.zip', destination: 'C:\\Cortex\\app', sha256: zip.sha256.toUpperCase(), ...extra });
    const cases: Array<[string, LabHostState, Record<string, unknown>, RegExp | null]> = [
      ['extracts into an existing folder, marker last', base, step(), null],
      ['extracts into a new folder', base, step({ destination: 'C:\\Cortex\\new\\app' }), null],
      ['a zip the lab does not know: not emulated', base, step({ source: 'C:\\Installers\\other.zip', sha256: '12'.repeat(32) }), /^archive: extracting C:\\Installers\\other\.zip into C:\\Cortex\\app failed: Expand-Archive of .*not emulated by the lab/],
      ['a zip that is not the one wanted', base, step({ sha256: 'ab'.repeat(32) }), /^archive: C:\\Installers\\sample\.zip has SHA-256 [0-9a-f]{64}, not the (ab){32} the step wants; check the artifact$/],
      ['no zip', base, step({ source: 'C:\\Installers\\nope.zip' }), /^archive: the zip C:\\Installers\\nope\.zip is not on the host; upload it in an earlier step$/],
      ['a destination that is a file', base, step({ destination: 'C:\\Cortex\\file.txt' }), /^archive: the destination C:\\Cortex\\file\.txt is a file, not a folder$/],
      ['clean: listing the folder is not emulated', base, step({ clean: true }), /^Get-ChildItem C:\\Cortex\\app \(listing a folder\): not emulated by the lab/],
      ['no destination', base, { source: 'C:\\Installers\\sample.zip', sha256: zip.sha256 }, /^archive: parameter destination is missing$/],
    ];
    for (const [label, state, params, error] of cases) {
      it(label, async () => {
        const r = await compareSet(host, state, 'archive', params, { destination: params.destination ?? 'C:\\Cortex\\app' });
        expect(r.diffs, r.diffs.join('\n')).toEqual([]);
        if (error) expect(r.script.error?.message).toMatch(error);
        else expect(r.script.ok).toBe(true);
      }, 60_000);
    }

    it('another zip over it: the marker says the new one; the Test reads it back', async () => {
      const first = await compareSet(host, base, 'archive', step());
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      const second = await compareSet(host, { ...base, machine: first.machine }, 'archive', step({ source: 'C:\\Installers\\sample-1.1.zip', sha256: zip2.sha256 }));
      expect(second.diffs, second.diffs.join('\n')).toEqual([]);
      const marker = Object.keys(second.machine.files).find((f) => f.endsWith('.cortex-archive.sha256'))!;
      expect(second.machine.files[marker]).not.toBe(first.machine.files[marker]);
      // clean over a folder with a marker: the marker is gone before the listing fails, in both.
      const clean = await compareSet(host, { ...base, machine: second.machine }, 'archive', step({ clean: true }));
      expect(clean.diffs, clean.diffs.join('\n')).toEqual([]);
      expect(clean.viewChanged).toBe(true);
    }, 60_000);

    it("a new zip over the program of a running service: refused as Windows does; stopServices stops it, extracts, starts it again", async () => {
      const first = await compareSet(host, base, 'archive', step());
      expect(first.diffs, first.diffs.join('\n')).toEqual([]);
      const running = structuredClone(first.machine);
      running.services.push({ name: 'sample', state: 'Running', startType: 'Automatic', binaryPath: '"C:\\Cortex\\app\\bin\\sample.exe" --serve' });
      const next = step({ source: 'C:\\Installers\\sample-1.1.zip', sha256: zip2.sha256 });
      const refused = await compareSet(host, { ...base, machine: running }, 'archive', next);
      expect(refused.diffs, refused.diffs.join('\n')).toEqual([]);
      expect(refused.script.error?.message).toMatch(/^archive: extracting C:\\Installers\\sample-1\.1\.zip into C:\\Cortex\\app failed: The process cannot access the file 'C:\\Cortex\\app\\bin\\sample\.exe' because it is being used by another process\.$/);
      const stopped = await compareSet(host, { ...base, machine: running }, 'archive', { ...next, stopServices: ['sample', 'not-installed'] });
      expect(stopped.diffs, stopped.diffs.join('\n')).toEqual([]);
      expect(stopped.script.ok).toBe(true);
      expect(stopped.machine.services.find((x) => x.name === 'sample')!.state).toBe('Running');
    }, 60_000);

    it('the program a running NSSM service starts (its Application) is in use too', async () => {
      const first = await compareSet(host, base, 'archive', step());
      const hosted = structuredClone(first.machine);
      nssmInstall(hosted, 'C:\\Program Files\\nssm\\win64\\nssm.exe', 'sample', 'C:\\Cortex\\app\\bin\\sample.exe');
      hosted.services.find((x) => x.name === 'sample')!.state = 'Running';
      const next = step({ source: 'C:\\Installers\\sample-1.1.zip', sha256: zip2.sha256 });
      const refused = await compareSet(host, { ...base, machine: hosted }, 'archive', next);
      expect(refused.diffs, refused.diffs.join('\n')).toEqual([]);
      expect(refused.script.error?.message).toMatch(/being used by another process/);
      const stopped = await compareSet(host, { ...base, machine: hosted }, 'archive', { ...next, stopServices: 'sample' });
      expect(stopped.diffs, stopped.diffs.join('\n')).toEqual([]);
      expect(stopped.script.ok).toBe(true);
    }, 60_000);
  });
});

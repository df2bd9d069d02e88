/**
 * The Windows shim on its own (src/lab/shim/windows-shim.psm1 under pwsh 7): the seams of
 * ps1/lib/windows.ps1 and the cmdlets it replaces, answered from a Windows view, including the seams no
 * script on this branch calls yet (host name, DNS, TCP connects).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveProfileOrThrow } from '../../src/lab/profile/resolve.js';
import { ShimHost } from '../../src/lab/shim/shim-runner.js';
import type { WindowsView } from '../../src/lab/shim/view-schema.js';
import { projectWindowsView } from '../../src/lab/shim/windows-view.js';
import { deriveMachine } from '../../src/lab/state/derive.js';
import { libraryText } from '../../src/runner/scripts.js';
import { pwshForTests } from '../helpers/pwsh.js';
import { withShimHost } from './helpers.js';

const pwsh = pwshForTests('test/lab/shim.test.ts');
let host: ShimHost;

function view(lab: Record<string, unknown> = {}): WindowsView {
  const m = deriveMachine({ name: 'app9', address: '127.0.20.209' }, resolveProfileOrThrow(lab, { host: 'app9', labPath: [] }), new Date());
  const v = projectWindowsView(m, {
    network: {
      dns: { 'db1.corp.example.com': ['127.0.20.31'], app2: ['127.0.20.22'] },
      hosts: {
        '127.0.20.31': { up: true, openPorts: [1433, 5985], blockedPorts: [445] },
        '127.0.20.22': { up: false, openPorts: [5985], blockedPorts: [] },
      },
    },
  });
  // A 32-bit product (WOW6432Node) and a DWORD stored as 0xFFFFFFFF.
  v.registry['SOFTWARE\\WOW6432Node\\Vendor\\Tool'] = { Version: { kind: 'String', data: '3.2' } };
  v.registry['SYSTEM\\Test'] = { Big: { kind: 'DWord', data: 4294967295 }, Multi: { kind: 'MultiString', data: ['a', ''] } };
  return v;
}

/** Run text with the lib and the shim; the output lines. */
async function ps(script: string, v: WindowsView = view()): Promise<string[]> {
  const r = await host.run({ script, lib: libraryText(), view: v, outputFormat: 'text' });
  expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  return r.output.filter((l) => l !== '');
}

describe.skipIf(!pwsh)('the Windows shim', () => {
  withShimHost(pwsh!, (h) => (host = h));

  it('registry seams: both views, WOW6432Node redirection, DWORD 0xFFFFFFFF as -1, value names, absent keys', async () => {
    expect(
      await ps(
        [
          "Get-CortexRegistryValue -SubKey 'SOFTWARE\\Vendor\\Tool' -Name Version -View 32",
          "$null -eq (Get-CortexRegistryValue -SubKey 'SOFTWARE\\Vendor\\Tool' -Name Version -View 64)",
          "Get-CortexRegistryValueBothViews -SubKey 'SOFTWARE\\Vendor\\Tool' -Name Version",
          "Get-CortexRegistryValue -SubKey 'SYSTEM\\Test' -Name Big -View 32",
          "(Get-CortexRegistryValue -SubKey 'SYSTEM\\Test' -Name Multi).Count",
          "(Get-CortexRegistryValueName -SubKey 'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL') -join ','",
          "$null -eq (Get-CortexRegistryValueName -SubKey 'SOFTWARE\\Nope')",
          "Test-CortexRegistryKey -SubKey 'SOFTWARE\\Microsoft\\Windows NT'",
          "$k = Open-CortexRegistryKey -SubKey 'software\\microsoft\\windows nt\\currentversion'; $k.GetValue('EditionID', 'x'); $k.GetValue('Nope', 'dflt'); $k.Close()",
        ].join('\n'),
      ),
    ).toEqual(['3.2', 'True', '3.2', '-1', '2', 'MSSQLSERVER', 'True', 'True', 'ServerDatacenter', 'dflt']);
  }, 60_000);

  it('a 32-bit Windows has no WOW6432Node: both views are the same keys', async () => {
    const v = view({ os: { is64Bit: false } });
    expect(v.registry['SOFTWARE\\WOW6432Node\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full']).toBeUndefined();
    expect(await ps("Get-CortexRegistryValue -SubKey 'SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full' -Name Release -View 32; Test-Cortex64BitOperatingSystem", v)).toEqual(['528049', 'False']);
  }, 60_000);

  it('host name, DNS (any case, IPv4 literals, unknown names) and TCP connects from the view', async () => {
    expect(
      await ps(
        [
          'Get-CortexHostName',
          "Resolve-CortexHostAddress -Name 'DB1.corp.example.com'",
          "Resolve-CortexHostAddress -Name '10.9.8.7'",
          "try { Resolve-CortexHostAddress -Name 'nosuch.invalid' } catch { 'error: ' + $_.Exception.Message }",
          "$e = @(@{ address = '127.0.20.31'; port = 1433 }, @{ address = '127.0.20.31'; port = 445 }, @{ address = '127.0.20.31'; port = 80 }, @{ address = '127.0.20.22'; port = 5985 }, @{ address = '10.0.0.1'; port = 80 })",
          "(Test-CortexTcpConnection -Endpoint $e -TimeoutMs 100 | ForEach-Object { $_.outcome }) -join ','",
        ].join('\n'),
      ),
    ).toEqual(['APP9', '127.0.20.31', '10.9.8.7', 'error: No such host is known', 'Connected,NoAnswer,ConnectionRefused,NoAnswer,NoAnswer']);
  }, 60_000);

  it('CIM with filters, TCP listeners, processes, paths with Windows rules', async () => {
    expect(
      await ps(
        [
          "(Get-CimInstance -ClassName Win32_LogicalDisk -Filter \"DeviceID='C:'\").FileSystem",
          "@(Get-CimInstance -ClassName Win32_LogicalDisk -Filter \"DeviceID='Z:'\").Count",
          "(Get-CimInstance Win32_NetworkAdapterConfiguration -Filter 'IPEnabled=TRUE').IPAddress -join ','",
          "(Get-NetTCPConnection -State Listen -LocalPort 1433, 445 | ForEach-Object { $_.LocalPort }) -join ','",
          "(Get-Process -Id (Get-NetTCPConnection -State Listen -LocalPort 1433).OwningProcess).ProcessName",
          "@(Get-NetTCPConnection -State Listen -LocalPort 9 -ErrorAction SilentlyContinue).Count",
          "Join-Path -Path 'C:\\Windows\\' -ChildPath '/System32\\inetsrv'",
          "Test-Path -LiteralPath 'c:/windows/system32/INETSRV/w3wp.exe' -PathType Leaf",
          "Test-Path -LiteralPath 'C:\\Windows\\System32' -PathType Container",
          "(Get-Item -LiteralPath 'C:\\Windows\\System32\\inetsrv\\w3wp.exe').VersionInfo.FileVersion",
        ].join('\n'),
      ),
    ).toEqual(['NTFS', '0', '127.0.20.209', '445,1433', 'sqlservr', '0', 'C:\\Windows\\System32\\inetsrv', 'True', 'True', '10.0.17763.1']);
  }, 60_000);

  it('services: a start starts what it depends on; Stop-Service -Force stops the running dependents first', async () => {
    const services = [
      { name: 'epmd', state: 'Stopped', startType: 'Manual' },
      { name: 'RabbitMQ', state: 'Stopped', startType: 'Manual', dependsOn: ['epmd'] },
      { name: 'Cortex', state: 'Stopped', startType: 'Manual', dependsOn: ['RabbitMQ'] },
    ];
    const states = "(Get-Service | ForEach-Object { '{0}={1}' -f $_.Name, $_.Status }) -join ','";
    expect(await ps([`Start-Service Cortex`, states, `Stop-Service epmd -Force`, states].join('\n'), view({ services }))).toEqual([
      'epmd=Running,RabbitMQ=Running,Cortex=Running',
      'epmd=Stopped,RabbitMQ=Stopped,Cortex=Stopped',
    ]);
  }, 60_000);

  it('native programs: sc.exe config is modelled, any other program is not emulated', async () => {
    const services = [{ name: 'Cortex', state: 'Stopped', startType: 'Manual' }];
    expect(
      await ps(
        [
          "(Invoke-CortexNative -FilePath 'sc.exe' -ArgumentList @('config', 'Cortex', 'start=', 'delayed-auto')).output",
          "(Get-Service Cortex).StartType",
          "Get-CortexRegistryValue -SubKey 'SYSTEM\\CurrentControlSet\\Services\\Cortex' -Name 'DelayedAutostart'",
          "try { Invoke-CortexNative -FilePath 'sc.exe' -ArgumentList @('config', 'Nope', 'start=', 'auto') } catch { $_.Exception.Message -replace '\\s+', ' ' }",
        ].join('\n'),
        view({ services }),
      ),
    ).toEqual(['[SC] ChangeServiceConfig SUCCESS', 'Automatic', '1', 'sc.exe exited with code 1060: [SC] OpenService FAILED 1060: The specified service does not exist as an installed service. ']);
    // msiexec.exe is modelled too (the package resource, docs/lab.md "Synthetic artifacts"); robocopy is not.
    const r = await host.run({ script: "Invoke-CortexNative -FilePath 'C:\\Windows\\System32\\robocopy.exe' -ArgumentList @('a', 'b')", lib: libraryText(), view: view(), outputFormat: 'text' });
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/robocopy\.exe: not emulated by the lab/);
  }, 60_000);

  it('fails with "not emulated by the lab" on what it does not model', async () => {
    for (const text of ["Get-CimInstance -ClassName Win32_BIOS", "Get-CimInstance -Query 'SELECT * FROM Win32_OperatingSystem'", "Get-FileHash -LiteralPath 'C:\\x' -Algorithm MD5", "Test-Path '/etc/passwd'"]) {
      const r = await host.run({ script: text, view: view(), outputFormat: 'text' });
      expect(r.errors.map((e) => e.message).join('\n'), text).toMatch(/not emulated by the lab/);
    }
  }, 60_000);
});

describe('the shim host that never gets ready', () => {
  it('is killed at its start timeout, and the request fails naming the lab shim', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-shim-hang-'));
    const fake = join(dir, 'pwsh');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const hung = new ShimHost(fake, 300);
    const t0 = Date.now();
    await expect(hung.warm()).rejects.toThrow(/shim host \(pwsh\) was not ready within 300 ms; it was killed/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await hung.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

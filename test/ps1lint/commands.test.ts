// The 5.1 command list: built from the official module references, holds what our scripts and the
// reference docs use, and lacks what only PowerShell 6/7 has.
import { describe, expect, it } from 'vitest';
import { PS51_MODULES, PS7_ONLY_PARAMETERS } from '../../src/ps1lint/data/ps51-commands.js';
import { KNOWN_COMMAND_NAMES, knownCommand } from '../../src/ps1lint/data/known-commands.js';
import { PS7_ONLY } from '../../src/ps1lint/data/ps7-only.js';
import { PRODUCT_MODULES } from '../../src/ps1lint/data/product-modules.js';
import { PS51_ALIASES, aliasTarget } from '../../src/ps1lint/data/aliases.js';
import { NATIVE_EXECUTABLE_REASONS } from '../../src/ps1lint/data/native-executables.js';

describe('PowerShell 5.1 command list', () => {
  it.each([
    'Get-CimInstance', 'Get-ItemProperty', 'Get-NetIPAddress', 'Test-NetConnection', 'Install-WindowsFeature',
    'Get-WindowsFeature', 'New-NetFirewallRule', 'Get-Service', 'Get-FileHash', 'Start-Process', 'ConvertTo-Json',
    'ConvertFrom-Json', 'Get-Item', 'Test-Path', 'Split-Path', 'Get-NetTCPConnection', 'Resolve-DnsName', 'Get-Website',
    'New-Website', 'New-WebAppPool', 'Get-ScheduledTask', 'Register-ScheduledTask', 'New-SelfSignedCertificate',
    'Import-PfxCertificate', 'Expand-Archive', 'Get-NetAdapter', 'Get-SmbShare', 'Get-Volume', 'Get-Disk',
    'Invoke-WebRequest', 'Get-WinEvent', 'Get-LocalGroupMember', 'Test-WSMan', 'Get-Acl', 'ForEach-Object',
    'Where-Object', 'Select-Object', 'Write-Output', 'Set-StrictMode', 'New-Object', 'Get-Date', 'Start-Sleep',
  ])('contains %s', (name) => {
    expect(knownCommand(name)?.name).toBe(name);
  });

  it('is case-insensitive, as PowerShell is', () => {
    expect(knownCommand('get-ciminstance')?.name).toBe('Get-CimInstance');
    expect(knownCommand('GET-SERVICE')?.module).toBe('Microsoft.PowerShell.Management');
  });

  it.each(['Get-Error', 'ConvertFrom-Markdown', 'Test-Json', 'Get-Uptime', 'Join-String', 'Remove-Alias', 'Remove-Service',
    'Get-CimInstances', 'Start-ThreadJob'])('lacks %s (PowerShell 6+ only, or a typo)', (name) => {
    expect(knownCommand(name)).toBeUndefined();
  });

  it('has no entry of the PowerShell 7-only table', () => {
    for (const name of Object.keys(PS7_ONLY)) expect(knownCommand(name), name).toBeUndefined();
  });

  it('names the required modules, each with its docs page and the folder it was listed from', () => {
    const modules = PS51_MODULES.map((m) => m.module);
    for (const required of ['Microsoft.PowerShell.Core', 'Microsoft.PowerShell.Management', 'Microsoft.PowerShell.Utility',
      'Microsoft.PowerShell.Security', 'CimCmdlets', 'NetTCPIP', 'NetSecurity', 'DnsClient', 'Storage', 'ServerManager',
      'ScheduledTasks', 'pki', 'WebAdministration', 'Microsoft.PowerShell.Archive', 'NetAdapter', 'SmbShare']) {
      expect(modules).toContain(required);
    }
    for (const m of PS51_MODULES) {
      expect(m.docs).toMatch(/^https:\/\/learn\.microsoft\.com\/en-us\/powershell\/module\/[a-z.]+\/\?view=(powershell-5\.1|windowsserver20(19|22)-ps)$/);
      expect(m.listedFrom).toMatch(/^https:\/\/github\.com\/MicrosoftDocs\/(PowerShell-Docs|windows-powershell-docs)\/tree\/[0-9a-f]{40}\//);
      expect(m.cmdlets.length).toBeGreaterThan(0);
      for (const c of m.cmdlets) expect(c).toMatch(/^[A-Z][A-Za-z]+-[A-Za-z0-9]+$/);
    }
  });

  it('knows the Service Fabric cmdlets the cluster steps use (module installed with the runtime)', () => {
    for (const name of ['Connect-ServiceFabricCluster', 'Get-ServiceFabricClusterHealth', 'Start-ServiceFabricClusterConfigurationUpgrade',
      'Get-ServiceFabricClusterUpgrade', 'Test-ServiceFabricConfiguration', 'Get-ServiceFabricRuntimeUpgradeVersion']) {
      expect(knownCommand(name)?.module, name).toBe('ServiceFabric');
    }
    expect(PRODUCT_MODULES.every((m) => m.note !== undefined && m.docs.startsWith('https://learn.microsoft.com/'))).toBe(true);
  });

  it('lists each command once', () => {
    const all = [...PS51_MODULES, ...PRODUCT_MODULES].flatMap((m) => m.cmdlets.map((c) => c.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
    const lower = KNOWN_COMMAND_NAMES.map((n) => n.toLowerCase());
    expect(lower.length).toBeGreaterThan(800);
  });
});

describe('PowerShell 6/7 parameters of in-box cmdlets', () => {
  it.each([['ConvertFrom-Json', 'AsHashtable'], ['ConvertFrom-Json', 'Depth'], ['ForEach-Object', 'Parallel'],
    ['Invoke-WebRequest', 'SkipCertificateCheck'], ['Join-Path', 'AdditionalChildPath'], ['Get-Content', 'AsByteStream'],
    ['ConvertTo-Json', 'EscapeHandling']])('%s -%s is listed as 6+ only', (cmdlet, parameter) => {
    expect(PS7_ONLY_PARAMETERS[cmdlet]?.ps7Only).toContain(parameter);
  });

  it('keeps the 5.1 parameters apart', () => {
    expect(PS7_ONLY_PARAMETERS['ConvertTo-Json']?.ps51).toEqual(expect.arrayContaining(['Depth', 'Compress', 'InputObject']));
    for (const [cmdlet, { ps51, ps7Only }] of Object.entries(PS7_ONLY_PARAMETERS)) {
      expect(knownCommand(cmdlet), cmdlet).toBeDefined();
      const lower = new Set(ps51.map((p) => p.toLowerCase()));
      for (const p of ps7Only) expect(lower.has(p.toLowerCase()), `${cmdlet} -${p}`).toBe(false);
    }
  });
});

describe('5.1 default aliases', () => {
  it.each([['%', 'ForEach-Object'], ['?', 'Where-Object'], ['gci', 'Get-ChildItem'], ['select', 'Select-Object'],
    ['where', 'Where-Object'], ['foreach', 'ForEach-Object'], ['ls', 'Get-ChildItem'], ['cat', 'Get-Content'],
    ['echo', 'Write-Output'], ['iex', 'Invoke-Expression'], ['sc', 'Set-Content'], ['curl', 'Invoke-WebRequest'],
    ['GCI', 'Get-ChildItem']])('%s stands for %s', (alias, full) => {
    expect(aliasTarget(alias)).toBe(full);
  });

  it('point at commands that exist in 5.1', () => {
    for (const [alias, target] of Object.entries(PS51_ALIASES)) {
      const command = target.split(' ')[0] as string;
      if (command.endsWith('.exe')) continue;
      expect(knownCommand(command), `${alias} -> ${command}`).toBeDefined();
    }
  });
});

describe('native executable allow-list', () => {
  it('gives every entry a reason and an extension', () => {
    for (const [name, reason] of Object.entries(NATIVE_EXECUTABLE_REASONS)) {
      expect(name).toMatch(/^[a-z0-9_.-]+\.(exe|bat|cmd)$/);
      expect(reason.length).toBeGreaterThan(15);
    }
    for (const required of ['msiexec.exe', 'nssm.exe', 'rabbitmqctl.bat', 'rabbitmq-plugins.bat', 'sc.exe', 'netsh.exe',
      'cmd.exe', 'powershell.exe', 'icacls.exe']) {
      expect(NATIVE_EXECUTABLE_REASONS[required]).toBeDefined();
    }
  });
});

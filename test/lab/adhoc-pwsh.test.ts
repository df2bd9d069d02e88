/**
 * Ad-hoc PowerShell on a lab host runs for real: pwsh 7 with the Windows shim loaded for the host's
 * state (src/lab/handlers/adhoc.ts), through the executor and through powershell.exe's command line as
 * Ansible's `raw` and pywinrm's run_ps send it. Bounded by a timeout and an output cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabExecutor } from '../../src/lab/executor.js';
import type { LabView } from '../../src/lab/handlers/types.js';
import { createPowerShellDispatcher } from '../../src/lab/powershell/index.js';
import { ShimPool } from '../../src/lab/shim/shim-runner.js';
import { projectWindowsView } from '../../src/lab/shim/windows-view.js';
import type { LabHostRuntime } from '../../src/lab/state/host.js';
import { decodeStderr } from '../../src/runner/clixml.js';
import { encodeCommand } from '../../src/runner/bootstrap.js';
import { pwshForTests } from '../helpers/pwsh.js';
import { labHostRuntime } from './helpers.js';

const pwsh = pwshForTests('test/lab/adhoc-pwsh.test.ts');
const ref = { name: 'web7', address: '127.0.20.207' };
let pool: ShimPool;
let rt: LabHostRuntime;
let executor: LabExecutor;

const run = (script: string, timeoutMs = 60_000) => executor.run({ host: ref, scriptId: null, script, params: {}, timeoutMs });

describe.skipIf(!pwsh)('ad-hoc PowerShell in the lab runs in pwsh with the Windows shim', () => {
  beforeAll(async () => {
    rt = labHostRuntime(ref, { preset: 'sql-express', os: { caption: 'Microsoft Windows Server 2022 Datacenter', build: 20348 }, powershellStartMs: 300 });
    const view: LabView = { hosts: () => [ref], findHost: () => ref, getHostState: () => rt.state, isUp: () => true, canConnect: () => true };
    pool = new ShimPool({ pwsh: pwsh!, size: 1 });
    executor = new LabExecutor({ host: () => rt, view, persist: async () => undefined, shim: pool });
  });
  afterAll(async () => pool?.close());

  it('answers from the host state through real PowerShell: variables, pipelines, CIM, registry, services, exit', async () => {
    const o = await run(
      [
        '$os = Get-CimInstance -ClassName Win32_OperatingSystem',
        '"{0} build {1}" -f $os.Caption, $os.BuildNumber',
        "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').EditionID",
        "Get-Service -Name 'MSSQL*' | ForEach-Object { $_.Name + '=' + $_.Status }",
        '$env:COMPUTERNAME.ToLower()',
        "Test-Path 'C:\\Windows\\System32\\inetsrv\\w3wp.exe'",
        'exit 5',
      ].join('\n'),
    );
    expect(o.output).toEqual(['Microsoft Windows Server 2022 Datacenter build 20348', 'ServerDatacenter', 'MSSQL$SQLEXPRESS=Running', 'web7', 'True']);
    expect(o.errors).toEqual([]);
    expect(o.exitCode).toBe(5);
  }, 60_000);

  it('an unknown command fails as in Windows PowerShell 5.1, with the lab saying what it does not emulate', async () => {
    const o = await run("Get-Frobnicator; 'after'");
    expect(o.output).toEqual(['after']);
    expect(o.errors[0]).toMatchObject({ category: 'ObjectNotFound', fullyQualifiedErrorId: 'CommandNotFoundException' });
    expect(o.errors[0]!.message).toMatch(/^The term 'Get-Frobnicator' is not recognized as the name of a cmdlet, function, script file, or operable program\./);
    expect(o.warnings.join('\n')).toMatch(/not emulated by the lab/);
  }, 60_000);

  it('a Linux program does not answer for a Windows one', async () => {
    const o = await run('ls /');
    expect(o.output).toEqual([]);
    expect(o.errors[0]!.fullyQualifiedErrorId).toBe('CommandNotFoundException');
  }, 60_000);

  it('stops text that outlives its timeout', async () => {
    const o = await run("Start-Sleep -Seconds 30; 'never'", 1500);
    expect(o.output).toEqual([]);
    expect(o.exitCode).toBe(1);
    expect(o.errors.map((e) => e.fullyQualifiedErrorId)).toContain('PipelineStoppedException');
  }, 60_000);

  it('a text blocked in a .NET call is given up on at its timeout, and the next text still runs', async () => {
    const o = await run("[System.Threading.Thread]::Sleep(20000); 'never'", 1000);
    expect(o.exitCode).toBe(1);
    expect(o.output).toEqual([]);
    const next = await run("'still here'");
    expect(next.output).toEqual(['still here']);
  }, 60_000);

  it('caps the output it keeps', async () => {
    const r = await pool.run({ script: "1..1000 | ForEach-Object { 'x' * 100 }", view: projectWindowsView(rt.state.machine), outputFormat: 'text', maxOutputChars: 5000 });
    expect(r.output.join('').length).toBeLessThanOrEqual(5000);
    expect(r.warnings.join('\n')).toMatch(/output cut at 5000 characters/);
  }, 60_000);

  it('through powershell.exe -EncodedCommand (Ansible raw, pywinrm run_ps): real output, the host\'s start time charged', async () => {
    const d = createPowerShellDispatcher(executor, { powershellStartMs: () => rt.profile.powershellStartMs });
    const started = Date.now();
    const r = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      let stdout = '';
      let stderr = '';
      d.start(ref, `PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ${encodeCommand("echo marker; Write-Error 'bad'")}`, [], {
        stdout: (c) => (stdout += c.toString('utf8')),
        stderr: (c) => (stderr += c.toString('utf8')),
        exit: (code) => resolve({ stdout, stderr, code }),
      });
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(r.stdout).toBe('marker\r\n');
    expect(decodeStderr(r.stderr)).toMatch(/^bad/);
    expect(r.code).toBe(1);
  }, 60_000);
});

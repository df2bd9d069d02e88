/**
 * How a Set script is held to its lab handler (docs/lab.md, "Set scripts"): the script runs against the
 * Windows shim, which hands back its view after the run; the handler changes a copy of the lab machine,
 * which is projected to a view; the two views must be equal. A view-level comparison, so no inverse
 * projection is needed, and every fact the projection covers (registry, files, services, CIM) counts.
 *
 * The script and handler here are test-only (test.shim-set: writes a file, flags a pending reboot in
 * the registry, disables a service); the install steps' Set scripts will be compared the same way.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShimHost } from '../../../src/lab/shim/shim-runner.js';
import { WindowsViewSchema } from '../../../src/lab/shim/view-schema.js';
import { projectWindowsView } from '../../../src/lab/shim/windows-view.js';
import type { LabMachine } from '../../../src/lab/state/types.js';
import { libraryText } from '../../../src/runner/scripts.js';
import { diffValues } from './diff.js';
import { comparableView, viewChanged } from './resource-harness.js';
import { presetStates } from './machines.js';
import { pwshForTests } from '../../helpers/pwsh.js';
import { withShimHost } from '../helpers.js';

const pwsh = pwshForTests('test/lab/differential (Set scripts)');

const SCRIPT = String.raw`# cortex-script: test.shim-set
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $path = [string](Get-CortexParam -Name 'path')
    $dir = Split-Path -Path $path -Parent
    if (-not (Test-Path -LiteralPath $dir -PathType Container)) { $null = New-Item -ItemType Directory -Path $dir }
    Set-Content -LiteralPath $path -Value ([string](Get-CortexParam -Name 'content')) -NoNewline -Encoding UTF8
    if (Get-CortexParam -Name 'requireReboot' -Default $false) {
        $key = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
        if (-not (Test-Path -LiteralPath $key)) { $null = New-Item -Path $key -Force }
    }
    Set-Service -Name ([string](Get-CortexParam -Name 'service')) -StartupType Disabled
    [ordered]@{ path = $path; bytes = (Get-Item -LiteralPath $path).Length }
}
`;

interface Params {
  path: string;
  content: string;
  requireReboot: boolean;
  service: string;
}

/** The handler a Set script like this would have in src/lab/handlers/: its effect on the lab machine. */
function handler(m: LabMachine, p: Params, opts: { forgetReboot?: boolean } = {}): { path: string; bytes: number } {
  // Set-Content -Encoding UTF8 in Windows PowerShell writes a byte order mark.
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(p.content, 'utf8')]);
  m.files[p.path] = createHash('sha256').update(bytes).digest('hex');
  m.fileSizes[p.path] = bytes.length;
  if (p.requireReboot && !opts.forgetReboot) m.pendingReboot = true;
  const svc = m.services.find((s) => s.name.toLowerCase() === p.service.toLowerCase());
  if (svc) svc.startType = 'Disabled';
  return { path: p.path, bytes: bytes.length };
}

let host: ShimHost;

describe.skipIf(!pwsh)('a Set script changes the shim the way its handler changes the lab', () => {
  withShimHost(pwsh!, (h) => (host = h));

  const cases: Array<[string, Params]> = [
    ['ws2019', { path: 'C:\\Cortex\\conf\\cortex.json', content: '{"tenant":"Zürich"}', requireReboot: true, service: 'W3SVC' }],
    ['workgroup', { path: 'C:\\ProgramData\\Cortex\\marker.txt', content: 'marker', requireReboot: false, service: 'WinRM' }],
    ['fat32-programdata', { path: 'D:\\ProgramData\\Cortex\\x.txt', content: '', requireReboot: true, service: 'MpsSvc' }],
  ];
  const states = new Map(presetStates().map((s) => [s.label.replace(/^preset /, ''), s.state]));

  for (const [preset, params] of cases) {
    it(`${preset}: ${params.path}`, async () => {
      const state = states.get(preset)!;
      const before = projectWindowsView(state.machine);
      const run = await host.run({ script: SCRIPT, lib: libraryText(), params: { ...params }, view: before, exportView: true });
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      const after = WindowsViewSchema.parse(run.view);
      const machine = structuredClone(state.machine);
      const data = handler(machine, params);
      expect(JSON.parse(run.output.at(-1)!)).toEqual({ ok: true, data, error: null });
      const diffs = diffValues(comparableView(projectWindowsView(machine)), comparableView(after));
      expect(diffs, diffs.join('\n')).toEqual([]);
      // The run changed something: the view is not simply handed back as it came.
      expect(viewChanged(before, after)).toBe(true);
    }, 60_000);
  }

  it('a handler that misses an effect is caught, with the registry key in the diff', async () => {
    const state = states.get('ws2019')!;
    const params = cases[0]![1];
    const run = await host.run({ script: SCRIPT, lib: libraryText(), params: { ...params }, view: projectWindowsView(state.machine), exportView: true });
    const machine = structuredClone(state.machine);
    handler(machine, params, { forgetReboot: true });
    const diffs = diffValues(comparableView(projectWindowsView(machine)), comparableView(WindowsViewSchema.parse(run.view)));
    expect(diffs).toEqual([expect.stringMatching(/^registry\.software\\microsoft\\windows\\currentversion\\component based servicing\\rebootpending: handler \(absent\) vs script \{\}$/)]);
  }, 60_000);

  it('what the shim does not model fails with "not emulated by the lab", never a made-up success', async () => {
    const state = states.get('ws2019')!;
    const run = await host.run({
      script: "Get-Content -LiteralPath 'C:\\Windows\\win.ini'",
      view: projectWindowsView(state.machine),
      outputFormat: 'text',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]?.message).toMatch(/not emulated by the lab/);
  }, 60_000);
});

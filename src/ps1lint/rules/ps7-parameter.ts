/**
 * `ps7-parameter`: parameters PowerShell 6/7 added to in-box cmdlets (ConvertFrom-Json -AsHashtable
 * and -Depth, ForEach-Object -Parallel, Invoke-WebRequest -SkipCertificateCheck, Join-Path
 * -AdditionalChildPath, the -ProgressAction common parameter, ...). 5.1 stops with "A parameter
 * cannot be found". The table comes from the cmdlets' reference pages (data/ps51-commands.ts); an
 * abbreviation is flagged only when it cannot bind to a 5.1 parameter or alias.
 */
import type { Rule } from '../types.js';
import { allCalls, bareName, parameters } from '../commands.js';
import { knownCommand } from '../data/known-commands.js';
import { PS7_ONLY_PARAMETERS } from '../data/ps51-commands.js';

const COMMON_51 = [
  'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ErrorVariable', 'WarningVariable',
  'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm',
  'vb', 'db', 'ea', 'wa', 'infa', 'ev', 'wv', 'iv', 'ov', 'ob', 'pv', 'wi', 'cf',
].map((p) => p.toLowerCase());

const table = new Map(Object.entries(PS7_ONLY_PARAMETERS).map(([k, v]) => [k.toLowerCase(), v]));

export const ps7ParameterRule: Rule = (ctx) => {
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name') continue;
    const name = bareName(call.target.name);
    const known = knownCommand(name);
    const entry = known ? table.get(known.name.toLowerCase()) : undefined;
    for (const { name: given, node } of parameters(call)) {
      if (given.length === 0) continue;
      const bindsIn51 = (p: string): boolean => p.toLowerCase().startsWith(given);
      if (given.length >= 9 && 'progressaction'.startsWith(given)) {
        ctx.report(node, 'ps7-parameter',
          `-ProgressAction is a PowerShell 7.4 common parameter; in 5.1 set $ProgressPreference = 'SilentlyContinue' instead`);
        continue;
      }
      if (!entry) continue;
      const added = entry.ps7Only.filter(bindsIn51);
      if (added.length === 0 || entry.ps51.some(bindsIn51) || COMMON_51.some(bindsIn51)) continue;
      ctx.report(node, 'ps7-parameter',
        `${known?.name} -${added.join('/-')} exists only in PowerShell 6 and later; Windows PowerShell 5.1 stops with "A parameter cannot be found"${HINTS[`${known?.name.toLowerCase()} ${added[0]?.toLowerCase()}`] ?? ''}`);
    }
  }
};

/** How to get the same in 5.1, for the parameters scripts reach for. */
const HINTS: Record<string, string> = {
  'convertfrom-json ashashtable': '; read the PSCustomObject (or $obj.PSObject.Properties) instead',
  'convertfrom-json depth': '; 5.1 has no depth limit to raise here, drop it',
  'convertfrom-json noenumerate': '; wrap the result in @() where an array is needed',
  'foreach-object parallel': '; loop sequentially, or use Start-Job',
  'invoke-webrequest skipcertificatecheck': '; use a ServerCertificateValidationCallback scoped to the call, or trust the CA',
  'invoke-restmethod skipcertificatecheck': '; use a ServerCertificateValidationCallback scoped to the call, or trust the CA',
  'join-path additionalchildpath': '; nest Join-Path calls or use [IO.Path]::Combine',
  'get-content asbytestream': '; use -Encoding Byte',
  'set-content asbytestream': '; use -Encoding Byte',
  'add-content asbytestream': '; use -Encoding Byte',
  'split-path leafbase': '; use [IO.Path]::GetFileNameWithoutExtension',
  'split-path extension': '; use [IO.Path]::GetExtension',
  'get-date asutc': "; use (Get-Date).ToUniversalTime()",
  'start-process environment': '; set $env:NAME before Start-Process',
};

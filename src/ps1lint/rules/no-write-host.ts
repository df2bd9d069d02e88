/**
 * `no-write-host`: Write-Host writes to the information stream, never to the result. Applies to
 * probe, resource, step and lib scripts (lib code runs inside them) and any other script; not to
 * ps1/bootstrap, which owns the host process's streams.
 */
import type { Rule } from '../types.js';
import { allCalls, bareName } from '../commands.js';

export const noWriteHostRule: Rule = (ctx) => {
  if (ctx.kind === 'bootstrap') return;
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name' || bareName(call.target.name).toLowerCase() !== 'write-host') continue;
    ctx.report(call.nameNode, 'no-write-host',
      'Write-Host output goes to the information stream and never reaches the result; put the data in the result object, or use Write-Verbose for diagnostics');
  }
};

/**
 * `ps7-syntax`: language that PowerShell 7 accepts and Windows PowerShell 5.1 does not, where the
 * parser reads it without an error (so `syntax` cannot catch it): the pipeline chain operators `&&`
 * and `||`, and the automatic variables 6/7 added ($IsWindows, $PSStyle, ...). Under
 * `Set-StrictMode -Version Latest` 5.1 stops on such a variable ("has not been set"); without strict
 * mode it is silently $null. The operators `??`, `??=`, `?.` and `a ? b : c` fail to parse and are
 * named in the `syntax` message. A variable the script guards with `Test-Path variable:NAME` passes.
 */
import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { kids, variableName } from '../tree.js';

const PS7_VARIABLES = new Map([
  ['iswindows', "5.1 runs only on Windows: drop the test, or use [Environment]::OSVersion.Platform"],
  ['islinux', '5.1 runs only on Windows'],
  ['ismacos', '5.1 runs only on Windows'],
  ['iscoreclr', "use $PSVersionTable.PSEdition -eq 'Core'"],
  ['psstyle', '5.1 has no ANSI rendering settings'],
  ['psnativecommandargumentpassing', '5.1 always passes native arguments the legacy way: run programs through Invoke-CortexNative'],
  ['psnativecommanduseerroractionpreference', "5.1 never applies $ErrorActionPreference to native programs: check $LASTEXITCODE"],
  ['enabledexperimentalfeatures', '5.1 has no experimental features'],
]);

function descendants(node: Node, type: string, out: Node[] = []): Node[] {
  for (const child of kids(node)) {
    if (child.type === type) out.push(child);
    descendants(child, type, out);
  }
  return out;
}

export const ps7SyntaxRule: Rule = (ctx) => {
  for (const tail of descendants(ctx.index.root, 'pipeline_chain_tail')) {
    const op = tail.text.trim() || '&&';
    ctx.report(tail, 'ps7-syntax',
      `'${op}' (a pipeline chain operator) exists only in PowerShell 7; in 5.1 run the second command in an if on the first's success (if ($?) { ... } or a check of $LASTEXITCODE)`);
  }
  for (const v of ctx.index.variables) {
    const name = variableName(v).toLowerCase();
    const hint = PS7_VARIABLES.get(name);
    if (!hint) continue;
    // A script that asks first (`Test-Path variable:PSStyle`) uses it only where it exists.
    if (new RegExp(`\\bvariable:${name}\\b`, 'i').test(ctx.text)) continue;
    ctx.report(v, 'ps7-syntax', `${v.text} is an automatic variable of PowerShell 6 and later; under strict mode 5.1 stops on it, without it it is $null: ${hint}`);
  }
};

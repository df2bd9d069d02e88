/**
 * `known-command`: every command is a Windows PowerShell 5.1 in-box cmdlet (data/ps51-commands.ts),
 * a function defined in ps1/lib or in the same script, or an allow-listed native executable.
 * Catches typos and PowerShell 7-only cmdlets that would fail only on a real host.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { Rule } from '../types.js';
import { allCalls, bareName, isExpressionMisreadAsCommand } from '../commands.js';
import { aliasTarget } from '../data/aliases.js';
import { KNOWN_COMMAND_NAMES, knownCommand } from '../data/known-commands.js';
import { NATIVE_EXECUTABLES } from '../data/native-executables.js';
import { PS7_ONLY } from '../data/ps7-only.js';
import { definedFunctions } from './functions.js';

const NATIVE_EXT = /\.(exe|bat|cmd|com)$/i;

export const knownCommandRule: Rule = (ctx) => {
  const local = definedFunctions(ctx.index);
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name') continue;
    const name = bareName(call.target.name);
    const lower = name.toLowerCase();
    if (isExpressionMisreadAsCommand(name) || /\.ps1$/i.test(name)) continue;
    if (aliasTarget(name) !== undefined) continue; // no-alias reports it
    if (knownCommand(name) || local.has(lower) || ctx.lib.functions.has(lower)) continue;
    if (NATIVE_EXT.test(name)) {
      if (NATIVE_EXECUTABLES.has(lower)) continue;
      ctx.report(call.nameNode, 'known-command',
        `native program '${name}' is not on the allow-list; add it with a reason to src/ps1lint/data/native-executables.ts, or call it by its full path`);
      continue;
    }
    const withExtension = ['.exe', '.bat', '.cmd'].map((e) => lower + e).find((n) => NATIVE_EXECUTABLES.has(n));
    if (withExtension) {
      ctx.report(call.nameNode, 'known-command', `write '${withExtension}' with its extension: a bare '${name}' can resolve to a function, alias or script first`);
      continue;
    }
    const ps7 = PS7_ONLY[lower];
    if (ps7 !== undefined) {
      ctx.report(call.nameNode, 'known-command', `'${name}' does not exist in Windows PowerShell 5.1 (PowerShell 6+ only); ${ps7}`);
      continue;
    }
    const candidates = [...KNOWN_COMMAND_NAMES, ...local.values(), ...ctx.lib.functions.values(), ...NATIVE_EXECUTABLES];
    const lowered = candidates.map((c) => c.toLowerCase());
    const nearestLower = closest(lower, lowered);
    const nearest = candidates[lowered.indexOf(nearestLower)] ?? nearestLower;
    const near = distance(lower, nearestLower) <= Math.max(2, Math.floor(name.length / 3));
    ctx.report(call.nameNode, 'known-command',
      `'${name}' is not a Windows PowerShell 5.1 command, a ps1/lib function or an allow-listed program; ${near ? `did you mean ${nearest}?` : 'use an in-box cmdlet or define the function in ps1/lib'}`);
  }
};

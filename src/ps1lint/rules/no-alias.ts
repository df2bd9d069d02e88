/** `no-alias`: commands are spelled out; 5.1's default aliases are listed in data/aliases.ts. */
import type { Rule } from '../types.js';
import { allCalls } from '../commands.js';
import { aliasTarget } from '../data/aliases.js';

export const noAliasRule: Rule = (ctx) => {
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name') continue;
    const full = aliasTarget(call.target.name);
    if (full === undefined) continue;
    ctx.report(call.nameNode, 'no-alias', `'${call.target.name}' is an alias; write ${full}`);
  }
};

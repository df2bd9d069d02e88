/** `no-alias`: commands are spelled out; 5.1's default aliases are listed in data/aliases.ts. */
import type { Rule } from '../types.js';
import { describeCommand } from '../commands.js';
import { aliasTarget } from '../data/aliases.js';

export const noAliasRule: Rule = (ctx) => {
  for (const node of ctx.index.commands) {
    const call = describeCommand(node);
    if (call?.target.kind !== 'name') continue;
    const full = aliasTarget(call.target.name);
    if (full === undefined) continue;
    ctx.report(call.nameNode, 'no-alias', `'${call.target.name}' is an alias; write ${full}`);
  }
};

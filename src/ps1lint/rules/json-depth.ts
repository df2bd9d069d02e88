/** `json-depth`: ConvertTo-Json defaults to -Depth 2 in 5.1 and silently flattens deeper values to type names. */
import type { Rule } from '../types.js';
import { allCalls, bareName, parameterNames } from '../commands.js';

export const jsonDepthRule: Rule = (ctx) => {
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name' || bareName(call.target.name).toLowerCase() !== 'convertto-json') continue;
    const hasDepth = parameterNames(call).some((p) => p.length >= 3 && 'depth'.startsWith(p));
    if (!hasDepth) {
      ctx.report(call.nameNode, 'json-depth',
        'ConvertTo-Json without -Depth keeps only 2 levels and turns deeper objects into type-name strings; pass -Depth 10 (or what the result needs)');
    }
  }
};

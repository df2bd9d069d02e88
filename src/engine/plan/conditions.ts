/** `when:` evaluated for one host, with the facts read at plan time (a pure function of its inputs). */
import type { Inventory } from '../../inventory/types.js';
import { evaluate, ExprEvalError, isTruthy } from '../expr/evaluate.js';
import { pathsOf } from '../expr/parse.js';
import { hostScope, inventoryScope } from '../playbook/scope.js';
import type { Playbook, Step } from '../playbook/types.js';

export type ConditionResult = { holds: boolean } | { error: string };

export class ConditionContext {
  private readonly shared;
  constructor(
    inv: Inventory,
    private readonly pb: Playbook,
  ) {
    this.shared = inventoryScope(inv);
  }

  scopeOf(host: string, facts: unknown): Record<string, unknown> {
    return { ...hostScope(this.shared, host, this.pb.vars[host] ?? {}), facts: facts ?? {} };
  }

  evaluate(step: Step, host: string, facts: unknown): ConditionResult {
    if (!step.when) return { holds: true };
    try {
      return { holds: isTruthy(evaluate(step.when.expr, this.scopeOf(host, facts))) };
    } catch (err) {
      if (err instanceof ExprEvalError) return { error: `when: ${step.when.text}: ${err.message}` };
      throw err;
    }
  }
}

/** The fact paths a step's condition reads (what a saved plan must record to detect drift). */
export function factPathsOf(step: Step): string[] {
  if (!step.when) return [];
  return pathsOf(step.when.expr)
    .filter((p) => p.segments[0] === 'facts')
    .map((p) => p.segments.slice(1).join('.'));
}

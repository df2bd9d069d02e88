/**
 * The exit code of `plan` (docs/exit-codes.md). Without --detailed-exitcode: 0, or 1 when a step
 * could not be planned, or 2 when a host was unreachable. With it, as Terraform does: 0 no changes,
 * 2 changes, 1 any error, an unreachable host included (so CI wrappers written for Terraform read it right).
 */
import { ExitCode, worstExitCode, type ExitCodeValue } from '../../exit-codes.js';
import type { Plan } from './plan.js';

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'none');
}

export function planExitCode(plan: Plan, detailed: boolean): 0 | 1 | 2 | 3 {
  // A refused upgrade: the inventory's versions ask for a jump the cluster cannot take (invalid input).
  if (plan.summary.refused > 0) return ExitCode.InvalidInput as 3;
  const errors = plan.summary.errors > 0;
  const unreachable = plan.summary.unreachable > 0;
  if (detailed) {
    if (errors || unreachable) return 1;
    return hasChanges(plan) ? 2 : 0;
  }
  const codes: ExitCodeValue[] = [ExitCode.Ok];
  if (errors) codes.push(ExitCode.Failed);
  if (unreachable) codes.push(ExitCode.Unreachable);
  return worstExitCode(codes) as 0 | 1 | 2;
}

/**
 * The process exit codes of every cortex-deploy command (docs/exit-codes.md).
 * One place: the CLI, the docs test and the error classes all import from here.
 */
export const ExitCode = {
  /** Success: nothing failed. */
  Ok: 0,
  /** A check or a step failed on some host. */
  Failed: 1,
  /** A host was unreachable or could not authenticate. */
  Unreachable: 2,
  /** Invalid input: inventory, playbook or flags. */
  InvalidInput: 3,
  /** Internal error: a bug in cortex-deploy. */
  Internal: 4,
  /** Interrupted (SIGINT or SIGTERM; 128 + 2, as shells report Ctrl-C). */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeDescriptions: Record<ExitCodeValue, string> = {
  0: 'success; nothing failed',
  1: 'a check or step failed on some host',
  2: 'a host was unreachable or could not authenticate',
  3: 'invalid input (inventory, playbook, flags)',
  4: 'internal error',
  130: 'interrupted (Ctrl-C or SIGTERM): running work stopped, sessions closed, partial report written',
};

/** The worst of several outcomes wins: 130 outranks all, 3 and 4 outrank 2, which outranks 1. */
export function worstExitCode(codes: Iterable<ExitCodeValue>): ExitCodeValue {
  const rank: Record<ExitCodeValue, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 130: 5 };
  let worst: ExitCodeValue = ExitCode.Ok;
  for (const c of codes) if (rank[c] > rank[worst]) worst = c;
  return worst;
}

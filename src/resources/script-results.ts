/**
 * What the resource scripts under ps1/resources/ print (docs/scripts.md, "Resource scripts"):
 * - `resources.test-batch`: every Test of one host in one phase in one round trip; per step either the
 *   current state (its type's `state` schema) or that step's error;
 * - `resources.<type>` (underscores as dashes): the Set of one step, which makes the change and says
 *   whether it needs a reboot. A Set that fails prints the envelope's error instead.
 */
import { z } from 'zod';
import type { ResourceTypeName } from './index.js';

export const TEST_BATCH_SCRIPT = 'resources.test-batch';

/** The Set script of a resource type: `resources.windows-feature` for windows_feature. */
export function setScriptId(type: ResourceTypeName): string {
  return `resources.${type.replace(/_/g, '-')}`;
}

export const TestBatchRequest = z.object({ step: z.string().min(1), resource: z.string(), params: z.unknown() });

const StateAnswer = z.strictObject({ step: z.string(), state: z.unknown() }).refine((a) => 'state' in a, { message: 'state is missing' });
const ErrorAnswer = z.strictObject({ step: z.string(), error: z.string().min(1) });

export const TestBatchData = z.object({
  /** One answer per request, in the order of the requests. */
  results: z.array(z.union([StateAnswer, ErrorAnswer])),
});
export type TestBatchData = z.infer<typeof TestBatchData>;

export const SetResultData = z.object({
  /** Installer exit code 3010/1641, or a pending-reboot marker that the change set. */
  rebootRequired: z.boolean(),
  /** The installer's or program's exit code, when the change ran one. */
  exitCode: z.number().int().nullable(),
  /** What was done, one line. */
  message: z.string().nullable(),
});
export type SetResultData = z.infer<typeof SetResultData>;

// Models ps1/resources/test-batch.ps1: every resource Test of one host in one phase, in one round trip.
// Each request is answered by its type's model (./resources/index.ts) in request order; one step's
// failure (a missing parameter, an unknown type) is that step's error and the others still answer,
// with the script's own messages. Read-only.
import { resourcesTestBatch as contract } from '../../scripts/catalog.js';
import { RESOURCE_TYPES } from '../../resources/index.js';
import { resourceModel } from './resources/index.js';
import { resourceParam, psString } from './resources/params.js';
import { LabResourceError, type ResourceModelContext } from './resources/types.js';
import { defineHandler } from './types.js';

const SCRIPT = 'resources.test-batch';

type Answer = { step: string; state: unknown } | { step: string; error: string };

/** One request's answer, as the script's loop body gives it. */
export function answerRequest(request: unknown, ctx: Omit<ResourceModelContext, 'params'>): Answer {
  const step = psString(resourceParam(request, SCRIPT, 'step', { default: '' }));
  try {
    if (step === '') throw new LabResourceError(`${SCRIPT}: a request has no step`);
    const type = psString(resourceParam(request, SCRIPT, 'resource', { required: true }));
    const params = resourceParam(request, type, 'params', { default: {} });
    // switch -CaseSensitive: 'Service' is not a type.
    if (!(RESOURCE_TYPES as readonly string[]).includes(type)) throw new LabResourceError(`${SCRIPT}: unknown resource type ${type}`);
    const model = resourceModel(type);
    if (!model) throw new LabResourceError(`${SCRIPT}: the Test of resource type ${type}: not emulated by the lab (see docs/lab.md, "Resource scripts")`);
    return { step, state: model.read({ ...ctx, params: (params ?? {}) as Record<string, unknown> }) };
  } catch (err) {
    if (err instanceof LabResourceError) return { step, error: err.message.trim() };
    throw err;
  }
}

export const resourcesTestBatch = defineHandler({
  contract,
  defaultDurationMs: 30,
  setType: false,
  run: ({ state, params, host, lab, now }) => ({
    ok: true,
    data: { results: params.requests.map((r) => answerRequest(r, { machine: state.machine, host, lab, now })) },
  }),
});

/**
 * The handler of a resource type's Set script (resources.<type>, ps1/resources/<type>.ps1), built on the
 * type's model (./index.ts): the model changes the machine, the handler reports whether anything
 * changed (a Set that changes nothing is not persisted) and turns the model's LabResourceError into the
 * envelope's error, as the script prints it.
 */
import { setScriptId, type ResourceTypeName } from '../../../resources/index.js';
import { RESOURCE_SET_SCRIPTS } from '../../../scripts/catalog.js';
import { defineHandler, type LabHandler } from '../types.js';
import { resourceModel } from './index.js';
import { LabResourceError } from './types.js';

/** Milliseconds a Set takes in the lab unless the profile's scriptDurationMs says otherwise. */
export const DEFAULT_SET_DURATION_MS = 20;

export function resourceSetHandler(type: ResourceTypeName): LabHandler<Record<string, unknown>> {
  const id = setScriptId(type);
  const contract = RESOURCE_SET_SCRIPTS.find((c) => c.id === id);
  if (!contract) throw new Error(`no script contract ${id} in src/scripts/catalog.ts`);
  const model = resourceModel(type);
  if (!model?.set) throw new Error(`the lab has no Set model for resource type ${type} (src/lab/handlers/resources/)`);
  const set = model.set.bind(model);
  return defineHandler({
    contract,
    defaultDurationMs: DEFAULT_SET_DURATION_MS,
    setType: true,
    run: ({ state, params, host, lab, now, downloaded, faults }) => {
      const before = JSON.stringify(state.machine);
      try {
        const data = set({ machine: state.machine, params: params as Record<string, unknown>, host, lab, now, ...(downloaded ? { downloaded } : {}), faults });
        return { ok: true, data, changed: JSON.stringify(state.machine) !== before };
      } catch (err) {
        if (err instanceof LabResourceError) return { ok: false, error: { message: err.message, category: err.category } };
        throw err;
      }
    },
  }) as LabHandler<Record<string, unknown>>;
}

// Models ps1/resources/service.ps1: the startup type and the run state of an installed service, with Windows' refusals.
// The effect is the service model's Set (./resources/service.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesService = resourceSetHandler('service');

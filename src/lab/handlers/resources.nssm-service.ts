// Models ps1/resources/nssm-service.ps1: nssm install, then nssm set/reset for each parameter that differs.
// The effect is the nssm_service model's Set (./resources/nssm-service.ts, over src/lab/components/nssm.ts),
// held to the script by test/lab/differential/lb-db.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesNssmService = resourceSetHandler('nssm_service');

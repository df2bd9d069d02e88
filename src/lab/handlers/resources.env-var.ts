// Models ps1/resources/env-var.ps1: a machine-scope environment variable, set or removed.
// The effect is the env_var model's Set (./resources/env-var.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesEnvVar = resourceSetHandler('env_var');

// Models ps1/resources/registry-value.ps1: one registry value (HKLM in either view, or HKCU) written with its type, or removed.
// The effect is the registry_value model's Set (./resources/registry-value.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesRegistryValue = resourceSetHandler('registry_value');

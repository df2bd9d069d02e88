// Models ps1/resources/directory.ps1: a folder created with its parents, or deleted with its content.
// The effect is the directory model's Set (./resources/directory.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesDirectory = resourceSetHandler('directory');

// Models ps1/resources/file.ps1: the staged upload checked by SHA-256 and moved into place (parent folder created), or the file deleted.
// The effect is the file model's Set (./resources/file.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesFile = resourceSetHandler('file');

// Models ps1/resources/exec.ps1: the Set of the exec resource, on its lab model (./resources/exec.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesExec = resourceSetHandler('exec');

// Models ps1/resources/package.ps1: the Set of the package resource, on its lab model (./resources/package.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesPackage = resourceSetHandler('package');

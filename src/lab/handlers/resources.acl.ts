// Models ps1/resources/acl.ps1: the Set of the acl resource, on its lab model (./resources/acl.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesAcl = resourceSetHandler('acl');

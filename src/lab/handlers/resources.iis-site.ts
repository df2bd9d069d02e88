// Models ps1/resources/iis-site.ps1: the Set of the iis_site resource, on its lab model (./resources/iis-site.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesIisSite = resourceSetHandler('iis_site');

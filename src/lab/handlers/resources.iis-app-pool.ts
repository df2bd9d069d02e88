// Models ps1/resources/iis-app-pool.ps1: the Set of the iis_app_pool resource, on its lab model (./resources/iis-app-pool.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesIisAppPool = resourceSetHandler('iis_app_pool');

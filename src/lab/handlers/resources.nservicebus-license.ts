// Models ps1/resources/nservicebus-license.ps1: the Set of the nservicebus_license resource, on its lab model (./resources/nservicebus-license.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesNservicebusLicense = resourceSetHandler('nservicebus_license');

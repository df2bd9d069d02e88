// Models ps1/resources/service-fabric-application.ps1: the Set of the service_fabric_application resource, on its lab model (./resources/service-fabric-application.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesServiceFabricApplication = resourceSetHandler('service_fabric_application');

// Models ps1/resources/service-fabric-restart.ps1: an application's code packages restarted node by node,
// on the service_fabric_restart model (./resources/service-fabric-restart.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesServiceFabricRestart = resourceSetHandler('service_fabric_restart');

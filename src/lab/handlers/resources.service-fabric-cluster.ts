// Models ps1/resources/service-fabric-cluster.ps1: the Set of the service_fabric_cluster resource, on its lab model (./resources/service-fabric-cluster.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesServiceFabricCluster = resourceSetHandler('service_fabric_cluster');

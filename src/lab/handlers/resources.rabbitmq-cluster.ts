// Models ps1/resources/rabbitmq-cluster.ps1: the Set of the rabbitmq_cluster resource, on its lab model (./resources/rabbitmq.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesRabbitmqCluster = resourceSetHandler('rabbitmq_cluster');

// Models ps1/resources/rabbitmq-config.ps1: the Set of the rabbitmq_config resource, on its lab model (./resources/rabbitmq.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesRabbitmqConfig = resourceSetHandler('rabbitmq_config');

// Models ps1/resources/rabbitmq-plugin.ps1: the Set of the rabbitmq_plugin resource, on its lab model (./resources/rabbitmq.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesRabbitmqPlugin = resourceSetHandler('rabbitmq_plugin');

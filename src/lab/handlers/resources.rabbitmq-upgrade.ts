// Models ps1/resources/rabbitmq-upgrade.ps1: the Set of the rabbitmq_upgrade resource, on its lab model (./resources/rabbitmq-upgrade.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesRabbitmqUpgrade = resourceSetHandler('rabbitmq_upgrade');

// Models ps1/resources/nservicebus-queues.ps1: rabbitmq-transport delays create and endpoint create on the broker's vhost.
// The effect is the nservicebus_queues model's Set (./resources/nservicebus-queues.ts, over
// src/lab/components/nservicebus.ts), held to the script by test/lab/differential/lb-db.differential.test.ts.
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesNservicebusQueues = resourceSetHandler('nservicebus_queues');

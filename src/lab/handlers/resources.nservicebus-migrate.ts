// Models ps1/resources/nservicebus-migrate.ps1: the broker-side migrations of a transport upgrade, on the
// nservicebus_migrate model (./resources/nservicebus-migrate.ts, over src/lab/components/nservicebus.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesNservicebusMigrate = resourceSetHandler('nservicebus_migrate');

// Models ps1/resources/gobetween-backend.ps1: the Set of the gobetween_backend resource, on its lab model (./resources/gobetween-backend.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesGobetweenBackend = resourceSetHandler('gobetween_backend');

// Models ps1/resources/archive.ps1: the Set of the archive resource, on its lab model (./resources/archive.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesArchive = resourceSetHandler('archive');

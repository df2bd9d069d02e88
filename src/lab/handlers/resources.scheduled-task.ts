// Models ps1/resources/scheduled-task.ps1: the Set of the scheduled_task resource, on its lab model (./resources/scheduled-task.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesScheduledTask = resourceSetHandler('scheduled_task');

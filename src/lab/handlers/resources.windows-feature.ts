// Models ps1/resources/windows-feature.ps1: the Set of the windows_feature resource, on its lab model (./resources/windows-feature.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesWindowsFeature = resourceSetHandler('windows_feature');

/**
 * directory: the Test (test-batch.ps1's Get-CortexDirectoryState) and the Set (ps1/resources/directory.ps1)
 * on the machine's files and folders (./files.ts): create it with its parents, or delete it with
 * everything in it; a file in the way is an error, never replaced.
 */
import { createDirectory, removeItem, testPath } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

export const directoryModel = defineResourceModel({
  type: 'directory',
  read: ({ machine, params }) => {
    const path = psString(resourceParam(params, 'directory', 'path', { required: true }));
    return { exists: testPath(machine, path), isDirectory: testPath(machine, path, 'Container') };
  },
  set: ({ machine, params }) => {
    const path = stringParam(params, 'directory', 'path', { required: true });
    const state = stringParam(params, 'directory', 'state', { default: 'present' });
    if (!['present', 'absent'].includes(state)) throw new LabResourceError(`directory: parameter state must be present or absent, not ${state}`);
    if (testPath(machine, path, 'Leaf')) throw new LabResourceError(`directory: ${path} is a file; remove it (file resource, state: absent) before creating or removing a folder there`);
    if (state === 'absent') {
      if (testPath(machine, path, 'Container')) removeItem(machine, path);
      return setResult(`deleted ${path}`);
    }
    createDirectory(machine, path);
    return setResult(`created ${path}`);
  },
});

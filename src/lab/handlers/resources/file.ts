/**
 * file: the Test (test-batch.ps1's Get-CortexFileState) and the Set (ps1/resources/file.ps1) on the
 * machine's files (./files.ts). The content arrives before the Set: the runner uploads it to stagedPath
 * (runner.receive-file records it in `files`); the Set checks its SHA-256, creates the parent folder and
 * moves it into place. Content given as text (`content`) is written, as UTF-8 without BOM, beside the path
 * (Write-CortexFileBytes) and moved into place the same way. Absent: the file is deleted. A folder at the
 * path is an error.
 */
import { createHash } from 'node:crypto';
import { createDirectory, findFile, moveFile, parentPath, removeItem, testPath, writeFileBytes } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

export const fileModel = defineResourceModel({
  type: 'file',
  read: ({ machine, params }) => {
    const path = psString(resourceParam(params, 'file', 'path', { required: true }));
    if (!testPath(machine, path, 'Leaf')) return { exists: false, sha256: null };
    return { exists: true, sha256: findFile(machine, path)!.sha256 };
  },
  set: ({ machine, params }) => {
    const path = stringParam(params, 'file', 'path', { required: true });
    const state = stringParam(params, 'file', 'state', { default: 'present' });
    if (!['present', 'absent'].includes(state)) throw new LabResourceError(`file: parameter state must be present or absent, not ${state}`);
    if (testPath(machine, path, 'Container')) throw new LabResourceError(`file: ${path} is a folder; a file resource does not replace or delete folders`);
    if (state === 'absent') {
      if (testPath(machine, path, 'Leaf')) removeItem(machine, path);
      return setResult(`deleted ${path}`);
    }
    const sha256 = stringParam(params, 'file', 'sha256', { required: true }).toLowerCase();
    const content = resourceParam(params, 'file', 'content');
    if (content !== null && content !== undefined) {
      const bytes = Buffer.from(psString(content), 'utf8');
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== sha256) throw new LabResourceError(`file: the content has SHA-256 ${actual}, not the ${sha256} the step wants; the params were changed on the way`);
      const parent = parentPath(path);
      if (parent && !testPath(machine, parent, 'Container')) createDirectory(machine, parent);
      const written = `${path}.cortex-content`;
      writeFileBytes(machine, written, actual, bytes.length);
      moveFile(machine, written, path);
      return setResult(`wrote ${path} (${bytes.length} bytes)`);
    }
    const staged = stringParam(params, 'file', 'stagedPath', { required: true });
    if (!testPath(machine, staged, 'Leaf')) throw new LabResourceError(`file: the staged copy ${staged} is missing; the source is uploaded there before this step runs`);
    const actual = findFile(machine, staged)!.sha256;
    if (actual !== sha256) throw new LabResourceError(`file: the staged copy ${staged} has SHA-256 ${actual}, not the ${sha256} the step wants; check the artifact`);
    const parent = parentPath(path);
    if (parent && !testPath(machine, parent, 'Container')) createDirectory(machine, parent);
    moveFile(machine, staged, path);
    return setResult(`placed ${path}`);
  },
});

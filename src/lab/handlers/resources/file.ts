/**
 * file: the Test (test-batch.ps1's Get-CortexFileState) and the Set (ps1/resources/file.ps1) on the
 * machine's files (./files.ts). Content given as text (`content`) is written, as UTF-8 without BOM, beside
 * the path (Write-CortexFileBytes) and moved into place. Otherwise the content arrives before the Set, the runner uploading it to stagedPath
 * (runner.receive-file records it in `files`), or the Set downloads it (`download`: the pull server; the
 * handler fetched it, ctx.downloaded) to <path>.cortex-download; the Set checks its SHA-256, creates the
 * parent folder and moves it into place (a download that differs is deleted). Absent: the file is
 * deleted. A folder at the path is an error.
 */
import { createHash } from 'node:crypto';
import { createDirectory, findFile, moveFile, parentPath, removeItem, testPath, writeFile, writeFileBytes } from './files.js';
import { resourceParam, stringParam, psString } from './params.js';
import { configText } from '../runner.receive-file.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

export const fileModel = defineResourceModel({
  type: 'file',
  read: ({ machine, params }) => {
    const path = psString(resourceParam(params, 'file', 'path', { required: true }));
    if (!testPath(machine, path, 'Leaf')) return { exists: false, sha256: null };
    return { exists: true, sha256: findFile(machine, path)!.sha256 };
  },
  set: ({ machine, params, downloaded }) => {
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
      const contentParent = parentPath(path);
      if (contentParent && !testPath(machine, contentParent, 'Container')) createDirectory(machine, contentParent);
      const written = `${path}.cortex-content`;
      writeFileBytes(machine, written, actual, bytes.length);
      // A configuration a program reads later (ClusterConfig.json for TestConfiguration): its text, as an upload's.
      const text = configText(path, bytes);
      if (text !== null) (machine.fileTexts ??= {})[actual] = text;
      moveFile(machine, written, path);
      return setResult(`wrote ${path} (${bytes.length} bytes)`);
    }
    const download = resourceParam(params, 'file', 'download');
    const parent = parentPath(path);
    let staged: string;
    if (download !== null) {
      const url = stringParam(download, 'file download', 'url', { required: true });
      stringParam(download, 'file download', 'token', { required: true });
      stringParam(download, 'file download', 'thumbprint', { required: true });
      if (parent && !testPath(machine, parent, 'Container')) createDirectory(machine, parent);
      staged = `${path}.cortex-download`;
      if (!downloaded) throw new LabResourceError(`file: a download is not emulated here (no lab handler fetched ${url})`);
      let got;
      try {
        got = downloaded(url);
      } catch (err) {
        throw new LabResourceError((err as Error).message);
      }
      writeFile(machine, staged, got.sha256, got.length);
      if (got.sha256 !== sha256) {
        removeItem(machine, staged);
        throw new LabResourceError(`file: on ${machine.computerName}, the copy of ${path} downloaded from ${url} has SHA-256 ${got.sha256}, not the ${sha256} the step wants (changed in the store or in transit); ${path} was not changed`);
      }
    } else {
      staged = stringParam(params, 'file', 'stagedPath', { required: true });
      if (!testPath(machine, staged, 'Leaf')) throw new LabResourceError(`file: the staged copy ${staged} is missing; the source is uploaded there before this step runs`);
      const actual = findFile(machine, staged)!.sha256;
      if (actual !== sha256) throw new LabResourceError(`file: on ${machine.computerName}, the staged copy ${staged} has SHA-256 ${actual}, not the ${sha256} the step wants; check the artifact`);
      if (parent && !testPath(machine, parent, 'Container')) createDirectory(machine, parent);
    }
    moveFile(machine, staged, path);
    return setResult(`placed ${path}`);
  },
});

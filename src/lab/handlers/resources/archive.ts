/**
 * archive (ps1/resources/archive.ps1; its Test in test-batch.ps1's Get-CortexArchiveState). The lab
 * keeps files as hashes, so it knows what a zip holds only when the zip is one of its synthetic artifacts
 * (src/lab/artifacts/): that one extracts its listed entries; any other is not emulated. The marker
 * (.cortex-archive.sha256, the zip's SHA-256 as ASCII) is a file whose text the lab can read back because
 * it is a known zip's hash. Emptying the destination first (clean) lists the folder with Get-ChildItem,
 * which the shim does not model yet: not emulated. A file a running service's process runs (its program,
 * or the one NSSM starts) is not overwritten, as Windows refuses: `stopServices` stops those services
 * first (the ones running) and starts them again after.
 */
import { labCatalog, textFile } from '../../artifacts/catalog.js';
import type { LabMachine } from '../../state/types.js';
import { psBool } from './bool.js';
import { createDirectory, findFile, notEmulated, removeItem, shimPath, testPath } from './files.js';
import { resourceParam, stringParam } from './params.js';
import { findService, runningServiceUsing, startService, stopService } from './service.js';
import { defineResourceModel, LabResourceError, setResult } from './types.js';

const R = 'archive';
export const MARKER = '.cortex-archive.sha256';

/** A list parameter as `@(...)` reads it: a single value is a list of one. */
const listParam = (v: unknown): string[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]).map(String);

/** The shim's Join-Path. */
const joinPath = (a: string, b: string) => `${a.replace(/[\\/]+$/, '')}\\${b.replace(/^[\\/]+/, '')}`;

/** The text of a file whose bytes the lab can tell: a marker holding a known zip's SHA-256 (ASCII). */
export function knownText(sha256: string): string | undefined {
  for (const [zipSha, a] of labCatalog().byHash) if (a.type === 'archive' && textFile(zipSha).sha256 === sha256.toLowerCase()) return zipSha;
  return undefined;
}

function writeText(m: LabMachine, path: string, text: string): void {
  const f = textFile(text);
  const existing = findFile(m, path);
  const key = existing && !existing.system ? existing.path : shimPath(path);
  m.files[key] = f.sha256;
  m.fileSizes[key] = f.length;
}

export const archiveModel = defineResourceModel({
  type: 'archive',
  read: ({ machine: m, params }) => {
    const destination = stringParam(params, R, 'destination', { required: true });
    const exists = testPath(m, destination, 'Container');
    const markerPath = joinPath(destination, MARKER);
    if (!exists || !testPath(m, markerPath, 'Leaf')) return { destinationExists: exists, markerSha256: null };
    const file = findFile(m, markerPath)!;
    const text = knownText(file.sha256);
    if (text === undefined) throw notEmulated(`Get-Content ${markerPath} (the lab keeps a file's length and SHA-256, not its bytes)`);
    return { destinationExists: true, markerSha256: text.trim().toLowerCase() };
  },
  set: ({ machine: m, params }) => {
    const source = stringParam(params, R, 'source', { required: true });
    const destination = stringParam(params, R, 'destination', { required: true });
    const sha256 = stringParam(params, R, 'sha256', { required: true }).toLowerCase();
    const clean = psBool(resourceParam(params, R, 'clean', { default: false }));
    if (!testPath(m, source, 'Leaf')) throw new LabResourceError(`archive: the zip ${source} is not on the host; upload it in an earlier step`);
    const actual = findFile(m, source)!.sha256.toLowerCase();
    if (actual !== sha256) throw new LabResourceError(`archive: ${source} has SHA-256 ${actual}, not the ${sha256} the step wants; check the artifact`);
    if (testPath(m, destination, 'Leaf')) throw new LabResourceError(`archive: the destination ${destination} is a file, not a folder`);
    const marker = joinPath(destination, MARKER);
    if (testPath(m, destination, 'Container')) {
      if (testPath(m, marker, 'Leaf')) removeItem(m, marker);
      if (clean) throw notEmulated(`Get-ChildItem ${destination} (listing a folder)`);
    } else {
      createDirectory(m, destination);
    }
    const zip = labCatalog().byHash.get(actual);
    if (!zip || zip.type !== 'archive') {
      const why = notEmulated(`Expand-Archive of ${source} (a zip that is not one of the lab's synthetic artifacts: its entries are unknown)`).message;
      throw new LabResourceError(`archive: extracting ${source} into ${destination} failed: ${why}`);
    }
    const toStop = listParam(resourceParam(params, R, 'stopServices', { default: [] }));
    const stopped: string[] = [];
    for (const name of toStop) {
      const svc = findService(m, name);
      if (!svc || svc.state === 'Stopped') continue;
      stopService(m, svc);
      stopped.push(svc.name);
    }
    let failure: string | null = null;
    for (const [rel, text] of Object.entries(zip.entries)) {
      const target = joinPath(destination, rel);
      if (findFile(m, target) && runningServiceUsing(m, target) !== undefined) {
        failure = `archive: extracting ${source} into ${destination} failed: The process cannot access the file '${target}' because it is being used by another process.`;
        break;
      }
      writeText(m, target, text);
    }
    if (failure === null) writeText(m, marker, sha256);
    const restartFailures: string[] = [];
    for (const name of stopped) {
      try {
        startService(m, findService(m, name)!);
      } catch (err) {
        restartFailures.push(`${name}: ${(err as Error).message}`);
      }
    }
    if (failure !== null) throw new LabResourceError(`${failure}${restartFailures.length ? `; starting again failed: ${restartFailures.join('; ')}` : ''}`);
    if (restartFailures.length) throw new LabResourceError(`archive: extracted ${source} into ${destination}, but starting the stopped services again failed: ${restartFailures.join('; ')}`);
    return setResult(`extracted ${source} into ${destination}${clean ? ' (emptied first)' : ''}${stopped.length ? ` (${stopped.join(', ')} stopped while extracting, started again)` : ''}`);
  },
});

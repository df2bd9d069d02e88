// Models ps1/runner/file-hash.ps1: whether a file exists, its length and SHA-256 (lower-case hex).
// Read-only; used by the runner's upload before sending (skip when the same) and after (verify).
import { runnerFileHash as contract } from '../../scripts/catalog.js';
import { systemFiles } from '../state/system-files.js';
import { findFileKey, normalizeWindowsPath } from './paths.js';
import { defineHandler } from './types.js';

export const runnerFileHash = defineHandler({
  contract,
  defaultDurationMs: 5,
  setType: false,
  run: ({ state, params }) => {
    const key = findFileKey(state.machine, params.path);
    if (key === undefined) {
      // Files the profile implies (IIS binaries), which no script wrote.
      const want = normalizeWindowsPath(params.path);
      const sys = systemFiles(state.machine).find((f) => normalizeWindowsPath(f.path) === want);
      if (sys) return { ok: true, data: { path: params.path, exists: true, length: sys.length, sha256: sys.sha256 } };
    }
    if (key === undefined) return { ok: true, data: { path: params.path, exists: false, length: 0, sha256: null } };
    return {
      ok: true,
      data: {
        path: params.path,
        exists: true,
        length: state.machine.fileSizes[key] ?? 0,
        sha256: state.machine.files[key]!.toLowerCase(),
      },
    };
  },
});

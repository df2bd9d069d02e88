/**
 * Report files named on the command line are checked before any host is contacted: a run of a
 * thousand hosts must not end by failing to write its report to a folder.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Throws InputError when `file` (given with `flag`) could not be written as a report. */
export function checkReportPath(flag: string, file: string): void {
  const path = resolve(file);
  const kind = (p: string) => {
    try {
      return statSync(p).isDirectory() ? 'folder' : 'other';
    } catch {
      return 'missing';
    }
  };
  if (kind(path) === 'folder') throw new InputError(`${flag} ${file} is a folder; a report is a file.`, { field: flag, hint: `Name a file, e.g. ${flag} ${file.replace(/\/+$/, '')}/report.${flag.split('-').pop()}` });
  // The nearest existing ancestor must be a folder (the report's folders are created as needed).
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const k = kind(dir);
    if (k === 'folder') return;
    if (k === 'other') throw new InputError(`${flag} ${file}: ${dir} is a file, not a folder.`, { field: flag });
    if (dirname(dir) === dir) return;
  }
}

/**
 * Report files named on the command line are checked before any host is contacted: a run of a
 * thousand hosts must not end by failing to write its report to a folder.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';

/** --report-json, --report-junit and --report-html, as preflight, plan and apply take them. */
export interface ReportFileArgs {
  reportJson?: string | undefined;
  reportJunit?: string | undefined;
  reportHtml?: string | undefined;
}

/** The report-file options; `junit` says what a testcase is for this command. */
export function reportFileOptions<T>(y: Argv<T>, junit: string): Argv<T> {
  return y
    .option('report-json', { type: 'string', describe: 'Also write the JSON document to FILE' })
    .option('report-junit', { type: 'string', describe: `Write JUnit XML to FILE (${junit})` })
    .option('report-html', { type: 'string', describe: 'Write a self-contained HTML report to FILE' }) as unknown as Argv<T>;
}

/** checkReportPath for each report file given, in the order of the flags. */
export function checkReportPaths(args: ReportFileArgs): void {
  if (args.reportJson !== undefined) checkReportPath('--report-json', args.reportJson);
  if (args.reportJunit !== undefined) checkReportPath('--report-junit', args.reportJunit);
  if (args.reportHtml !== undefined) checkReportPath('--report-html', args.reportHtml);
}

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

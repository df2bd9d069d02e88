/**
 * Windows paths written into generated files: absolute (drive letter), ASCII only (RabbitMQ's and
 * Erlang's tools break on non-ASCII install paths, docs/component-config.md), no trailing backslash, no
 * characters Windows forbids in a path.
 */
import { z } from 'zod';

const DRIVE_PATH = /^[A-Za-z]:\\(?:[^\\/:*?"<>|\r\n]+\\)*[^\\/:*?"<>|\r\n]*$/;

export function windowsPathProblem(path: string): string | null {
  if (!/^[A-Za-z]:\\/.test(path)) return 'must be an absolute Windows path starting with a drive letter, e.g. C:\\ProgramData\\RabbitMQ';
   
  if (/[^\x20-\x7e]/.test(path)) return 'must be ASCII only (printable, no accents): the installers and Erlang tools fail on other characters';
  if (path.length > 3 && path.endsWith('\\')) return 'must not end with a backslash';
  if (!DRIVE_PATH.test(path)) return 'has a character Windows forbids in a path (/ : * ? " < > |) or an empty folder name (\\\\)';
  return null;
}

export const WindowsPath = z.string().check((ctx) => {
  const problem = windowsPathProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: `'${ctx.value}' ${problem}` });
});

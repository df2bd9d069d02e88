/**
 * PowerShell's error records as the lab produces them: the standard messages (command not found,
 * pipeline stopped), the text powershell.exe prints for a record, and the CLIXML it writes to a
 * redirected stderr. Pure functions.
 */
import type { ScriptOutcome } from '../dispatcher.js';

export type ErrorRecord = ScriptOutcome['errors'][number];

export function commandNotFound(name: string): ErrorRecord {
  return {
    message: `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    category: 'ObjectNotFound',
    fullyQualifiedErrorId: 'CommandNotFoundException',
  };
}

export function pipelineStopped(): ErrorRecord {
  return { message: 'The pipeline has been stopped.', category: 'OperationStopped', fullyQualifiedErrorId: 'PipelineStoppedException' };
}

export function cmdNotRecognized(name: string): string {
  return `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;
}

/** What the lab says for a program other than the cmd.exe built-ins it emulates. */
export function cmdNotEmulated(name: string): string {
  return `'${name}' is not emulated by the lab: of cmd.exe it answers hostname, echo, exit and ver; PowerShell text (powershell -EncodedCommand) runs for real where pwsh is present (docs/lab.md).\r\n`;
}

/** The lines powershell.exe prints for an error record (without the source excerpt it cannot know). */
export function errorRecordText(r: ErrorRecord): string {
  const reason = r.fullyQualifiedErrorId.split(',')[0] ?? r.fullyQualifiedErrorId;
  return [
    r.message,
    `    + CategoryInfo          : ${r.category}: (:) [], ${reason}`,
    `    + FullyQualifiedErrorId : ${r.fullyQualifiedErrorId}`,
    ' ',
    '',
  ].join('\r\n');
}

/** CLIXML string escaping: XML entities, control characters and ambiguous underscores as _xHHHH_. */
export function escapeClixml(text: string): string {
  return text
    .replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what CLIXML escapes
    .replace(/[\u0000-\u001f]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

/** One `#< CLIXML` block with a tagged string per line, as powershell.exe writes error and warning records. */
export function toClixml(records: Array<{ stream: 'Error' | 'Warning' | 'Verbose'; text: string }>): string {
  const body = records
    .flatMap((r) => r.text.split(/(?<=\r\n)/).map((line) => `<S S="${r.stream}">${escapeClixml(line)}</S>`))
    .join('');
  return `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${body}</Objs>`;
}

/** An outcome for a script that failed before producing anything. */
export function failedOutcome(record: ErrorRecord, exitCode = 1): ScriptOutcome {
  return { exitCode, output: [], errors: [record], warnings: [] };
}

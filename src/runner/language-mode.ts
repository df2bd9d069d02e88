/**
 * PowerShell's language mode. A host whose AppLocker or WDAC policy enforces ConstrainedLanguage runs
 * powershell.exe in it, and there the runner's bootstrap cannot work (no [Console] streams, no
 * [scriptblock]::Create, no runspaces). The loader checks first and prints a `fatal` frame instead of
 * dying on its first .NET call; the runner turns that into PowerShellLanguageModeError.
 *
 * The frame is computed here and printed as a literal: in ConstrainedLanguage the loader cannot base64
 * anything itself.
 */
import { ScriptError, type ErrorContext } from '../errors.js';
import { encodeFrame } from '../protocol/script-frames.js';

/** Exit code of a loader that refused to run (after printing the fatal frame). */
export const LANGUAGE_MODE_EXIT_CODE = 4;

/** The loader's first statement: a one-line check that answers with a fatal frame and exits. */
export function languageModeGuard(): string {
  const frame = encodeFrame({ type: 'fatal', reason: 'languageMode', languageMode: 'ConstrainedLanguage' }).trim();
  return `if ($ExecutionContext.SessionState.LanguageMode -eq 'ConstrainedLanguage') { '${frame}'; exit ${LANGUAGE_MODE_EXIT_CODE} }`;
}

export class PowerShellLanguageModeError extends ScriptError {
  constructor(
    readonly languageMode: string,
    context: ErrorContext,
  ) {
    super(
      `PowerShell runs in ${languageMode} mode on ${context.host ?? 'this host'}: an AppLocker or WDAC policy restricts it, and cortex-deploy's scripts need FullLanguage.`,
      {
        ...context,
        hint:
          context.hint ??
          'Allow the cortex-deploy account FullLanguage PowerShell on this host (an AppLocker/WDAC exception); see docs/scripts.md, "Constrained Language Mode".',
      },
    );
  }
}

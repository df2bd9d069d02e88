/** The script runner's public surface. */
export { ScriptRunner, ADHOC_SCRIPT_ID, warmWireTexts, type ScriptRunnerOptions, type RunOptions, type PipelineOptions, type RunnerLog, type ScriptSource } from './runner.js';
export type { ScriptResult } from './result.js';
export { loadScript, libraryFiles, libraryText, ps1Dir, type LoadedScript } from './scripts.js';
export { decodeStderr } from './clixml.js';
export { PowerShellLanguageModeError } from './language-mode.js';
export type { RunnerMode } from './bootstrap.js';
export type { UploadOptions, UploadResult } from './upload.js';

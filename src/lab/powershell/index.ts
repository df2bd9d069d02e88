/** The lab's emulation of powershell.exe and cmd.exe built-ins (see dispatcher.ts). */
export { createPowerShellDispatcher, ownScriptId, type PowerShellDispatcherOptions } from './dispatcher.js';
export { createMinimalExecutor, runAdhoc, envelopeOk, envelopeFail, psRoundTripDate, type MinimalExecutorOptions } from './minimal-executor.js';
export { commandNotFound, pipelineStopped, cmdNotRecognized, cmdNotEmulated, errorRecordText, toClixml } from './records.js';
export { splitCommandLine, parsePowerShellArgs } from './command-line.js';

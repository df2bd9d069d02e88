export { createRunLogger, type RunLogger, type RunLoggerOptions } from './run-logger.js';
export { newRunId } from './run-id.js';
export { formatLine } from './pretty.js';

/**
 * The bundled CLI's entry (dist/cli/start.cjs, loaded by dist/cli/main.js: rolldown.config.mjs). It
 * turns on the code cache for the bundle's chunks (compile-cache.ts) and then loads main.ts, which
 * with everything else is a chunk and so comes from the cache. It imports nothing else up front.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableCompileCache } from './compile-cache.js';

enableCompileCache(dirname(fileURLToPath(import.meta.url)));
void import('./main.js');

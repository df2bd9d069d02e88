#!/usr/bin/env node
/**
 * The bundle step of `npm run build`, after tsc: rolldown.config.mjs says what is bundled and why.
 * Run through rolldown's API rather than its CLI, which lists every chunk it writes: quiet unless
 * rolldown warns. `npx rolldown -c rolldown.config.mjs` does the same, verbosely.
 *
 * Then dist/cli/main.js, the CLI's entry (package.json "bin"), is written over tsc's file of that name:
 * an ES module (the package is "type": "module") that loads the CommonJS bundle's entry, start.cjs.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import config from '../rolldown.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** yargs' config `extends` (unused by the CLI) calls import.meta.resolve, which CommonJS lacks. */
const expected = (log) => log.code === 'EMPTY_IMPORT_META' && /[\\/]node_modules[\\/]yargs[\\/]/.test(log.id ?? '');

const { output } = await build({
  ...config,
  onLog(level, log, handler) {
    if (expected(log)) return;
    handler(level, log);
  },
});

// Code V8 reads back from a code cache cannot import() (src/cli/compile-cache.ts): none may be left.
const importing = output.filter((c) => c.type === 'chunk' && /(?<![\w$.])import\(/.test(c.code)).map((c) => c.fileName);
if (importing.length > 0) {
  process.stderr.write(`bundle: import() left in ${importing.join(', ')}; the code cache cannot serve it (rolldown.config.mjs, dynamicImportInCjs)\n`);
  process.exit(1);
}

const entry = join(root, 'dist/cli/main.js');
writeFileSync(
  entry,
  [
    '#!/usr/bin/env node',
    '// cortex-deploy: the bundled CLI is CommonJS, run from a V8 code cache (rolldown.config.mjs).',
    "import { createRequire } from 'node:module';",
    "createRequire(import.meta.url)('./start.cjs');",
    '',
  ].join('\n'),
);
chmodSync(entry, 0o755);

#!/usr/bin/env node
/**
 * The bundle step of `npm run build`, after tsc: rolldown.config.mjs says what is bundled and why.
 * Run through rolldown's API rather than its CLI, which lists every chunk it writes: quiet unless
 * rolldown warns. `npx rolldown -c rolldown.config.mjs` does the same, verbosely.
 */
import { build } from 'rolldown';
import config from '../rolldown.config.mjs';

await build(config);

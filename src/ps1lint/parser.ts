/**
 * Loads tree-sitter-powershell once per process. V8 must run the grammar's wasm with Liftoff only:
 * with the optimizing tier enabled, background compilation keeps the process alive seconds after the
 * work is done. The flag must be set before the wasm is compiled, hence before the first load.
 */
import v8 from 'node:v8';
import { createRequire } from 'node:module';
import type { Parser as ParserT, Tree } from 'web-tree-sitter';

let ready: Promise<ParserT> | undefined;

async function load(): Promise<ParserT> {
  v8.setFlagsFromString('--liftoff-only');
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function powershellParser(): Promise<ParserT> {
  ready ??= load();
  return ready;
}

export async function parsePowerShell(text: string): Promise<Tree> {
  const parser = await powershellParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** The checker's vocabulary: rule ids, findings, the per-file context rules see, the report. */
import type { Node } from 'web-tree-sitter';
import type { ScriptIndex } from './tree.js';

export const RULE_IDS = [
  'syntax',
  'json-depth',
  'no-write-host',
  'known-command',
  'ps7-parameter',
  'no-alias',
  'native-exit-code',
  'envelope',
  'dates',
  'file-encoding',
  'ps7-syntax',
  'suppression',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface Finding {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  rule: RuleId;
  /** What is wrong and how to fix it. */
  message: string;
}

export interface Suppression {
  file: string;
  line: number;
  col: number;
  rules: RuleId[];
  reason: string;
  /** How many findings it silenced. */
  used: number;
}

export interface LintReport {
  files: string[];
  findings: Finding[];
  suppressions: Suppression[];
}

/** Where a script sits decides which rules apply to it. */
export type ScriptKind = 'probe' | 'resource' | 'step' | 'lib' | 'bootstrap' | 'other';

/** What the whole run knows about ps1/lib: its functions, and which of them check $LASTEXITCODE. */
export interface LibFacts {
  functions: Map<string, string>; // lower-case name -> declared spelling
  exitCodeCheckers: Set<string>; // lower-case names
}

export interface RuleContext {
  file: string;
  kind: ScriptKind;
  text: string;
  index: ScriptIndex;
  lib: LibFacts;
  report(node: Node | { line: number; col: number }, rule: RuleId, message: string): void;
}

export type Rule = (ctx: RuleContext) => void;

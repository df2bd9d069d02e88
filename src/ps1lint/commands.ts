/** What a `command` node calls: a cmdlet or function by name, a native executable, a script block, a script. */
import type { Node } from 'web-tree-sitter';
import { kids, literalText, type ScriptIndex } from './tree.js';
import { NATIVE_EXECUTABLES } from './data/native-executables.js';

export type CommandTarget =
  | { kind: 'name'; name: string } // Get-Item, Microsoft.PowerShell.Management\Get-Item, sc.exe
  | { kind: 'path'; path: string } // C:\tools\nssm.exe, .\x.ps1, & 'C:\x\y.exe'
  | { kind: 'dynamic' } // & $exe, & "$dir\x.exe"
  | { kind: 'scriptblock' }; // & { ... }

export interface CommandCall {
  node: Node;
  /** node whose position names the command */
  nameNode: Node;
  operator: '&' | '.' | null;
  target: CommandTarget;
}

const NATIVE_EXT = /\.(exe|bat|cmd|com)$/i;

/** describeCommand, computed once per command node of a script. */
export function callAt(index: ScriptIndex, node: Node): CommandCall | null {
  const key = `call:${node.id}`;
  if (index.memo.has(key)) return index.memo.get(key) as CommandCall | null;
  const call = describeCommand(node);
  index.memo.set(key, call);
  return call;
}

/** Every command call of a script, in source order. */
export function allCalls(index: ScriptIndex): CommandCall[] {
  const key = 'calls';
  if (!index.memo.has(key)) {
    index.memo.set(key, index.commands.map((n) => callAt(index, n)).filter((c): c is CommandCall => c !== null));
  }
  return index.memo.get(key) as CommandCall[];
}

export function describeCommand(node: Node): CommandCall | null {
  let operator: CommandCall['operator'] = null;
  let nameNode: Node | null = null;
  let target: CommandTarget | null = null;
  for (const child of kids(node)) {
    if (child.type === 'command_invokation_operator') operator = child.text.trim() === '.' ? '.' : '&';
    else if (child.type === 'command_name') {
      nameNode = child;
      target = nameTarget(child.text);
    } else if (child.type === 'command_name_expr') {
      nameNode = child;
      const inner = child.namedChildren[0] ?? child;
      if (inner.type === 'command_name') target = nameTarget(inner.text);
      else if (inner.type === 'script_block_expression') target = { kind: 'scriptblock' };
      else {
        const literal = literalText(inner);
        target = literal === null ? { kind: 'dynamic' } : nameTarget(literal);
      }
    }
  }
  if (!nameNode || !target) return null;
  return { node, nameNode, operator, target };
}

function nameTarget(text: string): CommandTarget {
  if (/[\\/]/.test(text) && !/^[A-Za-z][\w.]*\\[A-Za-z]+-\w+$/.test(text)) return { kind: 'path', path: text };
  return { kind: 'name', name: text };
}

/** `Microsoft.PowerShell.Management\Get-Item` -> `Get-Item` */
export function bareName(name: string): string {
  const i = name.lastIndexOf('\\');
  return i >= 0 ? name.slice(i + 1) : name;
}

/** The parser reads some expressions in command position (`foreach ($i in 1..3)`); those are not commands. */
export function isExpressionMisreadAsCommand(name: string): boolean {
  return /^[\d$@('"[{-]/.test(name);
}

/**
 * A call that starts a native process and sets $LASTEXITCODE. `& $x` counts as native unless the
 * script shows $x is a script block (`[scriptblock]$x` parameter, `$x = { ... }`).
 */
export function isNativeCall(call: CommandCall, scriptText = ''): boolean {
  if (call.operator === '.') return false;
  switch (call.target.kind) {
    case 'scriptblock':
      return false;
    case 'dynamic':
      return call.operator === '&' && !isScriptBlockVariable(call.nameNode.text, scriptText);
    case 'path':
      return !/\.ps1$/i.test(call.target.path);
    case 'name':
      return NATIVE_EXT.test(call.target.name) || NATIVE_EXECUTABLES.has(call.target.name.toLowerCase());
  }
}

/** Parameters passed to a command: name lower-case, without `-` and `:value`, and the node. */
export function parameters(call: CommandCall): { name: string; node: Node }[] {
  const elements = kids(call.node).find((c) => c.type === 'command_elements');
  if (!elements) return [];
  return kids(elements)
    .filter((c) => c.type === 'command_parameter')
    .map((c) => ({ name: c.text.replace(/^-+/, '').replace(/:.*$/s, '').toLowerCase(), node: c }));
}

export function parameterNames(call: CommandCall): string[] {
  return parameters(call).map((p) => p.name);
}

/** True when `name` (lower-case, no dash) is a prefix-abbreviation PowerShell would bind to `full`. */
export function bindsTo(given: string, full: string): boolean {
  return given.length > 0 && full.toLowerCase().startsWith(given);
}

function isScriptBlockVariable(expr: string, scriptText: string): boolean {
  const m = /^\$(?:(?:script|local|global):)?(\w+)$/i.exec(expr.trim());
  if (!m) return false;
  const name = m[1] as string;
  return new RegExp(`\\[scriptblock\\]\\s*\\$${name}\\b|\\$${name}\\s*=\\s*(\\[scriptblock\\]::Create|\\{)`, 'i').test(scriptText);
}

/**
 * `dates`: 5.1's ConvertTo-Json writes a DateTime as "\/Date(ms)\/". A date value (Get-Date, or a
 * member such as .LastBootUpTime) must be turned into text with .ToString('o') (usually after
 * .ToUniversalTime()), or handed to a ps1/lib helper, or consumed (compared, subtracted, passed to a
 * cmdlet) before it can reach the result. Values stored in a variable are followed to the
 * variable's uses in the same script. As far as the tree shows: no types are inferred.
 */
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from '../types.js';
import { allCalls, bareName, callAt, parameterNames } from '../commands.js';
import { isBefore, kids, namedKids, variableName } from '../tree.js';

/** Members that read as a DateTime on the objects our scripts touch (CIM, files, processes, certificates, events). */
export const DATE_MEMBERS = new Set([
  'lastbootuptime', 'installdate', 'localdatetime', 'creationtime', 'creationtimeutc', 'lastwritetime', 'lastwritetimeutc',
  'lastaccesstime', 'lastaccesstimeutc', 'starttime', 'exittime', 'timecreated', 'timegenerated', 'timewritten',
  'notafter', 'notbefore', 'lastlogon', 'passwordlastset', 'lastruntime', 'nextruntime',
]);

const STATIC_DATE_MEMBERS = new Set(['now', 'utcnow', 'today']);

/** Members of DateTime that give a DateTime again. */
const DATE_PRESERVING = new Set([
  'touniversaltime', 'tolocaltime', 'date', 'adddays', 'addhours', 'addminutes', 'addseconds', 'addmilliseconds',
  'addmonths', 'addyears', 'addticks', 'add', 'specifykind',
]);

/** Expression wrappers the grammar nests around every value; with one child they are transparent. */
const WRAPPERS = new Set([
  'unary_expression', 'array_literal_expression', 'range_expression', 'format_expression', 'multiplicative_expression',
  'additive_expression', 'comparison_expression', 'bitwise_expression', 'logical_expression', 'pipeline_chain', 'pipeline',
  'parenthesized_expression', 'sub_expression', 'argument_expression', 'logical_argument_expression',
  'bitwise_argument_expression', 'comparison_argument_expression', 'additive_argument_expression',
  'multiplicative_argument_expression', 'format_argument_expression', 'range_argument_expression',
]);

const OUTPUT_COMMANDS = new Set(['write-output', 'convertto-json', 'add-member', 'tee-object', 'out-string']);

type Verdict = { ok: true } | { ok: false; why: string };
const OK: Verdict = { ok: true };

export const datesRule: Rule = (ctx) => {
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name' || bareName(call.target.name).toLowerCase() !== 'get-date') continue;
    // -Format/-UFormat already give a string.
    if (parameterNames(call).some((p) => p === 'format' || p === 'uformat')) continue;
    const verdict = judgeCommandValue(call.node, ctx, 0);
    if (!verdict.ok) ctx.report(call.nameNode, 'dates', `Get-Date ${verdict.why}`);
  }
  for (const node of ctx.index.memberAccesses) {
    const member = memberName(node);
    if (!member || !(DATE_MEMBERS.has(member.toLowerCase()) || isDateTimeStatic(node, member))) continue;
    if (isAssignmentTarget(node)) continue;
    const verdict = judgeValue(node, ctx, 0);
    if (!verdict.ok) ctx.report(memberNode(node) ?? node, 'dates', `.${member} is a DateTime and ${verdict.why.replace(/^gives a DateTime that /, '')}`);
  }
};

const FIX = "convert it with .ToUniversalTime().ToString('o') (or ConvertTo-CortexDate from ps1/lib)";

function judgeCommandValue(command: Node, ctx: RuleContext, depth: number): Verdict {
  const chain = command.parent; // pipeline_chain
  if (!chain) return OK;
  const elements = namedKids(chain);
  if (elements[elements.length - 1]?.id !== command.id) return OK; // piped into another command, which consumes it
  return judgeValue(command, ctx, depth);
}

/** Follows a DateTime value up the tree to where it is consumed or escapes. */
function judgeValue(start: Node, ctx: RuleContext, depth: number): Verdict {
  let node = start;
  for (;;) {
    const parent = node.parent;
    if (!parent) return OK;
    const t = parent.type;
    if ((t === 'member_access' || t === 'invokation_expression') && parent.namedChildren[0]?.id === node.id) {
      const name = memberName(parent)?.toLowerCase() ?? '';
      if (name === 'tostring') {
        // An explicit format (ISO 'o', or e.g. 'yyyyMMdd' for a folder name) is a deliberate choice;
        // ToString() without one formats by the host's culture.
        if (hasArguments(parent)) return OK;
        return { ok: false, why: `gives a DateTime that .ToString() formats by the host's culture; ${FIX}` };
      }
      if (DATE_PRESERVING.has(name)) {
        node = parent;
        continue;
      }
      return OK; // .Ticks, .Year, .Subtract(...), .ToFileTimeUtc(): no longer a DateTime
    }
    if (WRAPPERS.has(t)) {
      if (t === 'pipeline_chain' || t === 'pipeline') {
        const elements = namedKids(parent);
        const at = elements.findIndex((e) => e.id === node.id);
        if (at >= 0 && at < elements.length - 1) {
          // Piped on: only an output command lets it reach the result unchanged.
          const next = elements[at + 1];
          const call = next ? callAt(ctx.index, next) : null;
          const name = call?.target.kind === 'name' ? bareName(call.target.name) : '';
          if (OUTPUT_COMMANDS.has(name.toLowerCase())) return { ok: false, why: `gives a DateTime piped to ${name}; ${FIX}` };
          return OK;
        }
      } else if (namedKids(parent).length > 1 && t !== 'parenthesized_expression' && t !== 'sub_expression') {
        return OK; // an operator consumes it: (Get-Date) - $start, $x.LastWriteTime -lt $cutoff
      }
      node = parent;
      continue;
    }
    if (t === 'hash_entry') return { ok: false, why: `gives a DateTime that is put in a hashtable as is; ${FIX}` };
    if (t === 'assignment_expression') {
      const lhs = namedKids(parent)[0];
      if (!lhs || lhs.id === node.id) return OK;
      const target = simpleVariable(lhs);
      if (!target) return { ok: false, why: `gives a DateTime that is stored in ${lhs.text.trim()} as is; ${FIX}` };
      return judgeVariable(target, lhs, ctx, depth);
    }
    if (t === 'command_elements') {
      const call = parent.parent ? callAt(ctx.index, parent.parent) : null;
      const name = call?.target.kind === 'name' ? bareName(call.target.name).toLowerCase() : '';
      if (OUTPUT_COMMANDS.has(name)) return { ok: false, why: `gives a DateTime passed to ${name} as is; ${FIX}` };
      return OK; // a cmdlet or a ps1/lib helper (ConvertTo-CortexDate) consumes it
    }
    if (t === 'flow_control_statement' && /^return\b/i.test(parent.text)) {
      return { ok: false, why: `gives a DateTime that is returned as is; ${FIX}` };
    }
    if (t === 'statement_list' && parent.parent?.type === 'sub_expression' && namedKids(parent).length === 1) {
      node = parent.parent; // "$(Get-Date)" or $(...) around one statement
      continue;
    }
    if (t === 'statement_list') {
      // An expression statement writes its value to the output stream.
      return { ok: false, why: `gives a DateTime written to the output as is; ${FIX}` };
    }
    return OK;
  }
}

function judgeVariable(name: string, lhs: Node, ctx: RuleContext, depth: number): Verdict {
  if (depth >= 3) return OK;
  for (const v of ctx.index.variables) {
    if (!isBefore(lhs, v) || variableName(v) !== name || isAssignmentTarget(v)) continue;
    const verdict = judgeValue(v, ctx, depth + 1);
    if (!verdict.ok) {
      const { line, col } = { line: v.startPosition.row + 1, col: v.startPosition.column + 1 };
      return { ok: false, why: `gives a DateTime that is stored in $${name} and used unformatted at line ${line}:${col}; ${FIX}` };
    }
  }
  return OK;
}

function simpleVariable(lhs: Node): string | null {
  let n = lhs;
  while (n.namedChildCount === 1 && n.type !== 'variable') n = n.namedChildren[0] as Node;
  if (n.type !== 'variable') return null;
  return variableName(n);
}

function isAssignmentTarget(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'left_assignment_expression') return true;
    if (p.type === 'assignment_expression' || p.type === 'pipeline' || p.type === 'statement_list') return false;
  }
  return false;
}

/** [datetime]::Now, [System.DateTime]::UtcNow, [datetime]::Today */
function isDateTimeStatic(node: Node, member: string): boolean {
  const object = node.namedChildren[0];
  return STATIC_DATE_MEMBERS.has(member.toLowerCase()) && object !== null && object !== undefined
    && /^\[\s*(system\.)?datetime(offset)?\s*\]$/i.test(object.text);
}

function memberNode(node: Node): Node | undefined {
  return kids(node).find((c) => c.type === 'member_name');
}

function memberName(node: Node): string | undefined {
  return memberNode(node)?.text;
}

function hasArguments(invocation: Node): boolean {
  const args = kids(invocation).find((c) => c.type === 'argument_list');
  return args !== undefined && args.namedChildCount > 0;
}

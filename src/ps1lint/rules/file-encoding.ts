/**
 * `file-encoding`: Windows PowerShell 5.1 and PowerShell 7 write files in different encodings by
 * default, so a script tested under pwsh 7 can write a file 5.1 would write differently. 5.1's
 * Out-File and `>`/`>>` write UTF-16LE with a BOM, Set-Content/Add-Content the ANSI code page,
 * Export-Csv ASCII; 7 writes UTF-8 without a BOM everywhere. A file another program reads (an Erlang
 * cookie, a TOML config, a .cmd file) then breaks only on Windows. So every file write names its
 * encoding, with a value 5.1 knows (utf8NoBOM, utf8BOM, ansi and latin1 exist only in 6+).
 */
import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { allCalls, bareName, bindsTo, parameters } from '../commands.js';
import { kids } from '../tree.js';

const NEEDS_ENCODING = new Map([
  ['out-file', 'UTF-16LE with a BOM'],
  ['set-content', 'the ANSI code page'],
  ['add-content', 'the ANSI code page'],
  ['export-csv', 'ASCII'],
]);

/** -Encoding values 5.1's FileSystemCmdletProviderEncoding / Out-File accept. */
const ENCODINGS_51 = new Set(['unknown', 'string', 'unicode', 'bigendianunicode', 'utf8', 'utf7', 'utf32', 'ascii', 'default', 'oem', 'byte']);

function argumentAfter(param: Node): string | null {
  const inline = /^-[\w]+:(.+)$/s.exec(param.text.trim());
  if (inline) return inline[1]!.trim();
  let next = param.nextNamedSibling;
  while (next && next.type === 'command_argument_sep') next = next.nextNamedSibling;
  return next ? next.text.trim() : null;
}

function descendants(node: Node, type: string, out: Node[] = []): Node[] {
  for (const child of kids(node)) {
    if (child.type === type) out.push(child);
    descendants(child, type, out);
  }
  return out;
}

export const fileEncodingRule: Rule = (ctx) => {
  for (const call of allCalls(ctx.index)) {
    if (call.target.kind !== 'name') continue;
    const name = bareName(call.target.name).toLowerCase();
    const params = parameters(call);
    if (name === 'tee-object') {
      if (params.some((p) => bindsTo(p.name, 'filepath') || bindsTo(p.name, 'literalpath') || bindsTo(p.name, 'append'))) {
        ctx.report(call.nameNode, 'file-encoding',
          'Tee-Object -FilePath writes UTF-16LE in 5.1 and UTF-8 in 7, and 5.1 has no -Encoding for it; keep the value in a variable and write it with Set-Content -Encoding');
      }
      continue;
    }
    const what = NEEDS_ENCODING.get(name);
    if (!what) continue;
    const encoding = params.find((p) => p.name.length >= 2 && bindsTo(p.name, 'encoding'));
    if (!encoding) {
      ctx.report(call.nameNode, 'file-encoding',
        `${bareName(call.target.name)} without -Encoding writes ${what} in Windows PowerShell 5.1 but UTF-8 in PowerShell 7 (where the tests run); name it: -Encoding ascii for plain text another program reads, UTF8 (with a BOM in 5.1) for text PowerShell reads back`);
      continue;
    }
    const value = argumentAfter(encoding.node)?.replace(/^['"]|['"]$/g, '') ?? '';
    if (value !== '' && !value.startsWith('$') && !ENCODINGS_51.has(value.toLowerCase())) {
      ctx.report(encoding.node, 'file-encoding',
        `-Encoding ${value} exists only in PowerShell 6 and later; 5.1 knows ASCII, UTF8 (always with a BOM), Unicode, UTF32, Default, OEM; for UTF-8 without a BOM use [IO.File]::WriteAllText($path, $text, (New-Object System.Text.UTF8Encoding $false))`);
    }
  }
  for (const redirection of descendants(ctx.index.root, 'redirection')) {
    const op = kids(redirection).find((c) => c.type === 'file_redirection_operator');
    const target = kids(redirection).find((c) => c.type === 'redirected_file_name');
    if (!op || !target) continue;
    if (/^\$null$/i.test(target.text.trim())) continue;
    ctx.report(op, 'file-encoding',
      "redirecting to a file ('>' or '>>') writes UTF-16LE with a BOM in Windows PowerShell 5.1 but UTF-8 in PowerShell 7; write with Set-Content -Encoding, or redirect to $null to discard");
  }
};

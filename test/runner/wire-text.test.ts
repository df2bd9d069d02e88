/**
 * Scripts as sent to hosts (wire-text.ts): for every shipped script and the library, the PowerShell
 * syntax tree is the same as the file's apart from comments — same tokens, on the same lines.
 */
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { parsePowerShell } from '../../src/ps1lint/parser.js';
import { libraryFiles, scriptIndex } from '../../src/runner/scripts.js';
import { wireText } from '../../src/runner/wire-text.js';

async function tokens(text: string): Promise<string[]> {
  const tree = await parsePowerShell(text);
  const out: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'comment') return;
    if (n.childCount === 0) out.push(`${n.startPosition.row}:${n.type}:${n.text}`);
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  return out;
}

describe('wire text', () => {
  it('drops comment lines and indentation, keeps line count, header and strings', () => {
    const text = ['# cortex-script: x.y', '  # note', '  $a = "one', '  # inside a string', '  two"', "$b = 'it''s # not' # tail", '#Requires -Version 5.1', ''].join('\r\n');
    const out = wireText(text).split('\r\n');
    expect(out).toEqual(['# cortex-script: x.y', '', '$a = "one', '  # inside a string', '  two"', "$b = 'it''s # not' # tail", '#Requires -Version 5.1', '']);
    expect(wireText('# h\n$x = @"\n  # kept\n"@\n')).toBe('# h\n$x = @"\n  # kept\n"@\n');
    expect(wireText('# h\n<# block #>\n  # c\n')).toBe('# h\n<# block #>\n  # c\n');
  });

  it('every shipped script and the library: same tokens on the same lines, fewer bytes', async () => {
    const texts = [...[...scriptIndex().values()].map((s) => [s.id, s.text] as const), ...libraryFiles().map((t, i) => [`lib #${i + 1}`, t] as const)];
    let before = 0;
    let after = 0;
    for (const [id, text] of texts) {
      const wire = wireText(text);
      before += text.length;
      after += wire.length;
      expect(wire.split('\n').length, id).toBe(text.split('\n').length);
      expect(wire.split('\n')[0], id).toBe(text.split('\n')[0]);
      expect(await tokens(wire), id).toEqual(await tokens(text));
    }
    expect(after).toBeLessThan(before * 0.9);
  }, 60_000);
});

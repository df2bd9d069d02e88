/**
 * A parsed YAML file that remembers where everything was written: YAML paths → file:line:col.
 * Built on the `yaml` package's document model and LineCounter (ranges are character offsets).
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { SourcePosition } from '../errors.js';
import { INVENTORY_LIMITS } from './limits.js';

export type YamlPath = Array<string | number>;

export interface YamlSyntaxProblem {
  position: SourcePosition;
  message: string;
}

export class YamlSource {
  private constructor(
    /** The file name as shown to the user (as given on the command line). */
    readonly displayName: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(text: string, displayName: string): { source: YamlSource; data: unknown; problems: YamlSyntaxProblem[] } {
    const lines = new LineCounter();
    // merge: Ansible inventories use `<<: *defaults` merge keys. Duplicate keys are refused, but by
    // structure() below in linear time: the library's uniqueKeys check is quadratic in a map's size.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, merge: true });
    const source = new YamlSource(displayName, doc, lines);
    const problems = doc.errors.map((e) => ({
      position: source.at(e.pos[0]),
      // The parser recurses per level: a stack overflow there is nesting far beyond the limit.
      message: /call stack/i.test(e.message)
        ? `YAML nested deeper than ${INVENTORY_LIMITS.maxDepth} levels.`
        : // The library's message may quote the offending line (which could hold a secret): keep its first clause.
          `YAML syntax: ${e.message.split(/ at line \d+|\n/)[0]}`.trim(),
    }));
    if (!problems.length) problems.push(...source.structure());
    let data: unknown;
    if (!problems.length) {
      try {
        data = doc.toJS({ maxAliasCount: INVENTORY_LIMITS.maxAliasCount });
        // An alias inside the node it names makes a cycle, which no later step could walk.
        JSON.stringify(data);
      } catch (err) {
        const firstAlias = source.firstAlias();
        problems.push({
          position: firstAlias ?? { file: displayName, line: 1, col: 1 },
          message: /circular/i.test((err as Error).message)
            ? 'a YAML alias refers to a node that contains it (a cycle).'
            : /alias/i.test((err as Error).message)
              ? `YAML aliases expand the document too much (the limit is the yaml package's maxAliasCount ${INVENTORY_LIMITS.maxAliasCount}): an alias bomb?`
              : `YAML cannot be read: ${(err as Error).message.split('\n')[0]}`,
        });
      }
    }
    return { source, data, problems };
  }

  /** Depth and duplicate keys, walked without recursion (a hostile file must not overflow the stack). */
  private structure(): YamlSyntaxProblem[] {
    const out: YamlSyntaxProblem[] = [];
    const stack: Array<[unknown, number]> = [[this.doc.contents, 1]];
    while (stack.length && out.length < 20) {
      const [node, depth] = stack.pop()!;
      if (!isMap(node) && !isSeq(node)) continue;
      if (depth > INVENTORY_LIMITS.maxDepth) {
        out.push({ position: this.at(node.range?.[0] ?? 0), message: `YAML nested deeper than ${INVENTORY_LIMITS.maxDepth} levels.` });
        break;
      }
      const seen = new Set<string>();
      for (const item of node.items) {
        if (isPair(item)) {
          if (isScalar(item.key)) {
            const k = String(item.key.value);
            if (seen.has(k) && k !== '<<') out.push({ position: this.at(item.key.range?.[0] ?? 0), message: 'YAML syntax: Map keys must be unique' });
            // Read into a JavaScript object, this key would replace the object's prototype: values would
            // hide there, unseen by every check.
            if (k === '__proto__') out.push({ position: this.at(item.key.range?.[0] ?? 0), message: "the key '__proto__' is not allowed." });
            seen.add(k);
          }
          stack.push([item.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
    return out.sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col);
  }

  private firstAlias(): SourcePosition | undefined {
    const stack: unknown[] = [this.doc.contents];
    while (stack.length) {
      const node = stack.pop();
      if (isAlias(node)) return node.range ? this.at(node.range[0]) : undefined;
      if (isMap(node)) for (const p of node.items) stack.push(p.value);
      else if (isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
    return undefined;
  }

  /** Position of a character offset. */
  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.displayName, line, col };
  }

  /**
   * Position of the value at `path`; of its key when `key` is set (or when the value is empty).
   * When the path goes beyond what the file holds (a missing key), the deepest existing node's position.
   */
  positionOf(path: YamlPath, opts: { key?: boolean } = {}): SourcePosition | undefined {
    let node: unknown = this.doc.contents;
    let keyNode: Node | null = null;
    let last: Node | null = isNode(node) ? node : null;
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        keyNode = isNode(pair.key) ? pair.key : null;
        node = pair.value;
        last = isNode(node) && hasText(node) ? node : keyNode;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!isNode(item)) break;
        keyNode = null;
        node = item;
        last = item;
      } else {
        break;
      }
    }
    const target = opts.key && keyNode ? keyNode : last;
    const offset = target?.range?.[0];
    return offset === undefined ? (this.doc.contents ? undefined : { file: this.displayName, line: 1, col: 1 }) : this.at(offset);
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}

function isNode(n: unknown): n is Node {
  return !!n && typeof n === 'object' && 'range' in n;
}

/** A `key:` with nothing after it parses as an empty scalar; point at the key instead. */
function hasText(n: Node): boolean {
  return !(isScalar(n) && n.value === null && n.range && n.range[0] === n.range[1]);
}

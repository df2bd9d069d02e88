/**
 * A parsed YAML file that remembers where everything was written: YAML paths → file:line:col.
 * Built on the `yaml` package's document model and LineCounter (ranges are character offsets).
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { SourcePosition } from '../errors.js';

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
    // uniqueKeys: a host or key written twice in one map is an error, not a silent override.
    // merge: Ansible inventories use `<<: *defaults` merge keys.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: true });
    const source = new YamlSource(displayName, doc, lines);
    const problems = doc.errors.map((e) => ({
      position: source.at(e.pos[0]),
      // The library's message may quote the offending line (which could hold a secret): keep its first clause.
      message: `YAML syntax: ${e.message.split(/ at line \d+|\n/)[0]}`.trim(),
    }));
    const data = problems.length ? undefined : doc.toJS({ maxAliasCount: 1000 });
    return { source, data, problems };
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

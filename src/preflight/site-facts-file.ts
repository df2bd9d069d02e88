/**
 * Reading a site facts file (docs/site-facts.md) with positions: a file that is not JSON, is another
 * kind of document, has another schema version, or has a field of the wrong shape is refused with
 * file:line:col and the field, never half-read. JSON is YAML, so the inventory's position machinery
 * (YamlSource) serves here too.
 */
import { InputError, type SourcePosition } from '../errors.js';
import { readBoundedFile, readFailureText } from '../inventory/bounded-file.js';
import { dedupe, fieldName, formatProblem, problemsFromIssue, sortProblems, type DocumentHints } from '../inventory/problems.js';
import { YamlSource } from '../inventory/source.js';
import type { InventoryProblem } from '../inventory/types.js';
import { SITE_FACTS_KIND, SITE_FACTS_VERSION, SiteFacts } from './site-facts.js';

/** Large enough for a thousand hosts' facts and reach results; small enough to refuse a wrong file at once. */
export const SITE_FACTS_MAX_BYTES = 64 * 1024 * 1024;

/** A site facts file that cannot be used: every problem, each with file:line:col and field. */
export class SiteFactsError extends InputError {
  readonly problems: InventoryProblem[];
  constructor(problems: InventoryProblem[]) {
    const first = problems[0]!;
    const detail = problems.length === 1 ? first.message : `${problems.length} problems in the facts file, the first here:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
    const hint = problems.length === 1 ? first.hint : undefined;
    super(detail, { position: first.position, field: first.field, hint: hint ?? 'Capture the facts again with cortex-deploy preflight -i INV --save-facts FILE (docs/site-facts.md).' });
    this.problems = problems;
  }
}

const HINTS: DocumentHints = {
  shape: () => undefined,
  unknownKey: () => ' The fields are listed in docs/site-facts.md.',
  equivalents: Object.create(null) as Record<string, string>,
  equivalentNoun: '',
};

/** file:line:col of a character offset. */
function positionAt(text: string, file: string, offset: number): SourcePosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return { file, line, col: before.length - before.lastIndexOf('\n') };
}

/** Strict JSON first (a YAML parser would accept, or misreport, what is not JSON); its error's offset gives the position. */
function checkJson(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.trimEnd().length;
    throw new SiteFactsError([
      { position: positionAt(text, file, offset), field: '(json)', message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/ of JSON input$/, ' of the file')}.`, hint: 'The file must be the JSON document preflight --save-facts writes, unedited.' },
    ]);
  }
}

/** Pure: the text of a facts file → the document, or a SiteFactsError. */
export function parseSiteFacts(text: string, file: string): SiteFacts {
  checkJson(text, file);
  // A valid file (thousands of hosts, megabytes) is read with JSON.parse and zod alone; the position
  // machinery, much slower on large files, runs only to explain a problem.
  let protoKey = false;
  // A "__proto__" key (however escaped) would become an object's prototype in a zod record: such a file
  // takes the slow path, which refuses the key with its position.
  let fast: unknown;
  try {
    fast = JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') protoKey = true;
      return value;
    });
  } catch {
    return explain(text, file); // the reviver's recursion: nesting no facts file has
  }
  const shape = shapeOf(fast);
  if (shape === 'ok' && !protoKey) {
    const parsed = SiteFacts.safeParse(fast);
    if (parsed.success && duplicateHost(parsed.data) === null && parsed.data.hosts.length > 0) return parsed.data;
  }
  return explain(text, file);
}

function shapeOf(doc: unknown): 'ok' | 'kind' | 'version' {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || (doc as Record<string, unknown>).kind !== SITE_FACTS_KIND) return 'kind';
  return (doc as Record<string, unknown>).schemaVersion === SITE_FACTS_VERSION ? 'ok' : 'version';
}

/** Index of the first host whose name repeats an earlier one (any case), with that one's; null: none. */
function duplicateHost(doc: SiteFacts): { at: number; first: number } | null {
  const seen = new Map<string, number>();
  for (const [i, h] of doc.hosts.entries()) {
    const prev = seen.get(h.name.toLowerCase());
    if (prev !== undefined) return { at: i, first: prev };
    seen.set(h.name.toLowerCase(), i);
  }
  return null;
}

/** The file has a problem: find every one, with positions, and throw (the document, if none after all). */
function explain(text: string, file: string): SiteFacts {
  const { source, data, problems: syntax } = YamlSource.parse(text, file);
  const start = { file, line: 1, col: 1 };
  if (syntax.length) throw new SiteFactsError(syntax.map((s) => ({ position: s.position, field: '(json)', message: s.message.replace(/^YAML/, 'JSON') })));
  const doc = data as Record<string, unknown> | null;
  const at = (key: string) => source.positionOf([key]) ?? start;
  // Kind and version first: a document of another kind or version fails on these, not on a hundred fields.
  const shape = shapeOf(doc);
  if (shape === 'kind') {
    const hasKind = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'kind' in doc;
    const got = hasKind ? `kind ${JSON.stringify(doc.kind)}` : 'no kind';
    throw new SiteFactsError([{ position: hasKind ? at('kind') : start, field: 'kind', message: `not a site facts document (${got}, expected "${SITE_FACTS_KIND}").`, hint: 'Pass the file written by cortex-deploy preflight -i INV --save-facts FILE.' }]);
  }
  if (shape === 'version') {
    throw new SiteFactsError([
      {
        position: 'schemaVersion' in doc! ? at('schemaVersion') : start,
        field: 'schemaVersion',
        message: `schemaVersion ${JSON.stringify(doc!.schemaVersion ?? null)} is not one this cortex-deploy reads (it reads ${SITE_FACTS_VERSION}).`,
        hint: 'Capture the facts again with this version: cortex-deploy preflight -i INV --save-facts FILE.',
      },
    ]);
  }
  const parsed = SiteFacts.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => problemsFromIssue(issue, { source, schema: SiteFacts, data, locate: (p) => p, fallback: start, hints: HINTS }));
    throw new SiteFactsError(sortProblems(dedupe(problems)));
  }
  const dup = duplicateHost(parsed.data);
  if (dup) {
    const name = parsed.data.hosts[dup.at]!.name;
    throw new SiteFactsError([{ position: source.positionOf(['hosts', dup.at, 'name']) ?? start, field: fieldName(['hosts', dup.at, 'name']), message: `host ${name} is listed twice (first as hosts[${dup.first}]).` }]);
  }
  if (parsed.data.hosts.length === 0) throw new SiteFactsError([{ position: at('hosts'), field: 'hosts', message: 'the facts file lists no host.' }]);
  return parsed.data;
}

export async function loadSiteFacts(file: string): Promise<SiteFacts> {
  let text: string;
  try {
    text = await readBoundedFile(file, SITE_FACTS_MAX_BYTES);
  } catch (err) {
    throw new InputError(readFailureText('facts', file, err).detail, { field: '--from-facts', hint: 'Pass the file written by cortex-deploy preflight -i INV --save-facts FILE.' });
  }
  return parseSiteFacts(text, file);
}

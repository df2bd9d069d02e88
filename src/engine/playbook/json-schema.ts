/**
 * The playbook's JSON Schema for editors, generated from the zod document with each resource's real
 * params schema in place. A parameter may also be a {{ }} template (rendered per host at load time), so
 * every typed or constrained value under a resource also accepts a template string.
 * docs/playbook.schema.json is this output; a test keeps them equal.
 */
import { z } from 'zod';
import { RESOURCE_TYPES } from '../../resources/index.js';
import { playbookDocument } from './schema.js';

export const PLAYBOOK_SCHEMA_ID = 'https://cortex-deploy.invalid/schemas/playbook.schema.json';

const TEMPLATE = { type: 'string', pattern: '\\{\\{.*\\}\\}', description: 'A {{ }} template, rendered per host (docs/playbooks.md)' };

type Node = Record<string, unknown>;

/** Leaves (values with a type other than object/array, or an enum) also accept a template string. */
function allowTemplates(node: Node): Node {
  if (node.type === 'object' && node.properties) {
    return { ...node, properties: Object.fromEntries(Object.entries(node.properties as Record<string, Node>).map(([k, v]) => [k, allowTemplates(v)])) };
  }
  if (node.type === 'array' && node.items) return { ...node, items: allowTemplates(node.items as Node) };
  if (Array.isArray(node.anyOf)) return { ...node, anyOf: [...(node.anyOf as Node[]).map(allowTemplates), TEMPLATE] };
  if (node.type === 'string' && node.pattern === undefined && node.enum === undefined && node.format === undefined) return node;
  if (node.type !== undefined || node.enum !== undefined || node.const !== undefined) {
    const { description, default: dflt, ...rest } = node;
    return { ...(description === undefined ? {} : { description }), ...(dflt === undefined ? {} : { default: dflt }), anyOf: [rest, TEMPLATE] };
  }
  return node;
}

export function playbookJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(playbookDocument('editor'), { io: 'input', target: 'draft-2020-12', cycles: 'ref', reused: 'inline', unrepresentable: 'any' }) as Record<string, unknown>;
  const defs = generated.$defs as Record<string, Node>;
  for (const def of ['Step', 'Handler', 'Check']) {
    const props = defs[def]?.properties as Record<string, Node> | undefined;
    if (!props) continue;
    for (const t of RESOURCE_TYPES) if (props[t]) props[t] = allowTemplates(props[t]);
  }
  return { ...generated, $id: PLAYBOOK_SCHEMA_ID };
}

/** The exact text of docs/playbook.schema.json (two-space indent, trailing newline). */
export function playbookJsonSchemaText(): string {
  return `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`;
}

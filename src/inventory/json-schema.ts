/**
 * The inventory's JSON Schema, generated from the zod document schema, for editors (YAML language
 * servers validate and complete with it). docs/inventory.schema.json is this output; a test keeps
 * the committed file equal to it.
 */
import { z } from 'zod';
import { InventoryDocument } from './schema.js';

export const INVENTORY_SCHEMA_ID = 'https://cortex-deploy.invalid/schemas/inventory.schema.json';

export function inventoryJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(InventoryDocument, { io: 'input', target: 'draft-2020-12', cycles: 'ref', reused: 'inline' }) as Record<string, unknown>;
  return { ...generated, $id: INVENTORY_SCHEMA_ID };
}

/** The exact text of docs/inventory.schema.json (two-space indent, trailing newline). */
export function inventoryJsonSchemaText(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}

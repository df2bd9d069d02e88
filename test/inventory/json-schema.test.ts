import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryJsonSchema, inventoryJsonSchemaText } from '../../src/inventory/json-schema.js';

describe('inventory JSON Schema', () => {
  it('docs/inventory.schema.json equals the schema generated from zod (run `node dist/cli/main.js inventory schema > docs/inventory.schema.json`)', () => {
    expect(readFileSync('docs/inventory.schema.json', 'utf8')).toBe(inventoryJsonSchemaText());
  });
  it('describes the design.md keys; a vars level admits your own variables, settings stay strict', () => {
    const s = inventoryJsonSchema() as { $defs: Record<string, { properties?: Record<string, unknown>; additionalProperties?: boolean; pattern?: string }> };
    expect(Object.keys(s.$defs.Vars!.properties!)).toEqual(expect.arrayContaining(['address', 'port', 'transport', 'winrm', 'ssh', 'versions', 'webApps', 'lab']));
    // Your own variables (env: prod) are allowed beside ours; typos of ours are caught by the loader.
    expect(s.$defs.Vars!.additionalProperties).toEqual({});
    const winrm = (s.$defs.Vars!.properties as Record<string, { additionalProperties?: unknown }>).winrm!;
    expect(winrm.additionalProperties).toBe(false);
    expect(Object.keys(s.$defs.Group!.properties!)).toEqual(['vars', 'hosts', 'children']);
    expect(s.$defs.SecretRef!.pattern).toBe('^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt|vault:[A-Za-z0-9+/]+={0,2})$');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { playbookJsonSchema, playbookJsonSchemaText } from '../../src/engine/playbook/json-schema.js';
import { RESOURCE_TYPES } from '../../src/resources/index.js';

describe('playbook JSON Schema', () => {
  it("docs/playbook.schema.json equals the schema generated from zod (regenerate: npm run -s build && node -e \"import('./dist/engine/playbook/json-schema.js').then(m=>process.stdout.write(m.playbookJsonSchemaText()))\" > docs/playbook.schema.json)", () => {
    expect(readFileSync('docs/playbook.schema.json', 'utf8')).toBe(playbookJsonSchemaText());
  });
  it('describes steps with their options and one property per resource type, and rejects unknown keys', () => {
    const s = playbookJsonSchema() as { $defs: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties?: boolean }> };
    const step = s.$defs.Step!;
    expect(Object.keys(step.properties)).toEqual(['id', 'name', 'targets', 'when', 'run_once', 'serial', 'barrier', 'retries', 'timeout', 'notify', 'reboot_policy', ...RESOURCE_TYPES]);
    expect(step.additionalProperties).toBe(false);
    expect(Object.keys(step.properties.package!.properties!)).toEqual(expect.arrayContaining(['name', 'path', 'productCode', 'uninstallKey', 'version']));
  });
  it('a typed resource parameter also accepts a {{ }} template', () => {
    const s = playbookJsonSchema() as { $defs: { Step: { properties: Record<string, { properties: Record<string, { anyOf?: Array<{ pattern?: string; type?: string }> }> }> } } };
    const data = s.$defs.Step.properties.registry_value!.properties.view!;
    expect(data.anyOf?.map((a) => a.pattern ?? a.type)).toEqual(['string', '\\{\\{.*\\}\\}']);
  });
});

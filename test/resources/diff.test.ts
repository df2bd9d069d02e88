/**
 * Resource diffs, one case a file (test/fixtures/resources/<type>/<case>.json): desired params + the
 * current state a Test script returns → the expected action, from and to; or the params error / the
 * diff error a person would see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOURCES, RESOURCE_TYPES, resourceOf } from '../../src/resources/index.js';

const root = join(import.meta.dirname, '../fixtures/resources');

interface Case {
  params: unknown;
  state?: unknown;
  expected?: { action: string; from: unknown; to: unknown };
  /** The component versions the change moves (the resource's upgrades), when the case says. */
  upgrades?: Record<string, { from: string | null; to: string }>;
  paramsError?: string;
  diffError?: string;
}

describe.each(RESOURCE_TYPES)('%s', (type) => {
  const dir = join(root, type);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it('has fixture cases', () => expect(files.length).toBeGreaterThan(1));
  it.each(files)('%s', (file) => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Case;
    const r = resourceOf(type);
    const params = r.params.safeParse(c.params);
    if (c.paramsError) {
      expect(params.success).toBe(false);
      const text = params.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
      expect(text).toMatch(new RegExp(c.paramsError));
      return;
    }
    expect(params.error?.issues ?? []).toEqual([]);
    const state = r.state.parse(c.state);
    if (c.diffError) {
      expect(() => r.diff(params.data, state)).toThrow(new RegExp(c.diffError));
      return;
    }
    expect(r.diff(params.data, state)).toEqual(c.expected);
    if (c.upgrades) expect(r.upgrades?.(params.data, state) ?? {}).toEqual(c.upgrades);
  });
});

describe('resource registry', () => {
  it('lists the generic types first, then the component types, each with a label', () => {
    // The component types (RabbitMQ, Service Fabric, IIS, ...) come after the 13 generic ones, which stay in order.
    expect(RESOURCE_TYPES.slice(0, 13)).toEqual(['package', 'file', 'directory', 'archive', 'windows_feature', 'service', 'env_var', 'registry_value', 'firewall_rule', 'acl', 'scheduled_task', 'exec', 'reboot']);
    expect(RESOURCE_TYPES).toEqual(expect.arrayContaining(['nssm_service', 'sql_schema', 'nservicebus_queues', 'service_fabric_cluster', 'service_fabric_application', 'certificate', 'iis_app_pool', 'iis_site', 'erlang_cookie', 'rabbitmq_plugin', 'rabbitmq_cluster', 'rabbitmq_config']));
    expect(RESOURCES.package.label(RESOURCES.package.params.parse({ name: 'Erlang', path: 'C:\\x.msi', productCode: '{11111111-2222-3333-4444-555555555555}' }))).toBe('package Erlang');
  });
  it('current-state schemas reject a malformed Test result', () => {
    expect(RESOURCES.file.state.safeParse({ exists: true, sha256: 'nothex' }).success).toBe(false);
    expect(RESOURCES.service.state.safeParse({ exists: true }).success).toBe(false);
  });
});

describe('installer exit codes', () => {
  it('3010 and 1641 are success with a reboot required; other codes as listed', async () => {
    const { classifyExitCode } = await import('../../src/resources/index.js');
    expect(classifyExitCode(0, [0, 3010, 1641])).toEqual({ ok: true, rebootRequired: false });
    expect(classifyExitCode(3010, [0, 3010, 1641])).toEqual({ ok: true, rebootRequired: true });
    expect(classifyExitCode(1641, [0, 3010, 1641])).toEqual({ ok: true, rebootRequired: true });
    expect(classifyExitCode(1603, [0, 3010, 1641])).toEqual({ ok: false, rebootRequired: false });
  });
});

/**
 * The inventory's `components:` block (docs/component-config.md, "In the inventory"): validated where it
 * is written (file:line, field), in all.vars only, parsed with its defaults onto the Inventory.
 */
import { describe, expect, it } from 'vitest';
import { parseInventory, InventoryError } from '../../src/inventory/index.js';
import { formatProblem } from '../../src/inventory/problems.js';

const base = (components: string, hostExtra = '') => `all:
  vars:
    transport: local
    components:
${components}
  children:
    app:
      hosts:
        a1: { address: 127.0.0.1${hostExtra} }
`;

function problems(text: string): string[] {
  try {
    parseInventory(text, 'site.yaml');
  } catch (err) {
    if (err instanceof InventoryError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

const SF = `      serviceFabric:
        security: { kind: machineGroup, clusterIdentity: 'LAB\\CortexSfNodes' }
        clientIdentities: [ { identity: 'LAB\\CortexAdmins', isAdmin: true } ]`;

describe('components: in the inventory', () => {
  it('parsed with the generators\' defaults onto the inventory', () => {
    const inv = parseInventory(base(`${SF}\n      rabbitmq: { clusterName: cortex-lab }`), 'site.yaml');
    expect(inv.components?.serviceFabric.security).toEqual({ kind: 'machineGroup', clusterIdentity: 'LAB\\CortexSfNodes' });
    expect(inv.components?.rabbitmq).toMatchObject({ clusterName: 'cortex-lab', base: 'C:\\ProgramData\\RabbitMQ', amqpPort: 5672 });
    expect(inv.components?.gobetween.servers.map((s) => s.name)).toEqual(['api_gateway']);
    expect(inv.components?.sqlPort).toBe(1433);
    expect(inv.components).not.toHaveProperty('machineNames');
    // Not one of the host's own variables.
    expect(inv.hosts[0]!.vars).toEqual({});
  });

  it('absent: no components on the inventory', () => {
    expect(parseInventory('all:\n  vars: { transport: local }\n  hosts: { a1: { address: 127.0.0.1 } }\n', 'site.yaml').components).toBeUndefined();
  });

  it('each wrong value at its line and field, an unknown key with a suggestion', () => {
    const p = problems(base(`${SF}\n      rabbitmq: { amqpPort: 99999 }\n      gobetwen: {}\n      nssm: { nssmExe: 'nssm.exe' }`));
    expect(p).toEqual([
      expect.stringMatching(/^site\.yaml:8:29, field all\.vars\.components\.rabbitmq\.amqpPort: must be at most 65535/),
      expect.stringMatching(/^site\.yaml:9:7, field all\.vars\.components\.gobetwen: unknown key 'gobetwen'\. Did you mean 'gobetween'\?/),
      expect.stringMatching(/^site\.yaml:10:24, field all\.vars\.components\.nssm\.nssmExe: 'nssm\.exe' must be an absolute Windows path/),
    ]);
  });

  it('serviceFabric is required once the block is written; machineNames is not an inventory setting', () => {
    const p = problems(base('      sqlPort: 1433\n      machineNames: { a1: APP1 }'));
    expect(p.some((x) => /field all\.vars\.components\.serviceFabric: /.test(x))).toBe(true);
    expect(p.some((x) => /^site\.yaml:6:7, field all\.vars\.components\.machineNames: unknown key 'machineNames'/.test(x))).toBe(true);
  });

  it('refused at a group or a host: one site, one set of settings', () => {
    expect(problems(base(SF, ', components: {}'))).toEqual([expect.stringMatching(/^site\.yaml:11:35, field all\.children\.app\.hosts\.a1\.components: components: is a setting of the whole site, written in all\.vars only\./)]);
  });
});

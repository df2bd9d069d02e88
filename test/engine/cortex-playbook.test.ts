/**
 * playbooks/cortex.yaml against the example inventories (the lab's Bronze and Gold sites, the 4-server
 * minimum): it loads, its phases are in the install order, each generated file is the generators' text,
 * each firewall step is its role's rule, and a store without a pinned version stops it at load, naming
 * the step and the fix. The lab's own e2e (test/e2e/cortex-install.e2e.test.ts) applies it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { firewallRulesForRole, rabbitmqConf, serviceFabricClusterConfig } from '../../src/components/index.js';
import { parsePlaybook, PlaybookError } from '../../src/engine/playbook/loader.js';
import { stepsOf } from '../../src/engine/playbook/types.js';
import { parseInventory } from '../../src/inventory/index.js';
import { artifactFile, labCatalog } from '../../src/lab/artifacts/catalog.js';

const root = join(import.meta.dirname, '../..');
const file = join(root, 'playbooks/cortex.yaml');
const text = readFileSync(file, 'utf8');
/** The store the lab's synthetic artifacts make (what scripts/demo.sh adds). */
const manifest: Manifest = {
  artifacts: [...labCatalog().byId.values()].filter((a) => a.artifact).map((a) => {
    const f = artifactFile(a.id);
    return { name: a.artifact!.name, version: a.artifact!.version, file: `${a.artifact!.name}/${a.artifact!.version}/${a.fileName}`, sha256: f.sha256, size: f.bytes.length };
  }),
};
const load = (inv: string, m: Manifest = manifest) => {
  const path = join(root, inv);
  const inventory = parseInventory(readFileSync(path, 'utf8'), path);
  return { inventory, pb: parsePlaybook(text, file, inventory, { artifacts: { store: '/srv/store', manifest: m } }) };
};

describe('playbooks/cortex.yaml', () => {
  it('ships with the package', () => {
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files).toContain('playbooks');
  });

  for (const inv of ['examples/lab/inventory.yaml', 'examples/lab/gold-inventory.yaml', 'examples/minimal-4-servers.yaml']) {
    it(`loads for ${inv}: phases in the install order, generated files and firewall rules from the inventory`, () => {
      const { inventory, pb } = load(inv);
      expect(pb.phases.map((p) => p.name)).toEqual(['host-prep', 'rabbitmq-upgrade', 'rabbitmq', 'rabbitmq-cluster', 'service-fabric', 'database', 'web', 'load-balancer', 'cortex-applications', 'gateway']);
      const steps = Object.fromEntries(stepsOf(pb).map((s) => [s.id, s]));
      const hosts = inventory.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles }));
      const app = inventory.groups.app!;
      const c = inventory.components!;
      // The cluster config is written once, on the first app server.
      expect(steps['sf-cluster-config']!.hosts).toEqual([app[0]]);
      expect(steps['sf-cluster-config']!.params[app[0]!]).toMatchObject({ content: serviceFabricClusterConfig(hosts, c.serviceFabric).text });
      for (const h of app) {
        expect(steps['rabbitmq-conf']!.params[h]).toMatchObject({ path: 'C:\\ProgramData\\RabbitMQ\\rabbitmq.conf', content: rabbitmqConf(hosts, c.rabbitmq) });
        expect(steps['rabbitmq-nodename']!.params[h]).toMatchObject({ value: `rabbit@${h}` });
        expect(steps['stage-erlang']!.params[h]).toMatchObject({ path: 'C:\\ProgramData\\CortexInstall\\artifacts\\erlang\\27.3.4\\otp_win64_27.3.4.exe', source: '/srv/store/erlang/27.3.4/otp_win64_27.3.4.exe' });
      }
      // One step per rule of each role's list, in order, each exactly the rule.
      const fw = { serviceFabric: c.serviceFabric, gobetween: c.gobetween, rabbitmq: c.rabbitmq, sqlPort: c.sqlPort };
      for (const role of ['app', 'web', 'lb', 'db'] as const) {
        // A step whose rule the inventory does not have (fw-web-from-lb without a balanced web server) targets no host.
        const fwSteps = stepsOf(pb).filter((s) => s.resource === 'firewall_rule' && s.id.startsWith(`fw-${role}-`) && s.hosts.length > 0);
        const rules = firewallRulesForRole(role, fw).map((r) => r.params);
        expect(fwSteps.map((s) => s.params[s.hosts[0]!])).toEqual(rules);
        expect(fwSteps.map((s) => s.id)).toEqual(rules.map((r) => r.name.replace(/^cortex-/, 'fw-')));
      }
      // The gateway phase drains each web server at the load balancer where a gobetween server balances the
      // web role (the Bronze site); elsewhere its drain params render to null: no drain.
      const drain = pb.phases.find((p) => p.name === 'gateway')!.drain!;
      expect(drain.on).toEqual(inventory.groups.lb);
      const web = inventory.groups.web!;
      if (c.gobetween.servers?.some((s) => s.role === 'web')) {
        for (const h of web) {
          const address = inventory.hosts.find((x) => x.name === h)!.address;
          expect(drain.before.params[h], h).toEqual({ server: 'web_gateway', backend: `${address}:443`, state: 'drained', timeoutSec: 300, installDir: 'C:\\Program Files\\gobetween', api: '127.0.0.1:8888' });
          expect(drain.after.params[h], h).toMatchObject({ server: 'web_gateway', state: 'live' });
        }
        expect(steps['gobetween-healthcheck-cmd-2']!.params[inventory.groups.lb![0]!]).toMatchObject({ path: 'C:\\Program Files\\gobetween\\healthcheck-web-gateway.cmd' });
      } else {
        expect(drain.before.hosts).toEqual([]);
        expect(drain.after.hosts).toEqual([]);
        expect(steps['gobetween-healthcheck-cmd-2']!.hosts).toEqual([]);
      }
      // The joins one node at a time to the first app server's node; the cluster-wide steps and the Service
      // Fabric cluster once, from the first app server, over every app server.
      expect(steps['rabbitmq-join']!.serial).toEqual({ count: 1 });
      for (const h of app) expect(steps['rabbitmq-join']!.params[h]).toEqual({ seed: `rabbit@${app[0]}` });
      for (const id of ['rabbitmq-config', 'nservicebus-queues', 'sf-cluster', 'cortex-apps']) expect(steps[id]!.hosts, id).toEqual([app[0]]);
      // NServiceBus's licence on every app server, from the inventory's file: reference made absolute.
      expect(steps['nservicebus-license']!.hosts).toEqual(app);
      const licenseRef = (inventory.components!.nservicebus.license ?? '').replace(/^file:/, '');
      expect(steps['nservicebus-license']!.params[app[0]!]).toEqual({ license: `file:${join(dirname(join(root, inv)), licenseRef)}`, path: 'C:\\ProgramData\\ParticularSoftware\\license.xml' });
      expect(steps['sf-cluster']!.params[app[0]!]).toMatchObject({ nodes: app, runAs: { password: 'env:CORTEX_SF_INSTALL_PASSWORD' } });
      // The Gateway: one web server at a time, its site bound to the certificate the step before imports.
      expect(pb.phases.find((p) => p.name === 'gateway')!.serial).toEqual({ count: 1 });
      for (const h of inventory.groups.web!) {
        const thumbprint = (steps['gateway-certificate']!.params[h] as { thumbprint: string }).thumbprint;
        expect(steps['gateway-site']!.params[h]).toMatchObject({ bindings: [{ protocol: 'https', port: 443, thumbprint }] });
      }
      // .NET 4.8 only where facts say it is older than 4.7.1.
      expect(steps.dotnet48!.when?.text).toBe('facts.dotnetRelease == null or facts.dotnetRelease < 461308');
    });
  }

  it('a pinned version missing from the store stops it at load: the step, the artifact, the fix', () => {
    const without = { artifacts: manifest.artifacts.filter((a) => a.name !== 'erlang') };
    let err: unknown;
    try {
      load('examples/lab/inventory.yaml', without);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaybookError);
    const messages = (err as PlaybookError).problems.map((p) => `${p.message} ${p.hint ?? ''}`);
    expect(messages).toContain("step 'stage-erlang' needs the artifact erlang 27.3.4, and the artifact store /srv/store does not hold it. Add it: cortex-deploy artifacts add FILE --store /srv/store --name erlang --version 27.3.4 (docs/artifacts.md); or name another store with --store.");
    expect(messages.some((m) => m.startsWith("step 'erlang' needs the artifact erlang 27.3.4"))).toBe(true);
  });
});

/**
 * The install order and its barriers (docs/playbooks.md, "The Cortex install"; B1-B7) held by
 * playbooks/cortex.yaml's structure, for the lab's Bronze and Gold sites. Phases run in order, each
 * starting when the previous one has finished on every host, so a step in an earlier phase is done on
 * every host before a later phase starts; within a phase, a host runs its steps in order, and a step
 * with `barrier: true` waits for every host of the phase. Each rule below names the barrier it keeps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { parsePlaybook } from '../../src/engine/playbook/loader.js';
import { stepsOf, type Playbook, type Step } from '../../src/engine/playbook/types.js';
import { parseInventory } from '../../src/inventory/index.js';
import { artifactFile, labCatalog } from '../../src/lab/artifacts/catalog.js';

const root = join(import.meta.dirname, '../..');
const file = join(root, 'playbooks/cortex.yaml');
const manifest: Manifest = {
  artifacts: [...labCatalog().byId.values()].filter((a) => a.artifact).map((a) => {
    const f = artifactFile(a.id);
    return { name: a.artifact!.name, version: a.artifact!.version, file: `${a.artifact!.name}/${a.artifact!.version}/${a.fileName}`, sha256: f.sha256, size: f.bytes.length };
  }),
};

/** Where each step sits: its phase's index and its index in the phase. */
function positions(pb: Playbook): Map<string, { phase: number; index: number; step: Step }> {
  const out = new Map<string, { phase: number; index: number; step: Step }>();
  pb.phases.forEach((ph, phase) => ph.steps.forEach((step, index) => out.set(step.id, { phase, index, step })));
  return out;
}

/**
 * Why `first` is finished before `then` starts, or null when nothing makes it so: an earlier phase (on
 * every host), or earlier in the same phase with a barrier on `then`, or on the same hosts in order.
 */
function ordering(pb: Playbook, first: string, then: string): 'phase' | 'barrier' | 'same host' | null {
  const at = positions(pb);
  const a = at.get(first);
  const b = at.get(then);
  if (!a || !b) throw new Error(`no step ${!a ? first : then}`);
  if (a.phase < b.phase) return 'phase';
  if (a.phase > b.phase || a.index >= b.index) return null;
  if (a.step.hosts.every((h) => b.step.barrier?.includes(h))) return 'barrier';
  return b.step.hosts.every((h) => a.step.hosts.includes(h)) ? 'same host' : null;
}

for (const inv of ['examples/lab/inventory.yaml', 'examples/lab/gold-inventory.yaml']) {
  describe(`playbooks/cortex.yaml's barriers on ${inv}`, () => {
    const path = join(root, inv);
    const inventory = parseInventory(readFileSync(path, 'utf8'), path);
    const pb = parsePlaybook(readFileSync(file, 'utf8'), file, inventory, { artifacts: { store: '/srv/store', manifest } });
    const steps = Object.fromEntries(stepsOf(pb).map((s) => [s.id, s]));
    const app = inventory.groups.app!;
    const web = inventory.groups.web!;
    const first = (id: string, then: string) => expect(ordering(pb, id, then), `${id} before ${then}`).not.toBeNull();

    it('B2: every node runs RabbitMQ, with the cookie, before the first join (the phase boundary)', () => {
      for (const id of ['erlang-cookie', 'rabbitmq', 'rabbitmq-service', 'rabbitmq-management']) expect(ordering(pb, id, 'rabbitmq-join')).toBe('phase');
    });

    it('B3: the joins one node at a time, every join done before the cluster-wide configuration; NServiceBus after it', () => {
      expect(steps['rabbitmq-join']!.serial).toEqual({ count: 1 });
      expect(ordering(pb, 'rabbitmq-join', 'rabbitmq-config')).toBe('barrier');
      expect(steps['rabbitmq-config']!.barrier).toEqual(expect.arrayContaining(app));
      // The queues need the vhost, users and feature flags; the licence is a file, needed only before the endpoints start (below).
      first('rabbitmq-config', 'nservicebus-queues');
      first('nservicebus-tool', 'nservicebus-queues');
    });

    it('B4, B5: node prep on every app server before the cluster is created, once; the Cortex applications after it, the broker and the database', () => {
      for (const id of ['sf-remote-registry', 'sf-firewall-service', 'sf-remote-uac', 'fw-app-servicefabric']) expect(ordering(pb, id, 'sf-cluster'), id).not.toBeNull();
      expect(steps['sf-cluster']!.barrier).toEqual(expect.arrayContaining(app));
      expect(steps['sf-cluster']!.hosts).toEqual([app[0]]);
      for (const id of ['sf-cluster', 'rabbitmq-config', 'nservicebus-license', 'nservicebus-queues', 'db-schema']) expect(ordering(pb, id, 'cortex-apps'), id).toBe('phase');
    });

    it("B6: the Cortex applications (the API Gateway Service gobetween balances) only after gobetween runs on the balancer", () => {
      for (const id of ['gobetween-toml', 'gobetween-service', 'gobetween-running', 'fw-app-gateway-from-lb', 'fw-lb-gobetween']) expect(ordering(pb, id, 'cortex-apps'), id).toBe('phase');
    });

    it('B7: the Gateway after its dependencies (applications, balancer, IIS, URL Rewrite), one web server at a time; its HTTPS binding only after its certificate on that server', () => {
      const gateway = pb.phases.find((p) => p.name === 'gateway')!;
      expect(pb.phases.at(-1)).toBe(gateway);
      expect(gateway.serial).toEqual({ count: 1 });
      for (const id of ['cortex-apps', 'gobetween-running', 'iis-web-server', 'iis-web-asp-net45', 'url-rewrite', 'gateway-certificate', 'fw-web-http']) expect(ordering(pb, id, 'gateway-site'), id).toBe('phase');
      for (const id of ['gateway-unpack', 'gateway-pool', 'gateway-acl']) expect(ordering(pb, id, 'gateway-site'), id).toBe('same host');
      for (const h of web) {
        const cert = steps['gateway-certificate']!.params[h] as { thumbprint: string };
        const site = steps['gateway-site']!.params[h] as { bindings: Array<{ protocol: string; thumbprint?: string }> };
        for (const b of site.bindings.filter((x) => x.protocol === 'https')) expect(b.thumbprint, h).toBe(cert.thumbprint);
        expect(steps['gateway-certificate']!.hosts).toContain(h);
      }
    });

    it('the rule itself: a step in the same phase on other hosts, without a barrier, is not ordered', () => {
      expect(ordering(pb, 'sf-remote-registry', 'sf-package')).toBe('same host');
      expect(ordering(pb, 'gateway-site', 'gateway-pool')).toBeNull();
      expect(ordering(pb, 'cortex-apps', 'db-schema')).toBeNull();
    });
  });
}

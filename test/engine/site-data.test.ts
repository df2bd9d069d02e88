/**
 * Site data in playbook templates (docs/playbooks.md, "Site data"): components.* from the inventory's
 * components block through the config generators, artifacts.* from the store's manifest for the versions
 * each host pins; and the load errors when either is missing, each at the step's file:line.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/index.js';
import { parsePlaybook, PlaybookError } from '../../src/engine/playbook/loader.js';
import { stepsOf } from '../../src/engine/playbook/types.js';
import { firewallRulesForRole, gobetweenConfig, gobetweenNssmService, rabbitmqConf, serviceFabricClusterConfig } from '../../src/components/index.js';
import type { Manifest } from '../../src/artifacts/manifest.js';

const root = join(import.meta.dirname, '../..');
const invFile = join(root, 'examples/lab/inventory.yaml');
const inv = parseInventory(readFileSync(invFile, 'utf8'), invFile);
/** The example site without a Cortex release pinned. */
const noCortex = parseInventory(readFileSync(invFile, 'utf8').replace(/^\s*cortex: "1\.0\.0".*\n/m, ''), invFile);
const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
const ERLANG_SHA = 'a'.repeat(64);
const manifest: Manifest = { artifacts: [{ name: 'erlang', version: '27.3.4', file: 'erlang/27.3.4/otp_win64_27.3.4.exe', sha256: ERLANG_SHA, size: 1234 }] };
const store = { store: '/tmp/cx-store', manifest };

const PLAYBOOK = `
name: site data
phases:
  - name: prep
    steps:
      - id: erlang-staged
        targets: { roles: [app] }
        file:
          path: '{{ artifacts.erlang.hostPath }}'
          source: '{{ artifacts.erlang.localPath }}'
          sha256: '{{ artifacts.erlang.sha256 }}'
      - id: cluster-config
        targets: { roles: [app] }
        file: { path: 'C:\\ProgramData\\SF\\ClusterConfig.json', content: '{{ components.clusterConfigJson }}' }
      - id: rabbitmq-conf
        targets: { roles: [app] }
        file: { path: 'C:\\ProgramData\\RabbitMQ\\rabbitmq.conf', content: '{{ components.rabbitmqConf }}' }
      - id: node-name
        targets: { roles: [app] }
        env_var: { name: RABBITMQ_NODENAME, value: '{{ components.rabbitmqEnvironment[1].value }}' }
      - id: seed
        targets: { roles: [app] }
        env_var: { name: CORTEX_SEED, value: '{{ components.rabbitmqSeedNodeName }}' }
      - id: app-fw-0
        targets: { roles: [app] }
        firewall_rule: '{{ components.roleFirewallRules.app[0] }}'
      - id: lb-toml
        targets: { roles: [lb] }
        file: { path: '{{ components.gobetweenInstallDir }}\\gobetween.toml', content: '{{ components.gobetweenToml }}' }
      - id: lb-check
        targets: { roles: [lb] }
        file: { path: '{{ components.healthcheckScriptPath }}', content: '{{ components.healthcheckScript }}' }
      - id: lb-service
        targets: { roles: [lb] }
        env_var: { name: CORTEX_LB_SERVICE, value: '{{ components.nssmGobetween.serviceName }}' }
`;

describe('site data in templates', () => {
  const pb = parsePlaybook(PLAYBOOK, 'site-data.yaml', inv, { artifacts: store });
  const steps = Object.fromEntries(stepsOf(pb).map((s) => [s.id, s]));
  const hosts = inv.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles }));

  it('artifacts.<name>: hostPath under C:\\ProgramData\\CortexInstall\\artifacts, localPath in the store, the manifest hash', () => {
    expect(steps['erlang-staged']!.params.app2).toEqual({
      path: 'C:\\ProgramData\\CortexInstall\\artifacts\\erlang\\27.3.4\\otp_win64_27.3.4.exe',
      source: '/tmp/cx-store/erlang/27.3.4/otp_win64_27.3.4.exe',
      sha256: ERLANG_SHA,
      state: 'present',
    });
  });

  it('components.*: the generators\' text, written as content with its SHA-256', () => {
    const cc = serviceFabricClusterConfig(hosts, inv.components!.serviceFabric).text;
    expect(cc).toContain('"ClusterIdentity": "LAB\\\\CortexSfNodes"');
    expect(steps['cluster-config']!.params.app1).toEqual({ path: 'C:\\ProgramData\\SF\\ClusterConfig.json', content: cc, sha256: sha(cc), state: 'present' });
    expect((steps['rabbitmq-conf']!.params.app3 as { content: string }).content).toBe(rabbitmqConf(hosts, inv.components!.rabbitmq));
    expect((steps['rabbitmq-conf']!.params.app3 as { content: string }).content).toContain('cluster_name = cortex-lab');
    const gob = gobetweenConfig(hosts, inv.components!.gobetween);
    expect(steps['lb-toml']!.params.lb1).toMatchObject({ path: 'C:\\Program Files\\gobetween\\gobetween.toml', content: gob.files[0]!.text });
    expect(steps['lb-check']!.params.lb1).toMatchObject({ path: 'C:\\Program Files\\gobetween\\gobetween-healthcheck.ps1', content: readFileSync(join(root, 'ps1/files/gobetween-healthcheck.ps1'), 'utf8') });
    expect(steps['lb-service']!.params.lb1).toMatchObject({ value: gobetweenNssmService(inv.components!.gobetween, inv.components!.nssm).serviceName });
  });

  it('per host: the RabbitMQ node name from the inventory host name; the seed is the first app server', () => {
    expect(steps['node-name']!.params.app2).toMatchObject({ name: 'RABBITMQ_NODENAME', value: 'rabbit@app2' });
    for (const h of ['app1', 'app2', 'app3']) expect(steps.seed!.params[h]).toMatchObject({ value: 'rabbit@app1' });
  });

  it('per host: components.firewallRules is the rules of all the host\'s roles', () => {
    const pb2 = parsePlaybook("name: fw\nphases:\n  - name: p\n    steps:\n      - { id: first-rule, targets: { roles: [web, app, db, lb] }, firewall_rule: '{{ components.firewallRules[0] }}' }\n", 'fw.yaml', inv, { artifacts: store });
    const first = stepsOf(pb2)[0]!;
    expect(Object.fromEntries(Object.entries(first.params).map(([h, p]) => [h, (p as { name: string }).name]))).toEqual({
      web1: 'cortex-web-http', web2: 'cortex-web-http', app1: 'cortex-app-rabbitmq-cluster', app2: 'cortex-app-rabbitmq-cluster', app3: 'cortex-app-rabbitmq-cluster', db1: 'cortex-db-sqlserver', lb1: 'cortex-lb-gobetween',
    });
  });

  it('a firewall rule object from components.roleFirewallRules becomes the firewall_rule params', () => {
    expect(steps['app-fw-0']!.params.app1).toEqual(firewallRulesForRole('app', { serviceFabric: inv.components!.serviceFabric, gobetween: inv.components!.gobetween, rabbitmq: inv.components!.rabbitmq, sqlPort: inv.components!.sqlPort })[0]!.params);
  });
});

function problems(text: string, i = inv, s: Parameters<typeof parsePlaybook>[3] = { artifacts: store }): string[] {
  try {
    parsePlaybook(text, 'p.yaml', i, s);
  } catch (err) {
    if (err instanceof PlaybookError) return err.problems.map((p) => `${p.position.line}: ${p.message} | ${p.hint ?? ''}`);
    throw err;
  }
  return [];
}

const one = (body: string) => `name: x\nphases:\n  - name: p\n    steps:\n${body}`;

describe('site data: load errors', () => {
  it('an artifact the store does not hold: the step, the artifact and the artifacts add command', () => {
    const p = problems(one("      - id: rabbit-staged\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', source: '{{ artifacts.rabbitmq.localPath }}', sha256: '{{ artifacts.rabbitmq.sha256 }}' }\n"));
    expect(p).toEqual([
      "7: step 'rabbit-staged' needs the artifact rabbitmq 4.1.4, and the artifact store /tmp/cx-store does not hold it. | Add it: cortex-deploy artifacts add FILE --store /tmp/cx-store --name rabbitmq --version 4.1.4 (docs/artifacts.md); or name another store with --store.",
    ]);
  });

  it('no store manifest at all, and a store that cannot be read', () => {
    const body = one("      - id: erl\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', source: '{{ artifacts.erlang.localPath }}', sha256: 'a' }\n");
    expect(problems(body, inv, { artifacts: { store: 'artifacts', manifest: null } })[0]).toMatch(/^7: step 'erl' needs the artifact erlang 27\.3\.4, and the artifact store artifacts has no manifest\.yaml\. \| Add it: cortex-deploy artifacts add FILE --store artifacts --name erlang --version 27\.3\.4/);
    expect(problems(body, inv, { artifacts: { store: 'artifacts', manifest: null, error: 'artifacts/manifest.yaml:3:1: bad.' } })[0]).toMatch(/the artifact store artifacts cannot be read \(artifacts\/manifest\.yaml:3:1: bad\)/);
  });

  it('a version the host does not pin', () => {
    expect(problems(one("      - id: x\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', source: '{{ artifacts.cortexGateway.localPath }}', sha256: 'a' }\n"), noCortex)[0]).toMatch(/^7: step 'x' reads artifacts\.cortexGateway, and the inventory pins no version of cortex\. \| Set versions\.cortex/);
  });

  it('components.* without a components block in the inventory', () => {
    const bare = parseInventory('all:\n  vars: { transport: local }\n  children:\n    app: { hosts: { a1: { address: 127.0.0.1 } } }\n', '/tmp/bare.yaml');
    expect(problems(one("      - id: cc\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', content: '{{ components.rabbitmqConf }}' }\n"), bare)).toEqual([
      "7: 'components.rabbitmqConf' needs the inventory's components: block, and /tmp/bare.yaml has none. | Add components: to all.vars with at least serviceFabric.security and serviceFabric.clientIdentities (docs/component-config.md).",
    ]);
  });

  it('a generator that refuses the inventory fails only the templates that read it, with its message', () => {
    const text = readFileSync(invFile, 'utf8').replace('- { name: api_gateway, role: app, backendPort: 8443, bindPort: 8443 }', '- { name: api_gateway, role: app, backendPort: 8443, bindPort: 8443, healthCheck: { interval: 5s, timeout: 5s } }');
    expect(text).toContain('timeout: 5s');
    const bad = parseInventory(text, invFile);
    const p = problems(one("      - id: cc\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', content: '{{ components.clusterConfigJson }}' }\n      - id: toml\n        targets: { roles: [lb] }\n        file: { path: 'C:\\y', content: '{{ components.gobetweenToml }}' }\n"), bad);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^10: components\.gobetweenToml cannot be generated from the inventory: gobetween: healthCheck\.timeout of api_gateway \(5s\) is not shorter than its interval \(5s\); checks would overlap \(field servers\[0\]\.healthCheck\.timeout\); the components block is at .*inventory\.yaml:\d+\. \| Make the timeout shorter/);
  });

  it("components.nservicebusLicense: the inventory's file: reference made absolute from the inventory's folder; without one, only a step that reads it is refused", () => {
    const lic = one("      - id: nsb\n        targets: { roles: [app] }\n        nservicebus_license: { license: '{{ components.nservicebusLicense }}' }\n");
    const pbl = parsePlaybook(lic, '/elsewhere/p.yaml', inv, { artifacts: store });
    expect(stepsOf(pbl)[0]!.params.app1).toEqual({ license: `file:${join(root, 'examples/lab/nservicebus-license.xml')}`, path: 'C:\\ProgramData\\ParticularSoftware\\license.xml' });
    const without = parseInventory(readFileSync(invFile, 'utf8').replace(/^\s*nservicebus: \{ license: .*\n/m, ''), invFile);
    expect(without.components!.nservicebus).toEqual({});
    expect(problems(lic, without)[0]).toMatch(/^7: components\.nservicebusLicense cannot be generated from the inventory: components\.nservicebus\.license is not set.*\| Name Particular's license\.xml in the inventory: components: \{ nservicebus: \{ license: file:license\.xml \} \}/);
    expect(problems(one("      - id: cc\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', content: '{{ components.rabbitmqConf }}' }\n"), without)).toEqual([]);
  });

  it('a typo under components is an unknown variable, with the roots templates read', () => {
    expect(problems(one("      - id: cc\n        targets: { roles: [app] }\n        file: { path: 'C:\\x', content: '{{ components.clusterConfigJSON }}' }\n"))[0]).toMatch(/^7: in \{\{ components\.clusterConfigJSON \}\}: 'components\.clusterConfigJSON' is not defined\. \| Templates read host, versions, hosts\.<name>, groups\.<name>, vars, components and artifacts/);
  });
});

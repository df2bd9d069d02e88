import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory, InventoryError } from '../../src/inventory/loader.js';
import { clearSecretsForTests, redact } from '../../src/secrets/registry.js';
import { InputError } from '../../src/errors.js';

const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory', name));

async function loadError(name: string): Promise<InventoryError> {
  try {
    await loadInventory(fixture(name));
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return err as InventoryError;
  }
  throw new Error(`${name} loaded without error`);
}

afterEach(() => clearSecretsForTests());

describe('loadInventory: the lab example', () => {
  it('loads 7 hosts with roles, web apps, defaults and inherited vars', async () => {
    const inv = await loadInventory('examples/lab/inventory.yaml');
    expect(inv.file).toBe(resolve('examples/lab/inventory.yaml'));
    expect(inv.hosts.map((h) => h.name)).toEqual(['web1', 'web2', 'app1', 'app2', 'app3', 'db1', 'lb1']);
    expect(inv.hosts.map((h) => h.address)).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4', '127.0.1.5', '127.0.1.6', '127.0.1.7']);
    const web1 = inv.hosts[0]!;
    expect(web1).toMatchObject({ roles: ['web'], groups: ['web'], webApps: ['gateway'], transport: 'winrm' });
    expect(web1.winrm).toEqual({
      scheme: 'http',
      port: 5985,
      auth: 'ntlm',
      user: 'LAB\\cortex',
      password: 'env:CORTEX_LAB_PASSWORD',
      certificate: null,
      allowUnencrypted: false,
      tls: { ca: null, serverName: null, insecure: false },
      operationTimeoutSec: 20,
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      maxResponseSizeKb: null,
    });
    expect(web1.versions).toMatchObject({ erlang: '27.3.4', rabbitmq: '4.1.4', serviceFabric: '10.1', gobetween: '0.8.2', nssm: '2.24-101' });
    expect(web1.position).toEqual({ file: 'examples/lab/inventory.yaml', line: expect.any(Number), col: 9 });
    expect(inv.groups).toMatchObject({ web: ['web1', 'web2'], app: ['app1', 'app2', 'app3'], db: ['db1'], lb: ['lb1'] });
    expect(inv.groups.all).toHaveLength(7);
    expect(inv.hosts.find((h) => h.name === 'lb1')!.roles).toEqual(['lb']);
  });

  it('the minimal example gives one host two roles by listing it in two groups', async () => {
    const inv = await loadInventory('examples/minimal-4-servers.yaml');
    expect(inv.hosts.map((h) => [h.name, h.roles])).toEqual([
      ['srv1', ['web', 'app']],
      ['srv2', ['app', 'db']],
      ['srv3', ['app']],
      ['srv4', ['lb']],
    ]);
    expect(inv.hosts[0]!.winrm.port).toBe(5986); // https default
  });
});

describe('loadInventory: inheritance all → group → host', () => {
  it('merges mappings key by key, the most specific level wins', async () => {
    const inv = await loadInventory(fixture('inheritance.yaml'));
    const byName = Object.fromEntries(inv.hosts.map((h) => [h.name, h]));
    const app1 = byName.app1!;
    expect(app1.winrm.port).toBe(15986);
    expect(app1.winrm.scheme).toBe('https');
    expect(app1.winrm.tls).toEqual({ ca: 'file:certs/ca.pem', serverName: 'app.corp.example.com', insecure: false });
    expect(app1.versions).toEqual({ erlang: '27.3.4', rabbitmq: '4.1.5' });
    expect(app1.groups).toEqual(['app', 'site_a']);
    expect(byName.app2!.winrm.user).toBe('CORP\\other');
    expect(byName.app2!.winrm.password).toBe('env:CORTEX_TEST_PW');
    expect(byName.app2!.lab).toEqual({ ramGB: 2, cpuCores: 4 });
    expect(byName.app2!.labPath).toEqual(['all', 'children', 'app', 'hosts', 'app2', 'lab']);
    expect(inv.positionOf([...byName.app2!.labPath, 'ramGB'])).toMatchObject({ line: 19 });
    expect(app1.labPath).toEqual(['all', 'vars', 'lab']);
    expect(byName.app2!.varSources).toMatchObject({
      'lab.ramGB': ['all', 'children', 'app', 'hosts', 'app2', 'lab', 'ramGB'],
      'lab.cpuCores': ['all', 'vars', 'lab', 'cpuCores'],
      'winrm.port': ['all', 'children', 'app', 'vars', 'winrm', 'port'],
    });
    expect(inv.positionOf(byName.app2!.varSources!['lab.cpuCores']!)).toMatchObject({ line: 11 });
    // Host-level `port` applies to the host's transport.
    expect(byName.app3!).toMatchObject({ transport: 'ssh', port: 2222 });
    expect(byName.app3!.ssh).toMatchObject({ port: 2222, user: 'admin', key: 'file:~/.ssh/id_ed25519', agent: false, knownHosts: null });
    // No address: the host name is the address.
    expect(byName.web1!.address).toBe('web1');
    expect(byName.web1!.versions).toEqual({ erlang: '27.3.4', rabbitmq: '4.1.4' });
    expect(inv.groups.site_a).toEqual(['app1', 'app2', 'app3']);
  });
});

describe('loadInventory: errors name file:line:col, the field, what is allowed', () => {
  it('unknown key with the nearest valid key', async () => {
    const err = await loadError('typo-key.yaml');
    expect(err.message).toContain(`${fixture('typo-key.yaml')}:4:7`);
    expect(err.message).toContain('field all.vars.winrm.auht');
    expect(err.message).toContain("unknown key 'auht'. Did you mean 'auth'?");
    expect(err.message).toContain('Allowed here: scheme, port, auth,');
    expect(err.exitCode).toBe(3);
    expect(err.context.position).toEqual({ file: fixture('typo-key.yaml'), line: 4, col: 7 });
  });

  it('wrong enum value lists the allowed values and suggests one', async () => {
    const err = await loadError('wrong-enum.yaml');
    expect(err.message).toContain(`${fixture('wrong-enum.yaml')}:4:20`);
    expect(err.message).toContain('field all.vars.winrm.auth');
    expect(err.message).toContain("Did you mean 'ntlm'?");
    expect(err.message).toContain('Allowed: ntlm | basic | kerberos | negotiate | certificate.');
  });

  it('a literal password is refused, not echoed, and registered for redaction', async () => {
    const err = await loadError('literal-password.yaml');
    expect(err.message).toContain(`${fixture('literal-password.yaml')}:5:17`);
    expect(err.message).toContain('field all.vars.winrm.password');
    expect(err.message).toContain('env:NAME');
    expect(err.message).not.toContain('Sup3rSecretLiteral');
    expect(redact('echo Sup3rSecretLiteral')).toBe('echo ********');
  });

  it('bad YAML syntax', async () => {
    const err = await loadError('bad-yaml.yaml');
    expect(err.message).toMatch(new RegExp(`${fixture('bad-yaml.yaml').replace(/[.]/g, '\\.')}:\\d+:\\d+`));
    expect(err.message).toContain('YAML syntax');
    expect(err.context.position?.line).toBeGreaterThanOrEqual(3);
  });

  it('a host written twice in one map', async () => {
    const err = await loadError('duplicate-key.yaml');
    expect(err.message).toContain(`${fixture('duplicate-key.yaml')}:8:9`);
    expect(err.message).toContain('unique');
  });

  it('host names that differ only in case', async () => {
    const err = await loadError('duplicate-host-case.yaml');
    expect(err.message).toContain(`${fixture('duplicate-host-case.yaml')}:10:9`);
    expect(err.message).toContain("duplicate host name 'APP1'");
  });

  it('two hosts with one address', async () => {
    const err = await loadError('duplicate-address.yaml');
    expect(err.message).toContain(`${fixture('duplicate-address.yaml')}:11:25`);
    expect(err.message).toContain("duplicate address '10.0.0.2': host 'app2' has it too");
  });

  it('a host listed twice with different values', async () => {
    const err = await loadError('conflicting-listings.yaml');
    expect(err.message).toContain(`${fixture('conflicting-listings.yaml')}:10:26`);
    expect(err.message).toContain("host 'srv1' is listed more than once with different values for 'address'");
  });

  it('cross-field rule after merging points at the line that set the value: Basic over HTTP', async () => {
    const err = await loadError('basic-over-http.yaml');
    expect(err.message).toContain(`${fixture('basic-over-http.yaml')}:5:13`);
    expect(err.message).toContain('field all.vars.winrm.auth');
    expect(err.message).toContain('allowUnencrypted: true');
    expect(err.problems).toHaveLength(1); // reported once, not once per host
  });

  it('an unquoted version number', async () => {
    const err = await loadError('version-number.yaml');
    expect(err.message).toContain(`${fixture('version-number.yaml')}:5:22`);
    expect(err.message).toContain('Quote version numbers: "10.1"');
  });

  it('webApps on a host outside the web group', async () => {
    const err = await loadError('webapps-not-web.yaml');
    expect(err.message).toContain(`${fixture('webapps-not-web.yaml')}:7:45`);
    expect(err.message).toContain('not in the web group');
  });

  it('an empty file', async () => {
    const err = await loadError('empty.yaml');
    expect(err.message).toContain(`${fixture('empty.yaml')}:1:1`);
    expect(err.message).toContain('expected a mapping');
  });

  it('a missing file is an InputError (exit 3) naming the file', async () => {
    await expect(loadInventory('no/such/inventory.yaml')).rejects.toThrow(InputError);
    await expect(loadInventory('no/such/inventory.yaml')).rejects.toThrow('inventory file not found: no/such/inventory.yaml');
  });

  it('artifacts: how store artifacts reach a host, merged level by level (default push); a bad value or address is refused with file:line', () => {
    const inv = parseInventory(
      ['all:', '  vars:', '    transport: local', '    artifacts: { transfer: pull }', '  children:', '    app:', '      hosts:', '        app1: { address: 127.0.0.1, artifacts: { pullAddress: 127.0.0.9 } }', '        app2: { address: 127.0.0.2, artifacts: { transfer: push } }', '    db:', '      hosts: { db1: { address: 127.0.0.3 } }', ''].join('\n'),
      'site.yaml',
    );
    const by = (n: string) => inv.hosts.find((h) => h.name === n)!.artifacts;
    expect(by('app1')).toEqual({ transfer: 'pull', pullAddress: '127.0.0.9' });
    expect(by('app2')).toEqual({ transfer: 'push' });
    expect(by('db1')).toEqual({ transfer: 'pull' });
    expect(parseInventory('all:\n  vars: { transport: local }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 } }\n', 's.yaml').hosts[0]!.artifacts).toEqual({ transfer: 'push' });
    expect(() => parseInventory('all:\n  vars: { transport: local, artifacts: { transfer: scp } }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 } }\n', 's.yaml')).toThrow(/s\.yaml:2:.*field all\.vars\.artifacts\.transfer/);
    expect(() => parseInventory('all:\n  vars: { transport: local, artifacts: { pullAddress: "a b" } }\n  children:\n    app:\n      hosts: { app1: { address: 127.0.0.1 } }\n', 's.yaml')).toThrow(/artifacts\.pullAddress/);
  });

  it('reports every problem at once, in file order', () => {
    const text = ['all:', '  vars:', '    transprot: winrm', '    winrm: { scheme: htps, port: 99999 }', '  childs: {}', ''].join('\n');
    try {
      parseInventory(text, 'site.yaml');
      expect.unreachable();
    } catch (err) {
      const e = err as InventoryError;
      expect(e.problems.map((p) => [p.position.line, p.field])).toEqual([
        [3, 'all.vars.transprot'],
        [4, 'all.vars.winrm.scheme'],
        [4, 'all.vars.winrm.port'],
        [5, 'all.childs'],
      ]);
      expect(e.message).toContain("Did you mean 'transport'?");
      expect(e.message).toContain("Did you mean 'https'?");
      expect(e.message).toContain('site.yaml:4:34, field all.vars.winrm.port: must be at most 65535.');
      expect(e.message).toContain("unknown key 'childs'. Did you mean 'children'?");
    }
  });

  it('required settings missing after merge point at the host', () => {
    const text = ['all:', '  children:', '    app:', '      hosts:', '        app1: { address: 10.0.0.1 }', ''].join('\n');
    expect(() => parseInventory(text, 'site.yaml')).toThrow(/site\.yaml:5:9, field all\.children\.app\.hosts\.app1\.winrm\.user: winrm\.user is required for auth ntlm/);
  });

  it('ssh needs a user and a way to authenticate', () => {
    const text = ['all:', '  vars: { transport: ssh, ssh: { user: admin } }', '  hosts:', '    h1: { address: 10.0.0.1 }', ''].join('\n');
    expect(() => parseInventory(text, 'site.yaml')).toThrow(/site\.yaml:2:32, field all\.vars\.ssh: transport ssh needs a way to authenticate/);
  });

  it('Ansible variables that are not read are accepted, ignored and listed once', () => {
    const text = ['all:', '  vars: { transport: local, ansible_become: true }', '  hosts:', '    app1: { ansible_become: true, ansible_winrm_message_encryption: auto, ansible_python_interpreter: /usr/bin/python3 }', ''].join('\n');
    const inv = parseInventory(text, 'site.yaml');
    expect(inv.ignoredAnsible?.map((i) => `${i.key} ${i.position.line}:${i.position.col}`)).toEqual(['ansible_become 2:29', 'ansible_winrm_message_encryption 4:35', 'ansible_python_interpreter 4:75']);
    expect(inv.hosts[0]!.vars).toEqual({});
  });

  it('host and group names are kept to a safe alphabet', () => {
    const text = ['all:', '  hosts:', '    "app 1": {}', '  children:', '    "web*":', '      hosts: { web1: {} }', ''].join('\n');
    expect(() => parseInventory(text, 'site.yaml')).toThrow(/site\.yaml:3:5, field all\.hosts\.app 1: host name 'app 1' has characters that are not allowed/);
    expect(() => parseInventory(text, 'site.yaml')).toThrow(/site\.yaml:5:5, field all\.children\.web\*: group name 'web\*'/);
  });

  it.each([
    ['all:\n  hosts:\n    app1: 10.0.0.1\n', 's.yaml:3:11, field all.hosts.app1: expected a mapping (key: value), got a string "10.0.0.1". A host\'s entry is a mapping of its vars: app1: { address: 10.0.0.1 }'],
    ['all:\n  hosts:\n    - app1\n', 's.yaml:3:5, field all.hosts: expected a mapping (key: value), got a list. hosts is a mapping of host name → vars, not a list'],
    ['all:\n  children:\n    app:\n      - app1\n', 's.yaml:4:7, field all.children.app: expected a mapping (key: value), got a list. A group is a mapping of vars, hosts and children'],
    ['all:\n  vars:\n    webApps: gateway\n', 's.yaml:3:14, field all.vars.webApps: expected a list, got a string "gateway". Write a list: webApps: [gateway].'],
  ])('shape mistakes say what was meant: %j', (text, expected) => {
    expect(() => parseInventory(text, 's.yaml')).toThrow(expected);
  });

  it('top-level groups get a hint to move them under all.children', () => {
    expect(() => parseInventory('all: {}\nweb:\n  hosts: {}\n', 'site.yaml')).toThrow(/site\.yaml:2:1, field web: unknown key 'web'\. Allowed here: all\. Groups go under all\.children/);
  });
});

describe('loadInventory: YAML features', () => {
  it('anchors and merge keys (<<: *defaults) work as in Ansible inventories', () => {
    const text = [
      'all:',
      '  vars:',
      '    winrm: &w { user: svc-cortex, password: env:CORTEX_TEST_PW, port: 5985 }',
      '  children:',
      '    app:',
      '      hosts:',
      '        app1: { address: 10.0.0.1, winrm: { <<: *w, port: 15985 } }',
      '        app2: { address: 10.0.0.2, winrm: *w }',
      '',
    ].join('\n');
    const inv = parseInventory(text, 'site.yaml');
    expect(inv.hosts.map((h) => [h.winrm.user, h.winrm.port])).toEqual([
      ['svc-cortex', 15985],
      ['svc-cortex', 5985],
    ]);
  });

  it('records where each secret reference was written', async () => {
    const inv = await loadInventory(fixture('inheritance.yaml'));
    const app3 = inv.hosts.find((h) => h.name === 'app3')!;
    expect(app3.refSources).toEqual({
      'winrm.password': ['all', 'vars', 'winrm', 'password'],
      'winrm.tls.ca': ['all', 'vars', 'winrm', 'tls', 'ca'],
      'ssh.key': ['all', 'children', 'app', 'hosts', 'app3', 'ssh', 'key'],
    });
    expect(inv.positionOf(app3.refSources!['winrm.password']!)).toMatchObject({ line: 8, col: 17 });
  });
});


import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory, InventoryError } from '../../src/inventory/loader.js';
import { clearSecretsForTests } from '../../src/secrets/registry.js';

const site = relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/ansible/site'));
const dirs: string[] = [];

/** An inventory folder from a map of relative path → text. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-vars-'));
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return join(dir, 'hosts.yml');
}

async function problems(file: string): Promise<string[]> {
  try {
    await loadInventory(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as InventoryError).problems.map((p) => `${relative(dirname(file), p.position.file)}:${p.position.line}:${p.position.col} ${p.field}: ${p.message}`);
  }
  throw new Error('loaded without error');
}

afterEach(() => {
  clearSecretsForTests();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HOSTS = ['all:', '  children:', '    win:', '      vars: { ansible_user: inline-group }', '      children:', '        app:', '          hosts:', '            app1: { ansible_host: 10.0.0.1, ansible_user: inline-host }', '            app2: { ansible_host: 10.0.0.2 }', ''].join('\n');

describe('group_vars/ and host_vars/ beside the inventory', () => {
  it('an Ansible inventory directory loads unedited, in Ansible precedence', async () => {
    const inv = await loadInventory(join(site, 'hosts.yml'));
    const host = (n: string) => inv.hosts.find((h) => h.name === n)!;
    // all.yml → windows.yml (parent) → the role group → host_vars.
    expect(host('web01').winrm).toMatchObject({ user: 'CORP\\svc-cortex', password: 'env:CORTEX_WINRM_PASSWORD', scheme: 'https', port: 5986, auth: 'negotiate', tls: { ca: 'file:certs/corp-ca.pem' } });
    expect(host('web01').webApps).toEqual(['gateway']);
    // host_vars over group_vars.
    expect(host('web02')).toMatchObject({ address: '10.20.0.112', webApps: ['liveportal'] });
    // A folder of files per group: all of them.
    expect(host('app01').winrm).toMatchObject({ operationTimeoutSec: 60, requestTimeoutMs: 70_000 });
    expect(host('app01').versions).toEqual({ rabbitmq: '4.1.4' });
    // group_vars/db.yml over db's inline vars.
    expect(host('db01').winrm).toMatchObject({ auth: 'kerberos', spn: 'HTTP/sql.corp.example.com' });
    // Where a value was set is the vars file and line.
    expect(inv.positionOf(host('db01').varSources!['winrm.auth']!)).toEqual({ file: join(site, 'group_vars/db.yml'), line: 2, col: 26 });
    expect(inv.positionOf(host('web02').varSources!.address!)).toEqual({ file: join(site, 'host_vars/web02.yml'), line: 1, col: 15 });
  });

  it('group_vars win over inline group vars, host_vars over inline host vars, host over group', async () => {
    const file = folder({
      'hosts.yml': HOSTS,
      'group_vars/all.yml': 'ansible_password: env:PW\nansible_user: from-all\n',
      'group_vars/win.yml': 'ansible_user: group-file\n',
      'host_vars/app1.yml': 'ansible_user: host-file\n',
    });
    const inv = await loadInventory(file);
    expect(inv.hosts.map((h) => h.winrm.user)).toEqual(['host-file', 'group-file']);
  });

  it("lab settings in group_vars and host_vars are levels of the host's lab profile", async () => {
    const file = folder({
      'hosts.yml': HOSTS,
      'group_vars/all.yml': 'ansible_password: env:PW\nlab: { ramGB: 16 }\n',
      'group_vars/app.yml': 'lab:\n  cpuCores: 2\n',
      'host_vars/app1.yml': 'lab: { preset: low-disk }\n',
    });
    const inv = await loadInventory(file);
    const app1 = inv.hosts[0]!;
    expect(app1.labLayers!.map((l) => l.lab)).toEqual([{ ramGB: 16 }, { cpuCores: 2 }, { preset: 'low-disk' }]);
    expect(inv.positionOf([...app1.labLayers![1]!.path, 'cpuCores'])).toEqual({ file: join(dirname(file), 'group_vars/app.yml'), line: 2, col: 13 });
  });

  it('errors in a vars file name that file, line and field', async () => {
    const file = folder({
      'hosts.yml': HOSTS,
      'group_vars/all.yml': 'ansible_password: env:PW\n',
      'group_vars/win.yml': '# comment\nwinrm:\n  auht: ntlm\n',
      'host_vars/app2.yml': 'ansible_password: "{{ vault_pw }}"\n',
    });
    expect(await problems(file)).toEqual(["host_vars/app2.yml:1:19 ansible_password: is a Jinja expression; cortex-deploy reads only {{ lookup('env', 'NAME') }}."]);
    writeFileSync(join(dirname(file), 'host_vars/app2.yml'), 'ansible_password: hunter2\n');
    const out = await problems(file);
    expect(out).toEqual([
      "group_vars/win.yml:3:3 winrm.auht: unknown key 'auht'. Did you mean 'auth'?",
      'host_vars/app2.yml:1:19 ansible_password: secrets are never written literally in the inventory. Write a reference instead: env:NAME (an environment variable), file:PATH (a file holding only the secret) or prompt (asked on the terminal).',
    ]);
  });

  it('a vars file for a group or host the inventory does not have is an error, never ignored', async () => {
    const file = folder({ 'hosts.yml': HOSTS, 'group_vars/all.yml': 'ansible_password: env:PW\n', 'group_vars/wbe.yml': 'webApps: [gateway]\n', 'host_vars/app9/main.yml': '{}\n', 'group_vars/README.md': '# notes\n' });
    expect(await problems(file)).toEqual([
      'group_vars/README.md:1:1 (file): group_vars files are YAML (.yml, .yaml, .json or no extension); this one is not read.',
    ]);
    rmSync(join(dirname(file), 'group_vars/README.md'));
    expect(await problems(file)).toEqual([
      "group_vars/wbe.yml:1:1 (file): group_vars for 'wbe', but the inventory has no group 'wbe': its settings would apply to nothing.",
      "host_vars/app9/main.yml:1:1 (file): host_vars for 'app9', but the inventory has no host 'app9': its settings would apply to nothing.",
    ]);
  });

  it('YAML syntax errors in a vars file name it', async () => {
    const file = folder({ 'hosts.yml': HOSTS, 'group_vars/all.yml': 'ansible_password: [env:PW\n' });
    const out = await problems(file);
    expect(out[0]).toMatch(/^group_vars\/all\.yml:\d+:\d+ \(yaml\): YAML syntax/);
  });
});

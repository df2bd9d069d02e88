/** Your own variables and other tools' ansible_* settings in an inventory; typos of our keys stay errors. */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, InventoryError } from '../../src/inventory/loader.js';
import { checkInventoryFile } from '../../src/inventory/check.js';
import { classifyKey, typoDistance } from '../../src/inventory/custom-vars.js';
import { inventoryScope, hostScope } from '../../src/engine/playbook/scope.js';
import { renderValue } from '../../src/engine/playbook/template.js';

const fixture = (name: string) => relative(process.cwd(), join(import.meta.dirname, '../fixtures/inventory/custom-vars', name));

describe('classifyKey', () => {
  it.each([
    ['address', 'own'],
    ['ansible_host', 'ansible-read'],
    ['ansible_become', 'ansible-ignored'],
    ['ansible_python_interpreter', 'ansible-ignored'],
    ['ansible_ssh_host', 'ansible-ignored'],
    ['ansible_hots', 'typo'],
    ['ansible_winrm_transprot', 'typo'],
    ['env', 'custom'],
    ['host', 'custom'],
    ['ntp_server', 'custom'],
    ['adress', 'typo'],
    ['transprot', 'typo'],
    ['winmr', 'typo'],
    ['WebApps', 'typo'],
    ['prot', 'typo'],
    ['version', 'typo'],
    ['hosts', 'structure'],
    ['winrm.port', 'bad-name'],
    ['db_password', 'secret-like'],
    ['apiToken', 'secret-like'],
    ['bypass_proxy', 'custom'],
  ])('%s is %s', (key, kind) => {
    expect(classifyKey(key).kind).toBe(kind);
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(typoDistance('prot', 'port')).toBe(1);
    expect(typoDistance('host', 'port')).toBe(2);
  });
});

describe('an Ansible inventory with its own variables', () => {
  it('loads; your variables are merged as Ansible merges them (the most specific wins, a mapping replaces)', async () => {
    const inv = await loadInventory(fixture('hosts.yml'));
    const vars = (name: string) => inv.hosts.find((h) => h.name === name)!.vars;
    expect(vars('web01')).toEqual({ env: 'prod', ntp_server: 'ntp1.corp.example.com', owner: { team: 'platform', pager: '+1-555-0100' }, site_name: 'cortex.corp.example.com', rack: 'R12' });
    // group_vars/app.yml wins over all.vars; the host's owner mapping replaces all's as a whole.
    expect(vars('app01')).toEqual({ env: 'prod', ntp_server: 'ntp2.corp.example.com', owner: { team: 'integration' }, rabbit_vhost: 'cortex' });
    expect(vars('app02')).toMatchObject({ owner: { team: 'platform', pager: '+1-555-0100' } });
    expect(inv.hosts.find((h) => h.name === 'web01')!.winrm.user).toBe('CORP\\svc-cortex');
  });

  it('playbook templates read them as host.vars.NAME (and hosts.NAME.vars.NAME)', async () => {
    const inv = await loadInventory(fixture('hosts.yml'));
    const shared = inventoryScope(inv);
    const r = renderValue({ ntp: '{{ host.vars.ntp_server }}', web: '{{ hosts.web01.vars.rack }}-{{ host.vars.env }}' }, hostScope(shared, 'app01'));
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ ntp: 'ntp2.corp.example.com', web: 'R12-prod' });
  });

  it('inventory check lists the ignored ansible_* settings once, as a note, with where each is first written', async () => {
    const doc = await checkInventoryFile(fixture('hosts.yml'), { CORTEX_WINRM_PASSWORD: 'x' });
    const notes = doc.findings.filter((f) => f.severity === 'info');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.id).toBe('inventory.ansible-ignored');
    expect(notes[0]!.message).toContain('ansible_become (');
    expect(notes[0]!.message).toMatch(/ansible_become \([^)]*hosts\.yml:7:5; cortex-deploy uses nothing: cortex-deploy connects as an administrator/);
    expect(notes[0]!.message).toMatch(/ansible_python_interpreter \([^)]*hosts\.yml:8:5\)/);
    expect(notes[0]!.message).toMatch(/ansible_winrm_kinit_mode \([^)]*group_vars\/app\.yml:3:1\)/);
  });

  it('a misspelt key of ours, a misplaced group key, a dotted key and a secret-like name are errors with the line', async () => {
    let err: unknown;
    try {
      await loadInventory(fixture('typos.yaml'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InventoryError);
    const lines = (err as InventoryError).problems.map((p) => `${p.position.line}:${p.position.col} ${p.field}: ${p.message}`);
    expect(lines).toEqual([
      "5:5 all.vars.transprot: unknown key 'transprot'. Did you mean 'transport'?",
      "6:5 all.vars.ansible_hots: unknown key 'ansible_hots'. Did you mean 'ansible_host'?",
      "9:7 all.hosts.app1.adress: unknown key 'adress'. Did you mean 'address'?",
      "10:7 all.hosts.app1.WebApps: unknown key 'WebApps'. Did you mean 'webApps'?",
      expect.stringMatching(/^11:7 all\.hosts\.app1\.winrm\.port: 'winrm\.port' is not a variable name/),
      expect.stringMatching(/^12:7 all\.hosts\.app1\.db_password: 'db_password' looks like a secret/),
      expect.stringMatching(/^13:7 all\.hosts\.app1\.hosts: 'hosts' is a group key/),
    ]);
  });
});

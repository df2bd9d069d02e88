/**
 * preflight --save-facts (docs/site-facts.md): the document has every host's facts and the inventory's
 * shape, and none of the inventory's secrets: not a password read from env:, not an SSH key or its
 * passphrase, not a client certificate's private key, not even the references or the account names.
 * The CLI command runs for real with fake hosts (no sockets); the secrets are resolved as for a real run.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempInventory } from '../helpers/site.js';
import { runPreflightCommand } from '../../src/cli/commands/preflight.js';
import { makeSelfSignedCert } from '../../src/lab/winrm/cert.js';
import { parseSiteFacts, SiteFactsError } from '../../src/preflight/site-facts-file.js';
import { SITE_FACTS_VERSION } from '../../src/preflight/site-facts.js';
import { fakeConnect } from './fake-hosts.js';
import { sink } from '../helpers/sink.js';

const { dir, inventory } = tempInventory(
  'cortex-site-facts-',
  `all:
  vars:
    transport: winrm
    winrm: { scheme: http, port: 5985, auth: ntlm, user: 'CORP\\svc-twin-secret', password: env:CORTEX_TWIN_TEST_PASSWORD }
    ssh: { user: svc-ssh-secret, key: file:id_ed25519, passphrase: env:CORTEX_TWIN_TEST_PASSPHRASE }
    versions: { erlang: "27.3.4", rabbitmq: "4.1.4" }
    components:
      serviceFabric:
        security: { kind: machineGroup, clusterIdentity: 'CORP\\CortexSfNodes' }
        clientIdentities: [ { identity: 'CORP\\CortexAdmins', isAdmin: true } ]
      rabbitmq: { clusterName: cortex-site }
    # Own variables: public data, carried; one that holds a secret reference is left out.
    mailRelay: { host: smtp.corp.example.com, login: env:CORTEX_TWIN_TEST_RELAY_LOGIN }
  children:
    web:
      vars: { gatewayHostName: gateway.corp.example.com, gatewayThumbprint: 916909FF7E3500C69B3B1E8184640F8E907D679C }
      hosts: { web1: { address: 10.0.0.11, webApps: [gateway] } }
    app:
      hosts:
        app1: { address: 10.0.0.21, transport: ssh }
        app2: { address: 10.0.0.22, winrm: { scheme: https, port: 5986, auth: certificate, certificate: { cert: file:client.pem, key: file:client.key } } }
        app3: { address: 10.0.0.23 }
    db:
      hosts: { db1: { address: 10.0.0.31 } }
    lb:
      hosts: { lb1: { address: 10.0.0.41 } }
`,
);
const PASSWORD = 'Twin-S3cret-Pa55word!';
const PASSPHRASE = 'Twin-Key-Passphrase-77';
const ssh = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const client = makeSelfSignedCert(['cortex@lab.test'], 'cortex-client');
writeFileSync(join(dir, 'id_ed25519'), ssh.privateKey, { mode: 0o600 });
writeFileSync(join(dir, 'client.pem'), client.cert);
writeFileSync(join(dir, 'client.key'), client.key, { mode: 0o600 });

/** The PEM body lines of a key: any 20 characters of one would be a leak. */
function pemLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length >= 20 && !l.startsWith('-----'));
}

describe('preflight --save-facts', () => {
  it('writes every host, its facts and its shape, and no secret of the inventory', async () => {
    process.env.CORTEX_TWIN_TEST_PASSWORD = PASSWORD;
    process.env.CORTEX_TWIN_TEST_PASSPHRASE = PASSPHRASE;
    const file = join(dir, 'out', 'site.facts.json');
    const stderr = sink();
    // The fake hosts: app3 refuses the login, lb1 cannot be reached; the others answer.
    const { connect } = fakeConnect({ app3: { connectError: 'auth' }, lb1: { connectError: 'unreachable' }, web1: { skewMs: 90_000 } });
    const code = await runPreflightCommand({ inventory, forks: 4, json: true, timeout: 30, saveFacts: file }, { stdout: sink(), stderr, color: false, runDir: null, connect });
    expect(code).toBe(2);
    expect(stderr.text()).toContain(`Site facts: ${file}`);
    const text = readFileSync(file, 'utf8');

    const doc = parseSiteFacts(text, file);
    expect(doc.schemaVersion).toBe(SITE_FACTS_VERSION);
    expect(doc.inventory).toBe('site.yaml');
    expect(doc.hosts.map((h) => [h.name, h.roles, h.transport, h.session])).toEqual([
      ['web1', ['web'], 'winrm', 'connected'],
      ['app1', ['app'], 'ssh', 'connected'],
      ['app2', ['app'], 'winrm', 'connected'],
      ['app3', ['app'], 'winrm', 'auth'],
      ['db1', ['db'], 'winrm', 'connected'],
      ['lb1', ['lb'], 'winrm', 'unreachable'],
    ]);
    const web1 = doc.hosts[0]!;
    expect(web1.webApps).toEqual(['gateway']);
    expect(web1.versions).toEqual({ erlang: '27.3.4', rabbitmq: '4.1.4' });
    expect(web1.facts?.computerName).toBe('WEB1');
    expect(web1.clockSkewMs).toBeGreaterThan(80_000);
    // What the install reads besides the facts: the component settings, the Gateway's own variables.
    expect(doc.components?.serviceFabric.clientIdentities).toEqual([{ identity: 'CORP\\CortexAdmins', isAdmin: true }]);
    expect(doc.components?.rabbitmq.clusterName).toBe('cortex-site');
    expect(web1.vars).toEqual({ gatewayHostName: 'gateway.corp.example.com', gatewayThumbprint: '916909FF7E3500C69B3B1E8184640F8E907D679C' });
    expect(web1.varsLeftOut).toEqual(['mailRelay']);
    expect(doc.hosts[4]!.vars).toEqual({});
    expect(doc.hosts[1]!.ssh).toEqual({ port: 22 });
    expect(doc.hosts[2]!.winrm).toEqual({ scheme: 'https', port: 5986, auth: 'certificate' });
    expect(doc.hosts[3]!.facts).toBeNull();
    // app1 reached its peers (the reach probe ran): what it measured is kept for the twin.
    expect(doc.hosts[1]!.reach?.targets.map((t) => t.name)).toContain('db1');

    // No secret, no reference to one, no account name.
    for (const secret of [PASSWORD, PASSPHRASE, ...pemLines(ssh.privateKey), ...pemLines(client.key)]) expect(text).not.toContain(secret);
    for (const ref of ['CORTEX_TWIN_TEST_PASSWORD', 'CORTEX_TWIN_TEST_PASSPHRASE', 'CORTEX_TWIN_TEST_RELAY_LOGIN', 'env:', 'file:', 'id_ed25519', 'client.key', 'client.pem', 'svc-twin-secret', 'svc-ssh-secret', 'PRIVATE KEY', 'CERTIFICATE']) {
      expect(text).not.toContain(ref);
    }
  });

  it('refuses a path that is a folder before any host is probed (exit 3 through the CLI)', async () => {
    const { connect, stats } = fakeConnect();
    await expect(runPreflightCommand({ inventory, forks: 4, json: true, timeout: 30, saveFacts: dir }, { stdout: sink(), stderr: sink(), color: false, runDir: null, connect })).rejects.toThrow(
      /--save-facts .* is a folder/,
    );
    expect(stats.calls).toEqual([]);
  });
});

describe('reading a facts file', () => {
  const valid = () => ({ kind: 'cortex-deploy/site-facts', schemaVersion: 2, capturedAt: '2026-12-02T07:00:00.000Z', toolVersion: '0.1.0', inventory: 'site.yaml', components: null, hosts: [] as unknown[] });
  const problem = (text: string) => {
    try {
      parseSiteFacts(text, 'site.facts.json');
    } catch (e) {
      expect(e).toBeInstanceOf(SiteFactsError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('names file:line:col and the field for each kind of bad file', () => {
    expect(problem('{\n  "kind": "cortex-deploy/site-facts",\n  "schemaVersion": 7\n}')).toMatch(/^site\.facts\.json:3:20, field schemaVersion: schemaVersion 7 is not one this cortex-deploy reads \(it reads 2\)\./);
    expect(problem('{\n  "kind": "cortex-deploy/site-facts",\n}')).toMatch(/^site\.facts\.json:3:1, field \(json\): not valid JSON: /);
    expect(problem('{ "kind": "cortex-deploy/site-facts", "schemaVersion": ')).toMatch(/^site\.facts\.json:1:\d+, field \(json\): not valid JSON: Unexpected end of the file\./);
    expect(problem('{\n  "kind": "cortex-deploy/inventory"\n}')).toMatch(/^site\.facts\.json:2:11, field kind: not a site facts document \(kind "cortex-deploy\/inventory"/);
    expect(problem('[1, 2]')).toMatch(/^site\.facts\.json:1:1, field kind: not a site facts document \(no kind/);
    expect(problem(JSON.stringify(valid(), null, 2))).toMatch(/field hosts: the facts file lists no host\./);
    // Hostile files: refused with a position, never a crash or a stack overflow.
    expect(problem('['.repeat(100_000) + ']'.repeat(100_000))).toMatch(/^site\.facts\.json:1:\d+, field \(json\): JSON nested deeper than 64 levels\./);
    expect(problem('{"__proto__": {"kind": "cortex-deploy/site-facts"}}')).toMatch(/^site\.facts\.json:1:2, field \(json\): the key '__proto__' is not allowed\./);
    const proto = JSON.stringify({ ...valid(), hosts: [{ name: 'web1' }] }).replace('"name"', '"\\u005f_proto__": {}, "name"');
    expect(problem(proto)).toMatch(/field \(json\): the key '__proto__' is not allowed\./);
    expect(problem('')).toMatch(/^site\.facts\.json:1:1, field \(json\): not valid JSON: Unexpected end of the file\./);
    const wrongField = { ...valid(), hosts: [{ name: 'web1' }] };
    expect(problem(JSON.stringify(wrongField, null, 2))).toMatch(/site\.facts\.json:\d+:\d+, field hosts\[0\]\.address: is required/);
  });
});

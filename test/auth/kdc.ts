/**
 * A private MIT Kerberos realm for one test file: Debian's krb5kdc on a free loopback port, its
 * database, krb5.conf and keytab in a temp folder (KRB5_CONFIG / KRB5_KDC_PROFILE point there; the
 * machine's /etc/krb5.conf and /etc/hosts are never read or changed). Passwords reach kdb5_util,
 * kadmin.local and kinit on stdin, never on a command line. Needs krb5-kdc, krb5-admin-server and
 * krb5-user (scripts/setup.sh installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKdc {
  realm: string;
  dir: string;
  port: number;
  /** krb5.conf for clients and the acceptor (set as KRB5_CONFIG). */
  krb5Conf: string;
  /** The keytab holding every service principal added with addService. */
  keytab: string;
  /** Environment for child processes (pywinrm, kinit): KRB5_CONFIG. */
  env: Record<string, string>;
  addUser(name: string, password: string): Promise<void>;
  /** A service principal with a random key, exported to the keytab (e.g. HTTP/web01.cortex.test). */
  addService(spn: string): Promise<void>;
  /** kinit into `ccache` (FILE:… or DIR:…), optionally with a short lifetime such as `3s`. */
  kinit(principal: string, password: string, ccache: string, lifetime?: string): Promise<void>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(stdin);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startKdc(realm = 'CORTEX.TEST'): Promise<TestKdc> {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-kdc-'));
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  const keytab = join(dir, 'http.keytab');
  const domain = realm.toLowerCase();
  let kdc: ChildProcess | null = null;
  let port = 0;
  const env = () => ({ ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf, LC_ALL: 'C' });

  for (let attempt = 0; attempt < 5 && !kdc; attempt++) {
    port = await freePort();
    writeFileSync(
      krb5Conf,
      [
        '[libdefaults]',
        `  default_realm = ${realm}`,
        '  dns_lookup_kdc = false',
        '  dns_lookup_realm = false',
        '  dns_canonicalize_hostname = false',
        '  rdns = false',
        // TCP only: one port to find free, and no UDP retransmission waits.
        '  udp_preference_limit = 1',
        '  kdc_timesync = 1',
        `  default_ccache_name = FILE:${join(dir, 'ccache-default')}`,
        `  default_keytab_name = FILE:${keytab}`,
        '[realms]',
        `  ${realm} = {`,
        `    kdc = 127.0.0.1:${port}`,
        '  }',
        '[domain_realm]',
        `  .${domain} = ${realm}`,
        `  ${domain} = ${realm}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      kdcConf,
      [
        '[kdcdefaults]',
        `  kdc_listen = 127.0.0.1:${port}`,
        `  kdc_tcp_listen = 127.0.0.1:${port}`,
        '[realms]',
        `  ${realm} = {`,
        `    database_name = ${join(dir, 'principal')}`,
        `    key_stash_file = ${join(dir, 'stash')}`,
        `    acl_file = ${join(dir, 'kadm5.acl')}`,
        '    max_life = 10h',
        '    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal',
        '  }',
        '[logging]',
        `  kdc = FILE:${join(dir, 'kdc.log')}`,
        '',
      ].join('\n'),
    );
    if (attempt === 0) {
      const master = randomBytes(12).toString('hex');
      const r = await run('kdb5_util', ['create', '-s', '-r', realm], env(), `${master}\n${master}\n`);
      if (r.code !== 0) throw new Error(`kdb5_util create failed: ${r.out}`);
    }
    // Through a shell that stops the KDC when its stdin closes: when this test process ends in any
    // way (even killed), the pipe closes and no KDC is left behind.
    const child = spawn('sh', ['-c', 'krb5kdc -n -r "$1" & k=$!; read _; kill $k; wait $k', 'sh', realm], { env: env(), stdio: ['pipe', 'ignore', 'ignore'] });
    let exited = false;
    child.once('exit', () => (exited = true));
    for (let i = 0; i < 100 && !exited; i++) {
      if (await listening(port)) {
        kdc = child;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!kdc) {
      child.stdin?.end();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!kdc) throw new Error(`krb5kdc did not start; log: ${(() => { try { return readFileSync(join(dir, 'kdc.log'), 'utf8'); } catch { return 'none'; } })()}`);
  const proc = kdc;

  const kadmin = async (query: string) => {
    const r = await run('kadmin.local', ['-r', realm], env(), `${query}\n`);
    if (r.code !== 0 || /error|not found|cannot/i.test(r.out.replace(/No policy specified[^\n]*\n/g, ''))) throw new Error(`kadmin.local failed: ${r.out}`);
  };

  return {
    realm,
    dir,
    port,
    krb5Conf,
    keytab,
    env: { KRB5_CONFIG: krb5Conf },
    // Pre-authentication required, as Active Directory does: a wrong password is refused by the KDC.
    addUser: (name, password) => kadmin(`addprinc +requires_preauth -pw ${password} ${name}`),
    async addService(spn) {
      await kadmin(`addprinc -randkey ${spn}`);
      await kadmin(`ktadd -k ${keytab} ${spn}`);
    },
    async kinit(principal, password, ccache, lifetime) {
      const r = await run('kinit', [...(lifetime ? ['-l', lifetime] : []), principal], { ...env(), KRB5CCNAME: ccache }, `${password}\n`);
      if (r.code !== 0) throw new Error(`kinit ${principal} failed: ${r.out}`);
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.stdin?.end();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

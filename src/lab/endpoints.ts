/**
 * The lab's endpoints: WinRM listeners (HTTP and HTTPS on each WinRM host's address, one certificate
 * for all, written to the state folder) with the hosts' faults and counters wired into the server's
 * hooks, and the SSH endpoint for hosts with transport ssh (a real sshd, started only when needed).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from './dispatcher.js';
import { findFileKey } from './handlers/paths.js';
import type { HostRegistry } from './host-registry.js';
import type { LabHostRuntime } from './state/host.js';
import type { LabHostState } from './state/types.js';
import { makeSelfSignedCert, startWinrmLab, type LabServerHooks, type WinrmLab } from './winrm/index.js';

export interface SshEndpointInfo {
  port: number;
  clientKeyPath: string;
  knownHostsPath: string;
  user: string;
}

export interface EndpointOptions {
  registry: HostRegistry;
  dispatcher: Dispatcher;
  stateDir: string;
  persist(state: LabHostState): Promise<void>;
  /** Write the host's state written behind now (a shell's Delete waits for it: docs/lab.md#state). */
  settle?(host: string): Promise<void>;
  /** Accept Kerberos on HTTPS with this keytab (docs/authentication.md). */
  kerberos?: { keytab: string; realm?: string };
  /** Ports, for tests only (default the real 5985 / 5986). */
  httpPort?: number;
  httpsPort?: number;
}

export interface LabEndpoints {
  /** PEM of the HTTPS certificate (trust it as a CA: `winrm.tls.ca`). */
  readonly certPath: string;
  /** Start the WinRM listeners of every WinRM host. */
  startWinrm(): Promise<void>;
  /** Start the SSH endpoint for the ssh hosts (none: nothing started). */
  startSsh(): Promise<void>;
  /** Open or close one host's listeners or SSH address. */
  setHostUp(rt: LabHostRuntime, up: boolean): Promise<void>;
  /** The host's WinRM URLs, once its listeners started. */
  winrmUrls(name: string): { http: string | null; https: string | null } | undefined;
  /** WinRS shells open on a WinRM host now (undefined: not a WinRM host). */
  openShells(name: string): number | undefined;
  ssh(): SshEndpointInfo | null;
  close(): Promise<void>;
}

interface SshHandle extends SshEndpointInfo {
  close(): Promise<void>;
  setHostUp(address: string, up: boolean): Promise<void>;
}

export async function prepareEndpoints(o: EndpointOptions): Promise<LabEndpoints> {
  const winrmHosts = o.registry.all().filter((h) => h.transport === 'winrm');
  const sshHosts = o.registry.all().filter((h) => h.transport === 'ssh');
  const tlsDir = join(o.stateDir, 'tls');
  const cert = makeSelfSignedCert(['localhost', ...winrmHosts.flatMap((h) => [h.ref.name, h.ref.address])], 'cortex-lab');
  await mkdir(tlsDir, { recursive: true });
  const certPath = join(tlsDir, 'cert.pem');
  await writeFile(certPath, cert.cert);

  let winrm: WinrmLab | null = null;
  let ssh: SshHandle | null = null;
  let urls = new Map<string, { http: string | null; https: string | null }>();

  const hooks: LabServerHooks = {
    onRequest: async (ref) => {
      const rt = o.registry.get(ref.name);
      if (!rt) return { action: 'continue' };
      rt.counters.requests++;
      if (rt.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, rt.faults.latencyMs));
      const d = rt.faults.nextRequest();
      if (d.action !== 'continue') rt.counters.faults++;
      return d;
    },
    refuseAuth: (ref) => {
      const rt = o.registry.get(ref.name);
      const refuse = rt?.faults.refuseAuth() ?? false;
      if (refuse && rt) rt.counters.faults++;
      return refuse;
    },
    onShellCreated: (ref) => {
      const rt = o.registry.get(ref.name);
      if (rt) rt.counters.shells++;
    },
    onShellDeleted: async (ref) => {
      await o.settle?.(ref.name);
    },
    onTooLarge: (ref) => {
      const rt = o.registry.get(ref.name);
      if (rt) rt.counters.tooLarge++;
    },
  };

  return {
    certPath,
    async startWinrm() {
      winrm = await startWinrmLab({
        hosts: winrmHosts.map((h) => {
          const spec = o.registry.spec(h.ref.name)!;
          return {
            ref: h.ref,
            users: spec.users,
            http: spec.http ?? true,
            https: spec.https ?? true,
            maxEnvelopeSizeKb: h.profile.maxEnvelopeSizeKb,
            clockSkewSec: h.profile.clockSkewSec,
            ...(spec.certificateMappings ? { certificateMappings: spec.certificateMappings } : {}),
          };
        }),
        dispatcher: o.dispatcher,
        tls: cert,
        ...(o.kerberos ? { kerberos: o.kerberos } : {}),
        ...(o.httpPort !== undefined ? { httpPort: o.httpPort } : {}),
        ...(o.httpsPort !== undefined ? { httpsPort: o.httpsPort } : {}),
        hooks,
      });
      urls = new Map(winrm.addresses().map((a) => [a.name, { http: a.http, https: a.https }]));
    },
    async startSsh() {
      if (sshHosts.length === 0) return;
      // Imported lazily: the SSH endpoint needs Debian's sshd, which a WinRM-only lab never touches.
      const { startLabSsh } = await import('./ssh/index.js');
      const s = await startLabSsh({
        hosts: sshHosts.map((h) => ({ ref: h.ref })),
        dispatcher: o.dispatcher,
        stateDir: join(o.stateDir, 'ssh'),
        // SFTP uploads land in the host state the way runner.receive-file records them: hash and size, not bytes.
        files: {
          writeFile: async (ref, path, content) => {
            const rt = o.registry.get(ref.name);
            if (!rt) return;
            const key = findFileKey(rt.state.machine, path) ?? path;
            rt.state.machine.files[key] = createHash('sha256').update(content).digest('hex');
            rt.state.machine.fileSizes[key] = content.length;
            await o.persist(rt.state);
          },
        },
      });
      ssh = {
        close: () => s.close(),
        setHostUp: (address, up) => s.setHostUp(address, up),
        port: s.port,
        clientKeyPath: s.clientKeyPath,
        knownHostsPath: s.knownHostsPath,
        user: s.user,
      };
    },
    async setHostUp(rt, up) {
      if (rt.transport === 'winrm' && winrm) await (up ? winrm.openHost(rt.ref.name) : winrm.closeHost(rt.ref.name));
      if (rt.transport === 'ssh' && ssh) await ssh.setHostUp(rt.ref.address, up);
    },
    winrmUrls: (name) => urls.get(name),
    openShells: (name) => (winrm && urls.has(name) ? winrm.openShells(name) : undefined),
    ssh: () => (ssh ? { port: ssh.port, clientKeyPath: ssh.clientKeyPath, knownHostsPath: ssh.knownHostsPath, user: ssh.user } : null),
    async close() {
      await Promise.all([winrm?.close(), ssh?.close()]);
    },
  };
}

/**
 * From an inventory to the lab's host specs: loopback address checked, the account the host accepts
 * (the inventory's winrm user and resolved password: both sides read the same file), and the profile
 * resolved from the host's `lab:` levels (resolve.ts). Every profile problem of every host is reported
 * at once, before any secret is resolved; a problem in a group's vars is reported once, with its hosts.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { InputError } from '../../errors.js';
import { readFileRef, resolveHostSecret } from '../../inventory/secrets.js';
import { certificateUpn } from '../../protocol/wsman/client-certificate.js';
import type { HostConfig, Inventory } from '../../inventory/types.js';
import type { LabHostSpec } from '../lab.js';
import type { CertificateMapping, LabAccount } from '../winrm/index.js';
import type { InventoryProblem } from '../../inventory/types.js';
import { LabProfileError, resolveLevels, type LabLevel } from './resolve.js';
import type { LabProfile } from './schema.js';

export function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

/** `DOMAIN\user`, `user@domain` or `user` → the account parts. */
export function splitAccount(user: string): { user: string; domain: string } {
  const slash = user.indexOf('\\');
  if (slash >= 0) return { domain: user.slice(0, slash), user: user.slice(slash + 1) };
  const at = user.indexOf('@');
  if (at >= 0) return { user: user.slice(0, at), domain: user.slice(at + 1) };
  return { user, domain: '' };
}

export function checkLoopback(host: HostConfig): void {
  if (!isLoopbackIPv4(host.address)) {
    throw new InputError(`lab host ${host.name} has address ${host.address}, which is not a loopback IPv4 address (127.0.0.0/8); the lab never binds anything else`, {
      host: host.name,
      field: 'address',
      position: host.position,
      hint: 'Give every lab host its own 127.x.y.z address (see examples/lab/inventory.yaml).',
    });
  }
}

/**
 * The lab's WSMan:\localhost\ClientCertificate entry for a host with auth: certificate: the
 * inventory's client certificate (its UPN) from its issuer, logging on as winrm.user. The issuer's
 * certificate must follow the client certificate in the PEM file (or the certificate is self-signed):
 * the lab checks the signature as WinRM checks the issuer's thumbprint.
 */
async function certificateMappingOf(inv: Inventory, h: HostConfig): Promise<{ mapping: CertificateMapping; account: LabAccount }> {
  const fail = (message: string, hint: string) => new InputError(message, { host: h.name, field: 'winrm.certificate.cert', position: h.position, hint });
  if (!h.winrm.user) throw fail(`lab host ${h.name} needs winrm.user: the account its client certificate maps to`, "Set winrm.user, e.g. 'LAB\\cortex'.");
  const pem = await readFileRef(inv, h.winrm.certificate?.cert, { host: h.name, field: 'winrm.certificate.cert' });
  const blocks = (pem ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw fail(`winrm.certificate.cert of ${h.name} holds no PEM certificate`, 'Point it at the client certificate (PEM), followed by its issuing CA.');
  const [leaf, ...chain] = blocks.map((b) => new X509Certificate(b));
  const issuer = [...chain, leaf!].find((c) => leaf!.checkIssued(c) && leaf!.verify(c.publicKey));
  if (!issuer) throw fail(`the lab cannot map ${h.name}'s client certificate: its issuer's certificate is not in ${h.winrm.certificate?.cert}`, 'Append the issuing CA certificate (PEM) after the client certificate, as WinRM needs the issuer to map it.');
  const upn = certificateUpn(leaf!);
  if (!upn) throw fail(`${h.name}'s client certificate has no UPN in its subjectAltName, which WinRM's mapping needs`, 'Issue it with subjectAltName otherName 1.3.6.1.4.1.311.20.2.3 (UPN), e.g. cortex@lab.test.');
  // Only the certificate logs this account on: its password is random, never written anywhere.
  const account = { ...splitAccount(h.winrm.user), password: randomBytes(24).toString('base64') };
  return { mapping: { issuer, subject: upn, user: h.winrm.user }, account };
}

export interface LabHostsResult {
  hosts: LabHostSpec[];
  /** Hosts the lab cannot simulate (transport local), with why. */
  skipped: Array<{ name: string; why: string }>;
}

/** The host's `lab:` levels, least specific first (one level when the inventory did not keep them). */
export function labLevelsOf(h: HostConfig): LabLevel[] {
  if (h.labLayers) return h.labLayers.map((l) => ({ lab: l.lab, path: l.path }));
  return h.lab === undefined ? [] : [{ lab: h.lab, path: h.labPath.length ? h.labPath : ['lab'] }];
}

/** Resolve every lab host's profile; throws one LabProfileError with every problem of every host. */
export function labProfilesOf(inv: Inventory, hosts: HostConfig[]): Map<string, LabProfile> {
  const byHost = new Map<string, LabProfile>();
  // Hosts with the same levels share one resolved profile (read-only; states are cloned from it).
  const byLevels = new Map<string, LabProfile | InventoryProblem[]>();
  const problems = new Map<string, { problem: InventoryProblem; hosts: string[] }>();
  for (const h of hosts) {
    const levels = labLevelsOf(h);
    const key = JSON.stringify(levels);
    let r = byLevels.get(key);
    if (!r) {
      const res = resolveLevels(levels, { positionOf: inv.positionOf, fallback: h.position });
      r = res.ok ? res.profile : res.problems.map(({ path: _p, ...p }) => p);
      byLevels.set(key, r);
    }
    if (!Array.isArray(r)) {
      byHost.set(h.name, r);
      continue;
    }
    for (const p of r) {
      const k = `${p.position.file}:${p.position.line}:${p.position.col}:${p.field}:${p.message}`;
      const seen = problems.get(k) ?? { problem: p, hosts: [] };
      seen.hosts.push(h.name);
      problems.set(k, seen);
    }
  }
  if (problems.size) {
    const list = [...problems.values()].map(({ problem, hosts: names }) => {
      // A problem written in the host's own entry names it already; one from a group says whose profile it breaks.
      if (names.length === 1 && problem.field.includes(`.hosts.${names[0]}.`)) return problem;
      const who = names.length === 1 ? `host ${names[0]}` : `hosts ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
      return { ...problem, message: `${problem.message} (${who})` };
    });
    list.sort((a, b) => a.position.file.localeCompare(b.position.file) || a.position.line - b.position.line || a.position.col - b.position.col);
    const hostNames = new Set([...problems.values()].flatMap((p) => p.hosts));
    throw new LabProfileError(list, hostNames.size === 1 ? [...hostNames][0] : undefined);
  }
  return byHost;
}

export async function labHostsFromInventory(inv: Inventory): Promise<LabHostsResult> {
  const hosts: LabHostSpec[] = [];
  const skipped: LabHostsResult['skipped'] = [];
  const passwords = new Map<string, Promise<string | null>>();
  const labHosts: Array<HostConfig & { transport: LabHostSpec['transport'] }> = [];
  const simulated = (h: HostConfig): h is HostConfig & { transport: LabHostSpec['transport'] } => h.transport !== 'local';
  for (const h of inv.hosts) {
    if (!simulated(h)) {
      skipped.push({ name: h.name, why: 'transport local runs on this machine, not on a simulated host' });
      continue;
    }
    checkLoopback(h);
    labHosts.push(h);
  }
  const profiles = labProfilesOf(inv, labHosts);
  for (const h of labHosts) {
    const profile = profiles.get(h.name)!;
    const users: LabAccount[] = [];
    if (h.transport === 'winrm' && h.winrm.auth === 'certificate') {
      const mapped = await certificateMappingOf(inv, h);
      hosts.push({ name: h.name, address: h.address, transport: h.transport, users: [mapped.account], profile, certificateMappings: [mapped.mapping] });
      continue;
    }
    // Kerberos with the operator's tickets: the KDC vouches for the account, no password to compare.
    if (h.transport === 'winrm' && h.winrm.user && !h.winrm.password && (h.winrm.auth === 'kerberos' || h.winrm.auth === 'negotiate')) {
      users.push({ ...splitAccount(h.winrm.user), password: randomBytes(24).toString('base64') });
    } else if (h.transport === 'winrm' || h.winrm.user) {
      if (!h.winrm.user || !h.winrm.password) {
        throw new InputError(`lab host ${h.name} needs winrm.user and winrm.password: the lab accepts exactly that account`, {
          host: h.name,
          field: h.winrm.user ? 'winrm.password' : 'winrm.user',
          position: h.position,
          hint: "Set them in all.vars.winrm, e.g. user: 'LAB\\cortex', password: env:CORTEX_LAB_PASSWORD.",
        });
      }
      // One resolution per written reference (1,000 hosts share one password).
      const ref = h.winrm.password;
      if (!passwords.has(ref)) passwords.set(ref, resolveHostSecret(inv, h, 'winrm.password'));
      const password = await passwords.get(ref)!;
      if (password) users.push({ ...splitAccount(h.winrm.user), password });
    }
    hosts.push({ name: h.name, address: h.address, transport: h.transport, users, profile });
  }
  return { hosts, skipped };
}

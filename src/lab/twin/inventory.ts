/**
 * The twin's inventory (docs/rehearse.md): the captured site's host names, role groups (and its other
 * groups), web apps, component versions, component settings, install paths and the hosts' own
 * variables (what playbooks/cortex.yaml reads besides the facts), each host on its loopback address with
 * its twin profile under `lab:`. The same file serves `lab up -i`, preflight, plan and apply. Pure.
 *
 * Connection settings are the lab's, never the site's: WinRM over the scheme the host used (HTTPS trusts
 * the lab's certificate), NTLM with the documented lab account (password from CORTEX_LAB_PASSWORD), SSH
 * with the key and known_hosts the lab makes in its state folder.
 */
import { join } from 'node:path';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import type { SiteFacts, SiteFactsHost } from '../../preflight/site-facts.js';
import { ROLE_NAMES } from '../../preflight/finding.js';
import { LAB_SSH_PORT } from '../ssh/server.js';
import type { TwinProfile } from './profile-from-facts.js';

/** The lab's synthetic NServiceBus licence, written beside a twin's inventory when the site has component settings. */
export const TWIN_LICENSE_FILE = 'nservicebus-license.xml';

/** The lab account the twin's hosts accept (the lab's documented default: examples/lab/inventory.yaml). */
export const TWIN_USER = 'LAB\\cortex';
export const TWIN_PASSWORD_REF = 'env:CORTEX_LAB_PASSWORD';

export interface TwinHost {
  host: SiteFactsHost;
  address: string;
  profile: TwinProfile;
}

export interface TwinInventoryOptions {
  /** The facts file as given (for the header). */
  factsFile: string;
  /** Absolute state folder of the lab that serves the twin (its certificate, SSH key, known_hosts). */
  stateDir: string;
  /** The local account the lab's sshd logs SSH hosts on as. */
  sshUser: string;
}

function sameVersions(hosts: readonly TwinHost[]): Record<string, string> | null {
  const first = JSON.stringify(hosts[0]?.host.versions ?? {});
  return hosts.every((h) => JSON.stringify(h.host.versions) === first) ? (hosts[0]?.host.versions ?? {}) : null;
}

function hostVars(t: TwinHost, o: TwinInventoryOptions, sharedVersions: boolean): Record<string, unknown> {
  const h = t.host;
  const vars: Record<string, unknown> = { address: t.address };
  if (h.webApps.length > 0) vars.webApps = h.webApps;
  if (h.installPath !== null) vars.installPath = h.installPath;
  if (!sharedVersions && Object.keys(h.versions).length > 0) vars.versions = h.versions;
  // The host's own variables (the Gateway's host name and thumbprint, say), where the install reads them.
  Object.assign(vars, h.vars);
  if (h.transport === 'ssh') {
    vars.transport = 'ssh';
    vars.ssh = { port: LAB_SSH_PORT, user: o.sshUser, key: `file:${join(o.stateDir, 'ssh', 'client_ed25519')}`, knownHosts: join(o.stateDir, 'ssh', 'known_hosts') };
  } else if (h.winrm?.scheme === 'https') {
    vars.winrm = { scheme: 'https', port: 5986, tls: { ca: t.profile.tlsUntrusted ? null : `file:${join(o.stateDir, 'tls', 'cert.pem')}` } };
  }
  vars.lab = t.profile.lab;
  return vars;
}

/** The inventory's YAML text. Hosts in more than one group carry their vars at their first listing. */
export function renderTwinInventory(doc: SiteFacts, hosts: readonly TwinHost[], o: TwinInventoryOptions): string {
  const shared = sameVersions(hosts);
  // Groups in the order the site's hosts first name them, so the twin lists its hosts in the site's order.
  // Role groups first (a host's vars go to its first listing, its role's), the others after them.
  const groupOrder: string[] = [];
  for (const t of hosts) for (const g of t.host.roles) if (!groupOrder.includes(g)) groupOrder.push(g);
  for (const t of hosts) for (const g of t.host.groups) if (!groupOrder.includes(g)) groupOrder.push(g);
  const children: Record<string, { hosts: Record<string, unknown> }> = {};
  const written = new Set<string>();
  for (const g of groupOrder) {
    const members = hosts.filter((t) => t.host.groups.includes(g) || (ROLE_NAMES as readonly string[]).includes(g) && t.host.roles.includes(g as (typeof ROLE_NAMES)[number]));
    if (members.length === 0) continue;
    const group: Record<string, unknown> = {};
    for (const t of members) {
      group[t.host.name] = written.has(t.host.name) ? null : hostVars(t, o, shared !== null);
      written.add(t.host.name);
    }
    children[g] = { hosts: group };
  }
  // Hosts in no group at all are listed under all.hosts.
  const ungrouped = hosts.filter((t) => !written.has(t.host.name));
  const all: Record<string, unknown> = {
    vars: {
      transport: 'winrm',
      winrm: { scheme: 'http', port: 5985, auth: 'ntlm', user: TWIN_USER, password: TWIN_PASSWORD_REF },
      ...(shared && Object.keys(shared).length > 0 ? { versions: shared } : {}),
      // The site's component settings, as the inventory had them (with their defaults written out).
      // The licence is a secret file the facts never carry: the twin installs the lab's synthetic one.
      ...(doc.components ? { components: { ...doc.components, nservicebus: { ...doc.components.nservicebus, license: `file:${TWIN_LICENSE_FILE}` } } } : {}),
    },
    children,
    // After the groups, so the hosts keep the site's order where they can.
    ...(ungrouped.length > 0 ? { hosts: Object.fromEntries(ungrouped.map((t) => [t.host.name, hostVars(t, o, shared !== null)])) } : {}),
  };
  // No anchors for values that happen to be shared; leaf maps and lists on one line each.
  const yaml = new Document({ all }, { aliasDuplicateObjects: false });
  const short = (items: unknown[]) => items.every(isScalar) && items.reduce<number>((n, i) => n + String((i as { value: unknown }).value).length + 2, 0) < 100;
  visit(yaml, {
    Map: (_k, node) => {
      const values = node.items.map((p) => p.value);
      if (values.every((v) => isScalar(v) || (isSeq(v) && short(v.items))) && short(values.flatMap((v) => (isSeq(v) ? v.items : [v])))) node.flow = true;
    },
    Seq: (_k, node) => {
      node.flow = short(node.items) && !node.items.some(isMap);
    },
  });
  yaml.commentBefore = [
    ` A twin of ${doc.inventory}, from the facts captured ${doc.capturedAt} (${o.factsFile}).`,
    ' Made by cortex-deploy lab up --from-facts: each host runs in the lab on its loopback address, its machine',
    ' under lab: as the facts describe it; lab.twin.assumed says what the facts could not (docs/rehearse.md).',
    ` The lab account's password comes from ${TWIN_PASSWORD_REF.slice(4)}, as in examples/lab/inventory.yaml.`,
    ...(doc.components ? [` The NServiceBus licence ${TWIN_LICENSE_FILE} beside this file is the lab's synthetic one, not the site's.`] : []),
  ].join('\n');
  return yaml.toString({ lineWidth: 0 });
}

/**
 * `lab up --from-facts FILE`: the facts file → addresses → a profile per host → the twin's inventory on
 * disk (docs/rehearse.md). The lab then starts from that inventory like from any other, so
 * `lab up -i twin.yaml`, preflight, plan and apply all read the same file.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { InputError } from '../../errors.js';
import { packageDir } from '../../package-root.js';
import type { SiteFacts } from '../../preflight/site-facts.js';
import { loadSiteFacts } from '../../preflight/site-facts-file.js';
import { pickTwinAddresses } from './addresses.js';
import { renderTwinInventory, TWIN_LICENSE_FILE, type TwinHost } from './inventory.js';
import { twinProfile, type PeerObservation } from './profile-from-facts.js';

/** The lab example's synthetic licence (docs/lab.md), shipped with the package (examples/). */
const labLicense = (): string => join(packageDir('examples/lab/nservicebus-license.xml'), 'examples', 'lab', 'nservicebus-license.xml');

/** Pure: what each host's peers measured of it, and from where its name did not resolve. */
export function peerObservations(doc: SiteFacts): Map<string, { observed: PeerObservation[]; unresolvedFrom: string[]; misresolved: Array<{ from: string; to: string[] }> }> {
  const out = new Map(doc.hosts.map((h) => [h.name, { observed: [] as PeerObservation[], unresolvedFrom: [] as string[], misresolved: [] as Array<{ from: string; to: string[] }> }]));
  for (const from of doc.hosts) {
    for (const t of from.reach?.targets ?? []) {
      const entry = out.get(t.name);
      if (!entry) continue;
      for (const p of t.ports) entry.observed.push({ from: from.name, port: p.port, state: p.state });
      if (t.resolved.length === 0) entry.unresolvedFrom.push(from.name);
      else if (isIPv4(t.address) && !t.resolved.includes(t.address)) entry.misresolved.push({ from: from.name, to: t.resolved });
    }
  }
  return out;
}

/** Pure: the twin's hosts for the given addresses (hosts with transport local are left out). */
export function twinHosts(doc: SiteFacts, addresses: readonly string[], source: string): TwinHost[] {
  const peers = peerObservations(doc);
  const simulated = doc.hosts.filter((h) => h.transport !== 'local');
  return simulated.map((host, i) => {
    const seen = peers.get(host.name) ?? { observed: [], unresolvedFrom: [], misresolved: [] };
    return { host, address: addresses[i]!, profile: twinProfile({ host, twinAddress: addresses[i]!, observed: seen.observed, unresolvedFrom: seen.unresolvedFrom, misresolved: seen.misresolved, source }) };
  });
}

export interface BuildTwinOptions {
  factsFile: string;
  /** Where the inventory goes. */
  inventoryFile: string;
  /** The lab's state folder (its certificate and SSH key paths go into the inventory). */
  stateDir: string;
  /** Addresses start after this one; default: the first free block from 127.2.0.0. */
  base?: string | undefined;
}

export interface BuiltTwin {
  inventoryFile: string;
  hosts: Array<{ name: string; address: string; assumed: string[] }>;
  /** Hosts the lab cannot be a twin of (transport local), with why. */
  leftOut: Array<{ name: string; why: string }>;
  /** Address blocks passed over, with who holds them. */
  skippedBlocks: string[];
}

export async function buildTwin(o: BuildTwinOptions): Promise<BuiltTwin> {
  const doc = await loadSiteFacts(o.factsFile);
  const count = doc.hosts.filter((h) => h.transport !== 'local').length;
  if (count === 0) throw new InputError(`${o.factsFile} has no host the lab can be a twin of (all use transport local)`, { field: '--from-facts' });
  const { addresses, skipped } = await pickTwinAddresses(count, o.base);
  const hosts = twinHosts(doc, addresses, o.factsFile);
  const text = renderTwinInventory(doc, hosts, { factsFile: o.factsFile, stateDir: resolve(o.stateDir), sshUser: userInfo().username });
  const file = resolve(o.inventoryFile);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (doc.components) copyFileSync(labLicense(), join(dirname(file), TWIN_LICENSE_FILE));
  } catch (err) {
    throw new InputError(`cannot write the twin's inventory ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { field: '--write-inventory', hint: 'Check the path and its permissions.' });
  }
  return {
    inventoryFile: file,
    hosts: hosts.map((t) => ({ name: t.host.name, address: t.address, assumed: t.profile.assumed })),
    leftOut: doc.hosts.filter((h) => h.transport === 'local').map((h) => ({ name: h.name, why: 'transport local runs on the workstation, not on a simulated host' })),
    skippedBlocks: skipped,
  };
}

/**
 * The install's data as template variables (docs/playbooks.md, "Site data"): `components.*`, the
 * generated configuration of the Cortex components (src/components) from the inventory's hosts and its
 * `components:` block, and `artifacts.<name>.*`, the artifact store's entry for each version a host
 * pins. Built once per playbook load, before facts are read: RabbitMQ node names follow the inventory's
 * host names (rabbit@<first label>), never a machine name from facts.
 * A generator that fails is not fatal here: its key is missing, and only a template that reads it is
 * refused, with the generator's own message (a step that does not need ClusterConfig.json still loads).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Artifact, Manifest } from '../../artifacts/manifest.js';
import {
  ComponentConfigError,
  gobetweenBackendSteps,
  gobetweenConfig,
  gobetweenNssmService,
  firewallRulesForHost,
  firewallRulesForRole,
  HEALTHCHECK_SCRIPT_NAME,
  rabbitmqConf,
  rabbitmqEnvironment,
  rabbitmqNodeName,
  serviceFabricClusterConfig,
  type ComponentHost,
} from '../../components/index.js';
import { hostsWithRole } from '../../components/hosts.js';
import { ROLES } from '../../inventory/schema.js';
import type { Inventory } from '../../inventory/types.js';
import { filePath } from '../../inventory/secrets.js';
import { ps1Dir } from '../../runner/scripts.js';

/** Where `file` steps stage artifacts on a host: <root>\<name>\<version>\<file>. */
export const HOST_ARTIFACT_ROOT = 'C:\\ProgramData\\CortexInstall\\artifacts';

/** The artifact store a playbook's `artifacts.*` read: its folder, and its manifest (null: none there). */
export interface ArtifactStoreView {
  store: string;
  manifest: Manifest | null;
  /** Why the manifest could not be read: reported only when a step reads artifacts.* */
  error?: string | undefined;
}

export interface ArtifactVars {
  name: string;
  version: string;
  /** The file's name (no folder). */
  file: string;
  sha256: string;
  size: number;
  /** Absolute path in the workstation's store: a `file` step's `source`. */
  localPath: string;
  /** Where host prep stages it on the host. */
  hostPath: string;
}

/** One generator's failure: the key it would have filled and why it could not. */
export interface SiteDataFailure {
  message: string;
  field?: string | undefined;
  hint?: string | undefined;
}

export interface SiteData {
  /** Per host: the `components` root (shared keys and the host's own). Absent: no components block. */
  components: Record<string, Record<string, unknown>> | null;
  /** components.<key> that could not be generated. */
  componentFailures: Record<string, SiteDataFailure>;
  /** Per host: the `artifacts` root (the versions it pins that the store holds). */
  artifacts: Record<string, Record<string, ArtifactVars>>;
  store: ArtifactStoreView | null;
}

export function hostArtifactPath(a: Pick<Artifact, 'name' | 'version' | 'file'>): string {
  return `${HOST_ARTIFACT_ROOT}\\${a.name}\\${a.version}\\${baseName(a.file)}`;
}

const baseName = (storeFile: string) => storeFile.slice(storeFile.lastIndexOf('/') + 1);

export function artifactVars(store: string, a: Artifact): ArtifactVars {
  return { name: a.name, version: a.version, file: baseName(a.file), sha256: a.sha256, size: a.size, localPath: resolve(store, ...a.file.split('/')), hostPath: hostArtifactPath(a) };
}

let healthcheckText: string | undefined;
/** ps1/files/gobetween-healthcheck.ps1 as shipped (read once). */
export function healthcheckScriptText(): string {
  return (healthcheckText ??= readFileSync(join(ps1Dir(), 'files', HEALTHCHECK_SCRIPT_NAME), 'utf8'));
}

function attempt<T>(failures: Record<string, SiteDataFailure>, keys: string[], make: () => T): T | undefined {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof ComponentConfigError)) throw err;
    for (const k of keys) failures[k] = { message: err.detail, field: err.context.field, hint: err.context.hint };
    return undefined;
  }
}

/** components.* for every host of the inventory (null without a components block). */
export function componentsData(inv: Inventory): { byHost: Record<string, Record<string, unknown>> | null; failures: Record<string, SiteDataFailure> } {
  const failures: Record<string, SiteDataFailure> = {};
  const s = inv.components;
  if (!s) return { byHost: null, failures };
  const hosts: ComponentHost[] = inv.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles }));
  const shared: Record<string, unknown> = {};
  const put = (key: string, v: unknown) => {
    if (v !== undefined) shared[key] = v;
  };
  const sf = attempt(failures, ['clusterConfigJson', 'serviceFabricTier'], () => serviceFabricClusterConfig(hosts, s.serviceFabric));
  put('clusterConfigJson', sf?.text);
  put('serviceFabricTier', sf?.tier);
  put('rabbitmqConf', attempt(failures, ['rabbitmqConf'], () => rabbitmqConf(hosts, s.rabbitmq)));
  const app = hostsWithRole(hosts, 'app');
  const nodeNames = attempt(failures, ['rabbitmqNodeNames', 'rabbitmqSeedNodeName'], () => app.map((h) => rabbitmqNodeName(h)));
  put('rabbitmqNodeNames', nodeNames);
  put('rabbitmqSeedNodeName', nodeNames?.[0]);
  const gob = attempt(failures, ['gobetweenToml', 'gobetweenFiles', 'gobetweenInstallDir', 'gobetweenHealthcheckFiles', 'gobetweenWebDrain', 'gobetweenWebRestore'], () => gobetweenConfig(hosts, s.gobetween));
  put('gobetweenToml', gob?.files[0]?.text);
  put('gobetweenFiles', gob?.files.map((f) => ({ name: f.name, path: f.path, text: f.text })));
  put('gobetweenInstallDir', gob?.settings.installDir);
  // One {path, content} per balanced server's health-check wrapper: a file step's whole params.
  put('gobetweenHealthcheckFiles', gob?.files.slice(1).map((f) => ({ path: f.path, content: f.text })));
  put('healthcheckScript', healthcheckScriptText());
  if (gob) put('healthcheckScriptPath', `${gob.settings.installDir}\\${HEALTHCHECK_SCRIPT_NAME}`);
  put('nssmGobetween', attempt(failures, ['nssmGobetween'], () => gobetweenNssmService(s.gobetween, s.nssm)));
  // The licence as a reference with an absolute path: a step's secrets resolve against the playbook's
  // folder, and this one is written in the inventory, relative to the inventory file.
  const license = s.nservicebus.license;
  if (license === undefined) {
    failures.nservicebusLicense = {
      message: 'components.nservicebus.license is not set: the install writes NServiceBus\'s licence on the app servers.',
      field: 'components.nservicebus.license',
      hint: "Name Particular's license.xml in the inventory: components: { nservicebus: { license: file:license.xml } } (a path relative to the inventory file; docs/nservicebus.md).",
    };
  } else {
    put('nservicebusLicense', `file:${filePath(license.slice('file:'.length), { baseDir: dirname(resolve(inv.file)) })}`);
  }
  const fw = { serviceFabric: s.serviceFabric, gobetween: s.gobetween, rabbitmq: s.rabbitmq, sqlPort: s.sqlPort };
  put('roleFirewallRules', attempt(failures, ['roleFirewallRules', 'firewallRules'], () => Object.fromEntries(ROLES.map((r) => [r, firewallRulesForRole(r, fw).map((x) => x.params)]))));
  const byHost: Record<string, Record<string, unknown>> = {};
  for (const h of hosts) {
    const own: Record<string, unknown> = { ...shared };
    if (!failures.firewallRules) own.firewallRules = firewallRulesForHost(h, fw).map((x) => x.params);
    const node = attempt(failures, ['rabbitmqNodeName'], () => rabbitmqNodeName(h));
    if (node !== undefined) own.rabbitmqNodeName = node;
    // A web server's drain and restore at the load balancer (null: not a web server, or no balanced server takes the web role).
    if (gob) {
      const steps = gobetweenBackendSteps(h, gob, 'web');
      own.gobetweenWebDrain = steps?.drain ?? null;
      own.gobetweenWebRestore = steps?.restore ?? null;
    }
    if (h.roles.includes('app')) {
      const env = attempt(failures, ['rabbitmqEnvironment'], () => rabbitmqEnvironment(h, s.rabbitmq));
      if (env) own.rabbitmqEnvironment = env;
    } else {
      own.rabbitmqEnvironment = [];
    }
    byHost[h.name] = own;
  }
  return { byHost, failures };
}

/**
 * The Cortex product's own artifacts: one release (`versions.cortex`) ships several files, each its own
 * store name (the Service Fabric application packages, the Gateway's zip, the database scripts).
 */
export const PRODUCT_ARTIFACTS = ['cortexApps', 'cortexGateway', 'cortexDatabase'] as const;

/** artifacts.* for every host: each versions key the store holds in that version, and the product's files in versions.cortex. */
export function artifactsData(inv: Inventory, store: ArtifactStoreView | null): Record<string, Record<string, ArtifactVars>> {
  const out: Record<string, Record<string, ArtifactVars>> = {};
  for (const h of inv.hosts) {
    const mine: Record<string, ArtifactVars> = {};
    for (const [name, version] of Object.entries(h.versions)) {
      const a = findArtifact(store, name, version);
      if (a && store) mine[name] = artifactVars(store.store, a);
    }
    const cortex = (h.versions as Record<string, string | undefined>).cortex;
    for (const name of cortex ? PRODUCT_ARTIFACTS : []) {
      const a = findArtifact(store, name, cortex!);
      if (a && store) mine[name] = artifactVars(store.store, a);
    }
    out[h.name] = mine;
  }
  return out;
}

export function findArtifact(store: ArtifactStoreView | null, name: string, version: string): Artifact | undefined {
  return store?.manifest?.artifacts.find((a) => a.name.toLowerCase() === name.toLowerCase() && a.version.toLowerCase() === version.toLowerCase());
}

export function siteData(inv: Inventory, store: ArtifactStoreView | null): SiteData {
  const c = componentsData(inv);
  return { components: c.byHost, componentFailures: c.failures, artifacts: artifactsData(inv, store), store };
}

/**
 * loadInventory: YAML file → validated Inventory. Two passes:
 * 1. the document schema checks every value where it is written (unknown keys, enums, types, literal secrets);
 * 2. per host, vars are merged all → groups → host and checked again with defaults and cross-field rules;
 *    errors found there point back, through the merge's provenance, at the line that set the value.
 * Every problem found is reported at once (InventoryError), each with file:line:col and the field.
 */
import { dirname, resolve } from 'node:path';
import { InputError, type SourcePosition } from '../errors.js';
import { registerSecret } from '../secrets/registry.js';
import { InventoryDocument, LITERAL_SECRET, ResolvedHostVars, ROLES, Vars, type GroupInput, type ResolvedHostVarsOutput, type VarsInput } from './schema.js';
import { YamlSource, type YamlPath } from './source.js';
import { groupsOfHost, hostsOf, walkGroups, type GroupNode } from './groups.js';
import { isPlainObject, leafPaths, locate, mergeLayer, type Provenance } from './merge.js';
import { InventoryError, dedupe, fieldName, problemsFromIssue, sortProblems, valueAt } from './problems.js';
import type { HostConfig, HostWaiver, Inventory, InventoryProblem, Role } from './types.js';
import { readBoundedFile, readFailureText } from './bounded-file.js';
import { INVENTORY_LIMITS } from './limits.js';
import { looksLikeIni, parseIni } from './ini.js';
import { expandRangesInTree, throughAliases } from './host-range.js';
import { readVarsDirs, combinedPositions, type VarsDirs, type VarsFile } from './vars-dirs.js';
import { resolveTemplates, transportOfLayer, translateAnsible, withoutAnsible } from './ansible.js';
import { checkLevelKeys, customVarsOf, varsLevels } from './custom-vars.js';
import { unknownTerm, waiverApplies, waiversOf, waiverTerms } from './waivers.js';
import type { WaiverInput } from './schema.js';
import { InventoryComponentSettings, type InventoryComponents } from '../components/index.js';

export { InventoryError } from './problems.js';

export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readBoundedFile(file, INVENTORY_LIMITS.maxBytes);
  } catch (err) {
    const { detail, problem } = readFailureText('inventory', file, err);
    throw new InputError(detail, {
      field: '--inventory',
      hint:
        problem.kind === 'too-large'
          ? 'An inventory is YAML text of at most 1 MiB (docs/security.md, Limits); check that -i names the right file.'
          : problem.kind === 'not-regular'
            ? 'Pass a plain YAML file with -i; a pipe, a device or a folder is not read (docs/security.md, Limits).'
            : 'Pass an existing YAML file with -i, e.g. -i examples/lab/inventory.yaml.',
    });
  }
  // group_vars/ and host_vars/ beside the file, as Ansible reads them.
  return parseInventory(text, file, await readVarsDirs(dirname(file), dirname(file)));
}

/**
 * Parse inventory text. `file` is shown in positions; relative file references resolve against its
 * folder. `dirs`: the group_vars/ and host_vars/ files read beside it (readVarsDirs).
 */
export function parseInventory(text: string, file: string, dirs: VarsDirs = { files: [], problems: [] }): Inventory {
  // Ansible's INI form is read into the same tree, with its own positions.
  const ini = looksLikeIni(file, text);
  const { source: written0, data, early: syntax } = ini ? ((i) => ({ ...i, early: i.problems }))(parseIni(text, file)) : readYaml(text, file);
  const early = [...syntax, ...dirs.problems];
  if (early.length) throw new InventoryError(early);
  // Host ranges (web[01:03]) of the YAML form, expanded as Ansible does (the INI reader expands its own).
  const ranges = ini ? { problems: [], aliases: new Map<string, YamlPath>() } : expandRangesInTree(data, INVENTORY_LIMITS.maxHosts);
  const mainSource = throughAliases(written0, ranges.aliases);
  if (ranges.problems.length) {
    throw new InventoryError(
      sortProblems(ranges.problems.map((r) => ({ position: written0.positionOf(r.path, { key: true }) ?? { file, line: 1, col: 1 }, field: fieldName(r.path), message: r.message, hint: 'Write web[01:03] (web01 to web03), db-[a:c] or app[1:9:2] (every second), as in Ansible; docs/inventory.md, "Host ranges".' }))),
    );
  }
  const start = { file, line: 1, col: 1 };
  const source = combinedPositions(mainSource, dirs.files);
  const documents: Array<{ data: unknown; schema: typeof InventoryDocument | typeof Vars; prefix: YamlPath; start: SourcePosition }> = [
    { data, schema: InventoryDocument, prefix: [], start },
    ...dirs.files.map((f) => ({ data: f.data, schema: Vars, prefix: [f.key], start: { file: f.display, line: 1, col: 1 } })),
  ];

  // Pass 0: Ansible's Jinja, where it can be read ({{ lookup('env', 'NAME') }} → env:NAME), else refused.
  const templates = documents.flatMap((d) => resolveTemplates(d.data).map((t) => ({ ...t, path: [...d.prefix, ...t.path], start: d.start })));
  if (templates.length) {
    throw new InventoryError(sortProblems(templates.map((t) => ({ position: source.positionOf(t.path) ?? t.start, field: fieldName(t.path), message: t.message, hint: t.hint }))));
  }

  // Pass 1: each document as written.
  const written: InventoryProblem[] = [];
  let parsedMain: unknown;
  for (const d of documents) {
    const result = d.schema.safeParse(d.data);
    // The main document's parse is kept for pass 2 (parsing it again costs ~30 ms at 1,000 hosts).
    if (result.success) {
      if (d.data === data) parsedMain = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      if (issue.code === 'custom' && (issue.params as { kind?: string } | undefined)?.kind === LITERAL_SECRET) {
        // The user wrote a password in clear: make sure it is masked wherever it might still be echoed.
        const literal = valueAt(d.data, issue.path as YamlPath);
        if (typeof literal === 'string') registerSecret(literal);
      }
    }
    written.push(...result.error.issues.flatMap((issue) => problemsFromIssue(issue, { source, schema: d.schema, data: d.data, locate: (p) => [...d.prefix, ...p], fallback: d.start })));
  }
  // Keys that are not ours: the user's own variables, other tools' ansible_* (ignored), or typos of ours.
  const levels = documents.flatMap((d) => (d.schema === InventoryDocument ? varsLevels(d.data, d.prefix) : isPlainObject(d.data) ? [{ vars: d.data, path: d.prefix }] : []));
  const ignoredAt: Array<{ key: string; path: YamlPath }> = [];
  for (const l of levels) {
    const { problems: keyProblems, ignored } = checkLevelKeys(l.vars, l.path);
    ignoredAt.push(...ignored);
    written.push(...keyProblems.map((k) => ({ position: source.positionOf(k.path, { key: true }) ?? start, field: fieldName(k.path), message: k.message, hint: k.hint })));
  }
  written.push(...componentsProblems(levels, source, start));
  if (written.length) throw new InventoryError(sortProblems(dedupe(written)));
  const parsed = (parsedMain as ReturnType<typeof InventoryDocument.parse> | undefined) ?? InventoryDocument.parse(data);
  const components = componentsOf(parsed.all.vars);

  // Pass 2: hosts with inherited vars.
  const all: GroupInput = parsed.all;
  const groups = walkGroups(all);
  const hostFiles = new Map<string, VarsFile[]>();
  const orphans: InventoryProblem[] = [];
  const listed = new Set([...groups.values()].flatMap((g) => g.hosts.map((h) => h.host)));
  for (const f of dirs.files) {
    const known = f.kind === 'group' ? groups.has(f.name) : listed.has(f.name);
    if (!known) {
      orphans.push({
        position: { file: f.display, line: 1, col: 1 },
        field: '(file)',
        message: `${f.kind}_vars for '${f.name}', but the inventory has no ${f.kind} '${f.name}': its settings would apply to nothing.`,
        hint: `Check the name against the inventory's ${f.kind === 'group' ? 'groups' : 'hosts'} (names are case-sensitive), or remove the file.`,
      });
    } else if (f.kind === 'group') {
      // After the group's inline vars: group_vars files win over them, as in Ansible.
      groups.get(f.name)!.vars.push({ vars: f.data as VarsInput, path: [f.key] });
    } else {
      hostFiles.set(f.name, [...(hostFiles.get(f.name) ?? []), f]);
    }
  }
  if (orphans.length) throw new InventoryError(sortProblems(orphans));
  const membership = new Map<string, string[]>([...groups.keys()].map((g) => [g, hostsOf(groups, g)]));
  const entries = [...groups.values()].flatMap((g) => g.hosts);
  if (entries.length > INVENTORY_LIMITS.maxHosts) {
    const names = new Set(entries.map((e) => e.host));
    if (names.size > INVENTORY_LIMITS.maxHosts) {
      throw new InventoryError([
        { position: start, field: 'all', message: `the inventory lists ${names.size} hosts; at most ${INVENTORY_LIMITS.maxHosts} are allowed.`, hint: 'Split the site into several inventories (docs/security.md, Limits).' },
      ]);
    }
  }
  // Positions are looked up once per listing: a lookup walks the map, so doing it in the sort is quadratic.
  const offsets = new Map<YamlPath, number>();
  const offset = (p: YamlPath) => {
    let o = offsets.get(p);
    if (o === undefined) {
      const pos = source.positionOf(p, { key: true });
      o = pos ? pos.line * 1e6 + pos.col : 0;
      offsets.set(p, o);
    }
    return o;
  };
  const hostNames = [...new Set([...entries].sort((a, b) => offset(a.path) - offset(b.path)).map((e) => e.host))];
  const entriesByHost = new Map<string, typeof entries>();
  for (const e of entries) {
    const list = entriesByHost.get(e.host);
    if (list) list.push(e);
    else entriesByHost.set(e.host, [e]);
  }

  const problems: InventoryProblem[] = [];
  // Names end up in --limit patterns, folder names and logs: keep them to a safe alphabet.
  for (const g of groups.values()) {
    for (const p of g.paths.slice(0, 1)) if (!NAME.test(g.name)) problems.push(nameProblem('group', g.name, p));
    for (const h of g.hosts) if (!NAME.test(h.host)) problems.push(nameProblem('host', h.host, h.path));
  }
  function nameProblem(kind: string, name: string, path: YamlPath): InventoryProblem {
    return {
      position: source.positionOf(path, { key: true }) ?? start,
      field: fieldName(path),
      message: `${kind} name '${name}' has characters that are not allowed.`,
      hint: 'Use letters, digits, -, _ and . (starting with a letter or digit); --limit uses , : ! & * ? as operators.',
    };
  }
  if (problems.length) throw new InventoryError(sortProblems(dedupe(problems)));
  const hosts: HostConfig[] = [];
  const byLowerName = new Map<string, string>();
  const byAddress = new Map<string, { host: string; path: YamlPath }>();

  for (const name of hostNames) {
    const own = (entriesByHost.get(name) ?? []).sort((a, b) => offset(a.path) - offset(b.path));
    const firstPath = own[0]!.path;
    const position = mainSource.positionOf(firstPath, { key: true }) ?? start;

    const lower = name.toLowerCase();
    const clash = byLowerName.get(lower);
    if (clash !== undefined) {
      problems.push({ position, field: fieldName(firstPath), message: `duplicate host name '${name}': '${clash}' is the same name (Windows host names are case-insensitive).`, hint: 'Give each host a distinct name.' });
      continue;
    }
    byLowerName.set(lower, name);

    const { merged, prov, conflicts, labLayers, custom, waivers } = inheritVars(name, own, groupsOfHost(groups, membership, name), source, position, hostFiles.get(name) ?? []);
    problems.push(...conflicts);
    if (merged.address === undefined) merged.address = name;

    const result = ResolvedHostVars.safeParse(merged);
    if (!result.success) {
      problems.push(
        ...result.error.issues.flatMap((issue) =>
          problemsFromIssue(issue, { source, schema: ResolvedHostVars, data: merged, locate: (p) => locate(prov, p, firstPath), fallback: position }),
        ),
      );
      continue;
    }
    const h = result.data;
    const roles = ROLES.filter((r) => (membership.get(r) ?? []).includes(name)) as Role[];
    const memberOf = [...groups.keys()].filter((g) => g !== 'all' && (membership.get(g) ?? []).includes(name));

    if (h.webApps.length && !roles.includes('web')) {
      const p = locate(prov, ['webApps'], firstPath);
      problems.push({ position: source.positionOf(p) ?? position, field: fieldName(p), message: `host '${name}' sets webApps but is not in the web group.`, hint: 'List the host under children.web.hosts, or remove webApps.' });
    }
    const addrKey = h.address.toLowerCase();
    const sameAddress = byAddress.get(addrKey);
    if (sameAddress) {
      const p = locate(prov, ['address'], firstPath);
      problems.push({
        position: source.positionOf(p) ?? position,
        field: fieldName(p),
        message: `duplicate address '${h.address}': host '${sameAddress.host}' has it too.`,
        hint: 'Each host needs its own address; to give one server two roles, list the same host name under both groups.',
      });
    } else {
      byAddress.set(addrKey, { host: name, path: firstPath });
    }

    hosts.push({ ...toHostConfig(name, h, { roles, groups: memberOf, prov, position, labLayers }), vars: custom, waivers });
  }

  // A waiver's hosts: must name something, or it would silently waive nothing.
  for (const l of levels) {
    for (const { waiver, path } of waiversOf(l.vars, l.path)) {
      for (const term of waiverTerms(waiver)) {
        const why = unknownTerm(term, hostNames, [...groups.keys()]);
        if (why) problems.push({ position: source.positionOf([...path, 'hosts']) ?? start, field: fieldName([...path, 'hosts']), message: why, hint: 'hosts: narrows a waiver to host names, group names or globs (web*) of the level it is written at.' });
      }
    }
  }
  if (problems.length) throw new InventoryError(sortProblems(dedupe(problems)));

  const groupMap: Record<string, string[]> = {};
  const kept = new Set(hosts.map((h) => h.name));
  for (const g of groups.keys()) groupMap[g] = (membership.get(g) ?? []).filter((h) => kept.has(h));
  groupMap.all = hosts.map((h) => h.name);
  return {
    file: resolve(file),
    hosts,
    groups: groupMap,
    positionOf: (path, opts) => source.positionOf(path, opts),
    ...(components ? { components } : {}),
    ignoredAnsible: firstOfEach(ignoredAt.map((i) => ({ key: i.key, position: source.positionOf(i.path, { key: true }) ?? start }))),
    waivers: waiverList(hosts),
  };
}

const COMPONENTS_HINT = 'The components block holds the settings of the Cortex components: serviceFabric, gobetween, rabbitmq, nssm, nservicebus, sqlPort (docs/component-config.md).';

/** `components:` is written once, in all.vars, and follows InventoryComponentSettings. */
function componentsProblems(levels: ReadonlyArray<{ vars: Record<string, unknown>; path: YamlPath }>, source: Pick<YamlSource, 'positionOf'>, start: SourcePosition): InventoryProblem[] {
  const out: InventoryProblem[] = [];
  for (const l of levels) {
    if (l.vars.components === undefined) continue;
    const at = [...l.path, 'components'];
    if (fieldName(l.path) !== 'all.vars') {
      out.push({ position: source.positionOf(at, { key: true }) ?? start, field: fieldName(at), message: 'components: is a setting of the whole site, written in all.vars only.', hint: 'Move the block to all.vars (one Service Fabric cluster, one RabbitMQ cluster, one load balancer configuration per inventory).' });
      continue;
    }
    const r = InventoryComponentSettings.safeParse(l.vars.components);
    if (r.success) continue;
    out.push(...r.error.issues.flatMap((issue) => problemsFromIssue(issue, { source, schema: InventoryComponentSettings, data: l.vars.components, locate: (p) => [...at, ...p], fallback: source.positionOf(at, { key: true }) ?? start })).map((p) => ({ ...p, hint: p.hint ?? COMPONENTS_HINT })));
  }
  return out;
}

function componentsOf(vars: VarsInput | null | undefined): InventoryComponents | undefined {
  return vars?.components === undefined ? undefined : InventoryComponentSettings.parse(vars.components);
}

/** Each ignored key once, where it is first written. */
function firstOfEach(list: Array<{ key: string; position: SourcePosition }>): Array<{ key: string; position: SourcePosition }> {
  const sorted = [...list].sort((a, b) => (a.position.file === b.position.file ? 0 : a.position.file < b.position.file ? -1 : 1) || a.position.line - b.position.line || a.position.col - b.position.col);
  const seen = new Set<string>();
  return sorted.filter((i) => !seen.has(i.key) && seen.add(i.key));
}

/** Every waiver once (by where it is written), with the hosts it applies to. */
function waiverList(hosts: readonly HostConfig[]): Array<HostWaiver & { hosts: string[] }> {
  const byPlace = new Map<string, HostWaiver & { hosts: string[] }>();
  for (const h of hosts) {
    for (const w of h.waivers ?? []) {
      const k = `${w.position.file}:${w.position.line}:${w.position.col}`;
      const entry = byPlace.get(k) ?? { ...w, hosts: [] };
      entry.hosts.push(h.name);
      byPlace.set(k, entry);
    }
  }
  return [...byPlace.values()];
}

function readYaml(text: string, file: string) {
  const { source, data, problems } = YamlSource.parse(text, file);
  return { source, data, early: problems.map((s): InventoryProblem => ({ position: s.position, field: '(yaml)', message: s.message })) };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const REF_FIELDS = ['winrm.password', 'winrm.tls.ca', 'winrm.certificate.cert', 'winrm.certificate.key', 'ssh.key', 'ssh.passphrase', 'ssh.password'];

function refSourcesOf(prov: Provenance): Record<string, YamlPath> {
  const out: Record<string, YamlPath> = {};
  for (const f of REF_FIELDS) {
    const p = prov.get(f.split('.').join('\u0000'));
    if (p) out[f] = p;
  }
  return out;
}

export type { VarsInput };

/**
 * A host's variables: all.vars, then its groups' vars (least specific first), then its own listings in
 * file order. A host listed twice with different values for one key is a conflict, not an override.
 */
function inheritVars(name: string, own: GroupNode['hosts'], groupChain: GroupNode[], source: Pick<YamlSource, 'positionOf'>, position: SourcePosition, hostFiles: readonly VarsFile[]) {
  const merged: Record<string, unknown> = {};
  const prov: Provenance = new Map();
  const conflicts: InventoryProblem[] = [];
  // The lab merges `lab:` level by level (a preset named at a level applies there): keep the levels.
  const labLayers: Array<{ lab: unknown; path: YamlPath }> = [];
  const keepLab = (vars: Record<string, unknown>, path: YamlPath) => {
    if (vars.lab !== undefined) labLayers.push({ lab: vars.lab, path: [...path, 'lab'] });
  };
  const layers: Array<{ vars: Record<string, unknown>; path: YamlPath }> = groupChain.flatMap((g) => g.vars.map((v) => ({ vars: v.vars as Record<string, unknown>, path: v.path })));
  // Where ansible_user and ansible_password go depends on the transport the host ends up with.
  let transport = 'winrm';
  let byAnsible = false;
  for (const l of [...layers, ...own.map((e) => ({ vars: (e.vars ?? {}) as Record<string, unknown> })), ...hostFiles.map((f) => ({ vars: f.data as Record<string, unknown> }))]) {
    const t = transportOfLayer(l.vars);
    if (t === undefined) continue;
    transport = t;
    byAnsible = l.vars.transport === undefined;
  }
  // The user's own variables: merged as Ansible merges them (a later level replaces a value, mappings too).
  const custom: Record<string, unknown> = {};
  // Waivers add up over the levels; each keeps where it is written.
  const groupNames = groupChain.map((g) => g.name);
  const waivers: Array<{ waiver: WaiverInput; path: YamlPath }> = [];
  const apply = (vars: Record<string, unknown>, path: YamlPath) => {
    for (const [k, v] of Object.entries(customVarsOf(vars))) custom[k] = structuredClone(v);
    for (const w of waiversOf(vars, path)) if (waiverApplies(w.waiver, name, groupNames) && !waivers.some((x) => x.path.join('\u0000') === w.path.join('\u0000'))) waivers.push(w);
    // Ansible's keys first, so a cortex-deploy key written at the same level wins.
    for (const t of translateAnsible(vars, transport)) {
      let into = merged;
      for (const seg of t.target.slice(0, -1)) {
        const next = into[seg];
        into = (isPlainObject(next) ? next : (into[seg] = {})) as Record<string, unknown>;
      }
      into[t.target[t.target.length - 1]!] = t.value;
      prov.set(t.target.join('\u0000'), [...path, t.from]);
    }
    mergeLayer(merged, withoutAnsible(vars), path, prov);
    keepLab(vars, path);
  };
  for (const l of layers) apply(l.vars, l.path);
  const setByHost = new Map<string, { value: unknown; path: YamlPath }>();
  for (const e of own) {
    const vars = (e.vars ?? {}) as Record<string, unknown>;
    for (const leaf of leafPaths(vars)) {
      const k = leaf.join('.');
      const value = valueAt(vars, leaf);
      const prev = setByHost.get(k);
      if (prev && JSON.stringify(prev.value) !== JSON.stringify(value)) {
        conflicts.push({
          position: source.positionOf([...e.path, ...leaf]) ?? position,
          field: fieldName([...e.path, ...leaf]),
          message: `host '${name}' is listed more than once with different values for '${k}' (also set at line ${source.positionOf(prev.path)?.line ?? '?'}).`,
          hint: "Set a host's vars in one listing; other groups can list it with no vars.",
        });
      }
      setByHost.set(k, { value, path: [...e.path, ...leaf] });
    }
    apply(vars, e.path);
  }
  // host_vars files last: they win over the host's inline vars, as in Ansible.
  for (const f of hostFiles) apply(f.data as Record<string, unknown>, [f.key]);
  httpsOn5986(merged, prov, transport, byAnsible);
  const hostWaivers: HostWaiver[] = waivers.map(({ waiver, path }) => ({ check: waiver.check, reason: waiver.reason.trim(), expires: waiver.expires ?? null, position: source.positionOf(path) ?? position }));
  return { merged, prov, conflicts, labLayers, custom, waivers: hostWaivers };
}

/**
 * Ansible's rules: WinRM on port 5986 with no scheme set means https; and a host whose connection is
 * Ansible's (ansible_connection: winrm | psrp) with neither port nor scheme gets Ansible's default,
 * https on 5986. (A scheme that disagrees with the port is a warning of `inventory check`,
 * src/inventory/connection-check.ts.)
 */
function httpsOn5986(merged: Record<string, unknown>, prov: Provenance, transport: string, ansibleConnection: boolean): void {
  const winrm = isPlainObject(merged.winrm) ? merged.winrm : undefined;
  if (winrm?.scheme !== undefined || transport !== 'winrm') return;
  const port = winrm?.port ?? merged.port;
  if (port !== 5986 && !(port === undefined && ansibleConnection)) return;
  merged.winrm = { ...(winrm ?? {}), scheme: 'https' };
  const from = prov.get(winrm?.port !== undefined ? 'winrm\u0000port' : port !== undefined ? 'port' : 'transport');
  if (from) prov.set('winrm\u0000scheme', from);
}

/** The validated vars as a HostConfig: transport ports resolved, sources of values kept. */
function toHostConfig(
  name: string,
  h: ResolvedHostVarsOutput,
  ctx: { roles: Role[]; groups: string[]; prov: Provenance; position: SourcePosition; labLayers: Array<{ lab: unknown; path: YamlPath }> },
): HostConfig {
  // The host-level `port` is the port of the host's own transport, unless that transport sets one.
  const winrmPort = h.winrm.port ?? (h.transport === 'winrm' ? h.port : undefined) ?? (h.winrm.scheme === 'https' ? 5986 : 5985);
  const sshPort = h.ssh.port ?? (h.transport === 'ssh' ? h.port : undefined) ?? 22;
  return {
    name,
    address: h.address,
    port: h.port,
    roles: ctx.roles,
    groups: ctx.groups,
    transport: h.transport,
    winrm: { ...h.winrm, port: winrmPort, user: h.winrm.user, password: h.winrm.password },
    ssh: { ...h.ssh, port: sshPort, user: h.ssh.user },
    versions: h.versions,
    webApps: h.webApps,
    installPath: h.installPath,
    artifacts: h.artifacts,
    lab: h.lab,
    labPath: ctx.prov.get('lab') ?? [],
    labLayers: ctx.labLayers,
    refSources: refSourcesOf(ctx.prov),
    varSources: Object.fromEntries([...ctx.prov].map(([k, v]) => [k.split('\u0000').join('.'), v])),
    position: ctx.position,
  };
}

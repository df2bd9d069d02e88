/**
 * loadPlaybook: YAML file + loaded inventory → Playbook. Every problem is reported at once
 * (PlaybookError), each with file:line:col and the field, as the inventory loader does (and with
 * its machinery: YamlSource positions, problemsFromIssue messages and suggestions).
 * Two passes: the document (schema.ts), then per step and target host: targets resolved, templates
 * rendered, params validated by the resource's schema, `when` parsed and its variables checked.
 * An unknown variable is an error here, at load time, never in the middle of an apply.
 */
import { z } from 'zod';
import { resolve as resolveFromCwd } from 'node:path';
import { InputError, type SourcePosition } from '../../errors.js';
import { YamlSource, type YamlPath } from '../../inventory/source.js';
import { readBoundedFile, readFailureText } from '../../inventory/bounded-file.js';
import { INVENTORY_LIMITS } from '../../inventory/limits.js';
import { dedupe, fieldName, formatProblem, problemsFromIssue, sortProblems } from '../../inventory/problems.js';
import { nearest } from '../../inventory/suggest.js';
import type { Inventory, InventoryProblem } from '../../inventory/types.js';
import { Facts } from '../../preflight/facts.js';
import { RESOURCES, RESOURCE_TYPES, type ResourceTypeName } from '../../resources/index.js';
import { hasGuard } from '../../resources/exec.js';
import { parseExpr, pathsOf, ExprSyntaxError } from '../expr/parse.js';
import { pathText, resolvePath } from '../expr/evaluate.js';
import { PLAYBOOK_HINTS } from './hints.js';
import { durationMs, PlaybookDocument, type PlaybookInput, type StepInput, type TargetsInput } from './schema.js';
import { containsTemplate, parseTemplate, renderValue } from './template.js';
import { CONDITION_ROOTS, hostScope, inventoryScope } from './scope.js';
import { findArtifact, PRODUCT_ARTIFACTS, siteData, type ArtifactStoreView, type SiteData } from './site-data.js';
import { DEFAULT_ARTIFACT_STORE, readManifest } from '../../artifacts/store.js';
import type { Condition, HealthGate, HostRebootRule, Phase, PhaseDrain, Playbook, RetryPolicy, SerialSpec, Step } from './types.js';

export type PlaybookProblem = InventoryProblem;

/** The playbook could not be loaded: every problem found, each with its position. */
export class PlaybookError extends InputError {
  readonly problems: PlaybookProblem[];
  constructor(problems: PlaybookProblem[]) {
    const first = problems[0]!;
    const detail = problems.length === 1 ? first.message : `${problems.length} problems in the playbook, the first here:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
    super(detail, { position: first.position, field: first.field, hint: problems.length === 1 ? first.hint : undefined });
    this.problems = problems;
  }
}

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_RETRIES: RetryPolicy = { attempts: 0, delayMs: 5000, backoff: 2, maxDelayMs: 5 * 60_000 };

export interface PlaybookLoadOptions {
  /** The artifact store `artifacts.*` templates read (default: none; loadPlaybook reads `store`). */
  artifacts?: ArtifactStoreView | null;
}

export { DEFAULT_ARTIFACT_STORE };

export async function loadPlaybook(file: string, inventory: Inventory, options: { store?: string | undefined } = {}): Promise<Playbook> {
  let text: string;
  try {
    // The same bounds as an inventory: a regular file of at most 1 MiB (a FIFO or /dev/zero is refused at once).
    text = await readBoundedFile(file, INVENTORY_LIMITS.maxBytes);
  } catch (err) {
    throw new InputError(readFailureText('playbook', file, err).detail, { field: 'playbook', hint: 'Pass a plain YAML file of at most 1 MiB, e.g. playbooks/cortex.yaml (docs/security.md, Limits).' });
  }
  const store = resolveFromCwd(options.store ?? DEFAULT_ARTIFACT_STORE);
  // A store that cannot be read matters only to a playbook that reads artifacts.*: say so there.
  const artifacts = await readManifest(store).then(
    (manifest): ArtifactStoreView => ({ store, manifest }),
    (err: unknown): ArtifactStoreView => ({ store, manifest: null, error: err instanceof Error ? err.message : String(err) }),
  );
  return parsePlaybook(text, file, inventory, { artifacts });
}

export function parsePlaybook(text: string, file: string, inventory: Inventory, options: PlaybookLoadOptions = {}): Playbook {
  const { source, data, problems: syntax } = YamlSource.parse(text, file);
  if (syntax.length) throw new PlaybookError(syntax.map((s) => ({ position: s.position, field: '(yaml)', message: s.message })));
  const start = { file, line: 1, col: 1 };
  const parsed = PlaybookDocument.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => problemsFromIssue(issue, { source, schema: PlaybookDocument, data, locate: (p) => p, fallback: start, hints: PLAYBOOK_HINTS }));
    throw new PlaybookError(sortProblems(dedupe(problems)));
  }
  const r = new Resolver(source, parsed.data, inventory, file, siteData(inventory, options.artifacts ?? null));
  const pb = r.resolve();
  if (r.problems.length) throw new PlaybookError(sortProblems(dedupe(r.problems)));
  return pb;
}

/** Pass 2, with the problems it finds. */
class Resolver {
  readonly problems: PlaybookProblem[] = [];
  private readonly shared;
  private readonly hostOrder: Map<string, number>;
  private readonly varsByHost: Record<string, Record<string, unknown>> = {};

  constructor(
    private readonly source: YamlSource,
    private readonly doc: PlaybookInput,
    private readonly inv: Inventory,
    private readonly file: string,
    private readonly site: SiteData,
  ) {
    this.shared = inventoryScope(inv);
    this.hostOrder = new Map(inv.hosts.map((h, i) => [h.name, i]));
  }

  private at(path: YamlPath, key = false): SourcePosition {
    return this.source.positionOf(path, { key }) ?? { file: this.file, line: 1, col: 1 };
  }

  private problem(path: YamlPath, message: string, hint?: string, key = false): void {
    this.problems.push({ position: this.at(path, key), field: fieldName(path), message, hint });
  }

  resolve(): Playbook {
    const doc = this.doc;
    const handlerIds = new Set((doc.handlers ?? []).map((h) => h.id));
    const seen = new Map<string, YamlPath>();
    const checkId = (id: string, path: YamlPath) => {
      const prev = seen.get(id);
      if (prev) this.problem([...path, 'id'], `duplicate step id '${id}' (also at line ${this.at(prev).line}).`, 'Step and handler ids are unique in a playbook: the journal and plans refer to steps by id.');
      else seen.set(id, path);
    };

    // Targets first: vars render for the hosts the playbook touches.
    const targetsOf: Array<Array<{ hosts: string[] } | undefined>> = doc.phases.map((ph, i) =>
      ph.steps.map((st, j) => {
        const path: YamlPath = ['phases', i, 'steps', j];
        const t = st.targets ?? ph.targets;
        if (!t) {
          this.problem([...path, 'id'], `step '${st.id}' has no targets.`, `Set targets on the step or on phase '${ph.name}', e.g. targets: { roles: [app] }.`);
          return undefined;
        }
        return { hosts: this.resolveTargets(t, st.targets ? [...path, 'targets'] : ['phases', i, 'targets']) };
      }),
    );
    const touched = this.sortHosts(targetsOf.flat().flatMap((t) => t?.hosts ?? []));
    for (const h of touched) this.varsByHost[h] = this.renderVars(h);

    const phases: Phase[] = [];
    const soFar: string[] = [];
    const notifiers = new Map<string, Set<string>>();
    doc.phases.forEach((ph, i) => {
      const steps: Step[] = [];
      ph.steps.forEach((st, j) => {
        const path: YamlPath = ['phases', i, 'steps', j];
        checkId(st.id, path);
        const targets = targetsOf[i]![j];
        if (!targets) return;
        const step = this.resolveStep(st, path, ph.name, 'step', targets.hosts, soFar);
        for (const n of step.notify) {
          if (!handlerIds.has(n)) {
            const k = Array.isArray(st.notify) ? st.notify.indexOf(n) : undefined;
            const near = nearest(n, [...handlerIds]);
            this.problem(k === undefined ? [...path, 'notify'] : [...path, 'notify', k], `unknown handler '${n}'.${near ? ` Did you mean '${near}'?` : ''}`, handlerIds.size ? `Handlers: ${[...handlerIds].join(', ')}.` : 'Define it under handlers: at the top of the playbook.');
          } else {
            const set = notifiers.get(n) ?? new Set<string>();
            for (const h of step.hosts) set.add(h);
            notifiers.set(n, set);
          }
        }
        soFar.push(...(step.runOnceOf ?? step.hosts));
        steps.push(step);
      });
      const hosts = this.sortHosts(steps.flatMap((s) => s.runOnceOf ?? s.hosts));
      let health: HealthGate | undefined;
      if (ph.health) {
        const checks = ph.health.checks.map((c, k) =>
          this.resolveStep({ ...c, id: c.id ?? `${ph.name}.health.${k + 1}` } as StepInput, ['phases', i, 'health', 'checks', k], ph.name, 'check', hosts, []),
        );
        health = { checks, retries: ph.health.retries ?? 10, delayMs: durationMs(ph.health.delay ?? '10s') };
      }
      let drain: PhaseDrain | undefined;
      if (ph.drain) {
        const on = this.resolveTargets(ph.drain.on, ['phases', i, 'drain', 'on']);
        for (const h of on) this.varsByHost[h] ??= this.renderVars(h);
        const [before, after] = (['before', 'after'] as const).map((k) => {
          const path: YamlPath = ['phases', i, 'drain', k];
          checkId(ph.drain![k].id, path);
          // Rendered for each host of the phase (the host it runs for); run on the `on` hosts.
          return this.resolveStep(ph.drain![k] as StepInput, path, ph.name, 'drain', hosts, []);
        }) as [Step, Step];
        const both = on.filter((h) => hosts.includes(h));
        if (both.length) this.problem(['phases', i, 'drain', 'on'], `the drain of phase '${ph.name}' runs on ${both.join(', ')}, which the phase also changes.`, 'Drain on hosts outside the phase (the load balancer), e.g. on: { roles: [lb] }.');
        drain = { on, before, after };
      }
      phases.push({
        name: ph.name,
        description: ph.description,
        steps,
        hosts,
        serial: ph.serial === undefined ? undefined : serialSpec(ph.serial),
        health,
        drain,
        maxFailPercentage: ph.max_fail_percentage ?? doc.max_fail_percentage ?? 0,
        position: this.at(['phases', i, 'name']),
      });
    });

    const handlers: Record<string, Step> = {};
    (doc.handlers ?? []).forEach((h, k) => {
      const path: YamlPath = ['handlers', k];
      checkId(h.id, path);
      const hosts = this.sortHosts([...(notifiers.get(h.id) ?? [])]);
      for (const host of hosts) this.varsByHost[host] ??= this.renderVars(host);
      const { run_once: runOnce, ...rest } = h;
      if (typeof runOnce === 'string' && hosts.length && !hosts.includes(runOnce)) {
        this.problem([...path, 'run_once'], `run_once host '${runOnce}' is not among the hosts whose steps notify handler '${h.id}'.`, `Those hosts: ${hosts.join(', ')}.`);
      }
      handlers[h.id] = { ...this.resolveStep(rest as StepInput, path, '', 'handler', hosts, []), runOnce };
    });

    return { file: this.file, name: doc.name, description: doc.description, phases, handlers, reboots: this.resolveReboots(touched), vars: this.varsByHost };
  }

  /** What a step's templates read for one host: host, versions, hosts, groups, vars, components, artifacts. */
  private scopeOf(host: string): Record<string, unknown> {
    const scope = hostScope(this.shared, host, this.varsByHost[host] ?? {});
    const components = this.site.components?.[host];
    return { ...scope, ...(components ? { components } : {}), artifacts: this.site.artifacts[host] ?? {} };
  }

  /**
   * Why a template of a step cannot read what it names under components.* or artifacts.* on a host: the
   * inventory has no components block, a generator refused the inventory, the host pins no version, or
   * the store lacks the artifact (with the `artifacts add` command that fixes it).
   */
  private siteDataProblems(raw: unknown, host: string, stepId: string): Array<{ path: Array<string | number>; message: string; hint: string }> {
    const out: Array<{ path: Array<string | number>; message: string; hint: string }> = [];
    const visit = (v: unknown, path: Array<string | number>) => {
      if (typeof v === 'string') {
        const parts = parseTemplate(v);
        if (!Array.isArray(parts)) return;
        for (const part of parts) {
          if (!('expr' in part)) continue;
          for (const ref of pathsOf(part.expr)) {
            const problem = this.siteRefProblem(ref.segments, host, stepId);
            if (problem && !out.some((o) => o.message === problem.message)) out.push({ path, ...problem });
          }
        }
      } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
    };
    visit(raw, []);
    return out;
  }

  private siteRefProblem(segments: Array<string | number>, host: string, stepId: string): { message: string; hint: string } | undefined {
    const [root, key] = segments;
    if (root === 'components') {
      if (!this.site.components) return { message: `'${pathText(segments)}' needs the inventory's components: block, and ${this.inv.file} has none`, hint: 'Add components: to all.vars with at least serviceFabric.security and serviceFabric.clientIdentities (docs/component-config.md).' };
      const failed = typeof key === 'string' ? this.site.componentFailures[key] : undefined;
      if (failed) {
        const where = this.inv.positionOf(['all', 'vars', 'components'], { key: true });
        return { message: `components.${key} cannot be generated from the inventory: ${failed.message.replace(/\.$/, '')}${failed.field ? ` (field ${failed.field})` : ''}${where ? `; the components block is at ${where.file}:${where.line}` : ''}`, hint: failed.hint ?? 'Fix the inventory (docs/component-config.md).' };
      }
      return undefined;
    }
    if (root !== 'artifacts' || typeof key !== 'string') return undefined;
    // The product's files (cortexApps, cortexGateway, cortexDatabase) come in the version versions.cortex pins.
    const versionKey = (PRODUCT_ARTIFACTS as readonly string[]).includes(key) ? 'cortex' : key;
    const version = (this.inv.hosts.find((h) => h.name === host)?.versions as Record<string, string | undefined> | undefined)?.[versionKey];
    if (version === undefined) return { message: `step '${stepId}' reads artifacts.${key}, and the inventory pins no version of ${versionKey}`, hint: `Set versions.${versionKey} in the inventory (docs/inventory.md); artifact names are the versions keys, and the Cortex product's files (${PRODUCT_ARTIFACTS.join(', ')}) take versions.cortex.` };
    if (findArtifact(this.site.store, key, version)) return undefined;
    const store = this.site.store?.store ?? DEFAULT_ARTIFACT_STORE;
    return {
      message: `step '${stepId}' needs the artifact ${key} ${version}, and the artifact store ${store} ${this.site.store?.error ? `cannot be read (${this.site.store.error.replace(/\.$/, '')})` : this.site.store?.manifest ? 'does not hold it' : 'has no manifest.yaml'}`,
      hint: `Add it: cortex-deploy artifacts add FILE --store ${store} --name ${key} --version ${version} (docs/artifacts.md); or name another store with --store.`,
    };
  }

  private sortHosts(names: Iterable<string>): string[] {
    return [...new Set(names)].sort((a, b) => (this.hostOrder.get(a) ?? 0) - (this.hostOrder.get(b) ?? 0));
  }

  private resolveTargets(t: TargetsInput, path: YamlPath): string[] {
    const out: string[] = [];
    const groups = Object.keys(this.inv.groups);
    const hostNames = this.inv.hosts.map((h) => h.name);
    for (const [kind, names] of [['roles', t.roles], ['groups', t.groups], ['hosts', t.hosts]] as const) {
      (names ?? []).forEach((n, k) => {
        const pool = kind === 'hosts' ? hostNames : groups;
        if (!pool.includes(n)) {
          const near = nearest(n, pool);
          this.problem([...path, kind, k], `${kind === 'hosts' ? 'host' : kind === 'roles' ? 'role' : 'group'} '${n}' is not in the inventory.${near ? ` Did you mean '${near}'?` : ''}`, `The inventory ${kind === 'hosts' ? 'hosts' : 'groups'}: ${pool.join(', ')}.`);
          return;
        }
        out.push(...(kind === 'hosts' ? [n] : this.inv.groups[n]!));
      });
    }
    const hosts = this.sortHosts(out);
    if (!hosts.length && !this.problems.some((p) => p.field.startsWith(fieldName(path)))) this.problem(path, 'these targets match no host of the inventory.', 'Check the group names, or remove the step.');
    return hosts;
  }

  private renderVars(host: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.doc.vars ?? {})) {
      const r = renderValue(v, hostScope(this.shared, host, {}));
      for (const p of r.problems) this.problem(['vars', k, ...p.path], `${p.message} (host ${host}).`, 'Playbook vars may read host, versions, hosts and groups; not other vars.');
      out[k] = r.value;
    }
    return out;
  }

  private resolveStep(st: StepInput, path: YamlPath, phase: string, kind: Step['kind'], targets: string[], before: string[]): Step {
    const resource = RESOURCE_TYPES.find((t) => (st as Record<string, unknown>)[t] !== undefined) as ResourceTypeName;
    const raw = (st as Record<string, unknown>)[resource];
    const paramsPath: YamlPath = [...path, resource];

    let hosts = targets;
    let runOnceOf: string[] | undefined;
    if (st.run_once !== undefined) {
      runOnceOf = targets;
      if (st.run_once === true) hosts = targets.slice(0, 1);
      else if (targets.includes(st.run_once)) hosts = [st.run_once];
      else this.problem([...path, 'run_once'], `run_once host '${st.run_once}' is not among the step's targets.`, `Targets: ${targets.join(', ')}.`);
    }

    // Params per host; the same problem on several hosts is reported once, naming them when not all.
    const params: Record<string, unknown> = {};
    const found = new Map<string, { problem: PlaybookProblem; hosts: string[] }>();
    const schema = RESOURCES[resource].params as z.ZodType;
    const templated = containsTemplate(raw);
    const nothingToDo = new Set<string>();
    for (const h of templated ? hosts : hosts.slice(0, 1)) {
      const local: PlaybookProblem[] = [];
      const site = templated ? this.siteDataProblems(raw, h, st.id) : [];
      for (const p of site) local.push({ position: this.at([...paramsPath, ...p.path]), field: fieldName([...paramsPath, ...p.path]), message: `${p.message}.`, hint: p.hint });
      const r = site.length ? { value: raw, problems: [] } : renderValue(raw, this.scopeOf(h));
      // Params written as one template that renders to null: the step has nothing to do on this host
      // (e.g. '{{ components.gobetweenWebDrain }}' for a host no balanced server takes).
      if (typeof raw === 'string' && !r.problems.length && !site.length && r.value === null) {
        nothingToDo.add(h);
        continue;
      }
      for (const p of r.problems) local.push({ position: this.at([...paramsPath, ...p.path]), field: fieldName([...paramsPath, ...p.path]), message: `${p.message}.`, hint: 'Templates read host, versions, hosts.<name>, groups.<name>, vars, components and artifacts (docs/playbooks.md).' });
      if (!r.problems.length && !site.length) {
        const v = schema.safeParse(r.value);
        if (v.success) params[h] = v.data;
        else local.push(...v.error.issues.flatMap((issue) => problemsFromIssue(issue, { source: this.source, schema, data: r.value, locate: (p) => [...paramsPath, ...p], fallback: this.at(paramsPath), hints: PLAYBOOK_HINTS })));
      }
      for (const p of local) {
        const key = `${p.position.line}:${p.position.col}:${p.field}:${p.message}`;
        const e = found.get(key) ?? { problem: p, hosts: [] };
        e.hosts.push(h);
        found.set(key, e);
      }
    }
    if (!templated && hosts.length > 1 && params[hosts[0]!] !== undefined) for (const h of hosts.slice(1)) params[h] = params[hosts[0]!];
    if (nothingToDo.size) hosts = hosts.filter((h) => !nothingToDo.has(h));
    for (const { problem, hosts: on } of found.values()) {
      this.problems.push(templated && on.length < hosts.length ? { ...problem, message: `${problem.message.replace(/\.$/, '')} (host${on.length > 1 ? 's' : ''} ${on.join(', ')}).` } : problem);
    }

    if (resource === 'exec' && kind === 'step' && params[hosts[0]!] && !hasGuard(params[hosts[0]!] as Parameters<typeof hasGuard>[0])) {
      this.problem(paramsPath, 'an exec step needs a guard, so that a second apply does not run it again.', "Add unless: <PowerShell that is true once done> or creates: <path the action creates>; or make it a handler.", true);
    }

    if (resource === 'service_fabric_restart' && kind === 'step') {
      this.problem(paramsPath, 'service_fabric_restart is an action asked for by a change: a plain step would restart on every run, or never.', 'Define it under handlers: and notify it from the step whose change needs the restart.', true);
    }

    const when = st.when === undefined ? undefined : this.resolveCondition(st.when, [...path, 'when'], hosts);
    let barrier: string[] | undefined;
    if (st.barrier === true) barrier = this.sortHosts(before);
    else if (st.barrier) barrier = this.resolveTargets(st.barrier, [...path, 'barrier']);

    return {
      id: st.id,
      name: st.name,
      phase,
      kind,
      resource,
      params,
      hosts,
      when,
      runOnceOf,
      serial: st.serial === undefined ? undefined : serialSpec(st.serial),
      barrier,
      retries: retryPolicy(st.retries),
      timeoutMs: st.timeout === undefined ? DEFAULT_TIMEOUT_MS : durationMs(st.timeout),
      notify: st.notify === undefined ? [] : Array.isArray(st.notify) ? st.notify : [st.notify],
      rebootPolicy: st.reboot_policy,
      position: this.at([...path, 'id']),
    };
  }

  /** Parse a condition and check every variable it reads: roots, facts fields, and per host the rest. */
  private resolveCondition(text: string, path: YamlPath, hosts: string[]): Condition | undefined {
    let expr;
    try {
      expr = parseExpr(text);
    } catch (err) {
      if (!(err instanceof ExprSyntaxError)) throw err;
      this.problem(path, `${err.message} (at character ${err.offset + 1} of the condition).`, "Conditions compare facts and vars: version(versions.erlang) >= '27' and 'app' in host.roles.");
      return undefined;
    }
    for (const ref of pathsOf(expr)) {
      const root = String(ref.segments[0]);
      if (!(CONDITION_ROOTS as readonly string[]).includes(root)) {
        const near = nearest(root, CONDITION_ROOTS);
        this.problem(path, `unknown variable '${pathText(ref.segments)}'.${near ? ` Did you mean '${near}'?` : ''}`, `Conditions read: ${CONDITION_ROOTS.join(', ')}.`);
        continue;
      }
      if (root === 'facts') {
        const bad = factsPathProblem(ref.segments.slice(1));
        if (bad) this.problem(path, `unknown fact '${pathText(ref.segments)}'.${bad}`, 'Facts are those preflight reads (docs/preflight.md).');
        continue;
      }
      if (ref.guarded) continue;
      const missing = hosts.filter((h) => !resolvePath(hostScope(this.shared, h, this.varsByHost[h] ?? {}), ref.segments).found);
      if (missing.length) this.problem(path, `'${pathText(ref.segments)}' is not defined for host${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`, `Define it in the inventory, or guard it: defined(${pathText(ref.segments)}) and …, or ${pathText(ref.segments)} | default(…).`);
    }
    return { text, expr, position: this.at(path) };
  }

  private resolveReboots(hosts: string[]): Record<string, HostRebootRule> {
    const rules = Object.entries(this.doc.reboots ?? {});
    for (const [g] of rules) {
      if (!this.inv.groups[g]) {
        const near = nearest(g, Object.keys(this.inv.groups));
        this.problem(['reboots', g], `group '${g}' is not in the inventory.${near ? ` Did you mean '${near}'?` : ''}`, undefined, true);
      }
    }
    const out: Record<string, HostRebootRule> = {};
    for (const h of hosts) {
      const rule = rules.find(([g]) => (this.inv.groups[g] ?? []).includes(h));
      out[h] = { policy: rule?.[1].policy ?? 'immediate', quorum: rule?.[1].quorum ? rule[0] : null };
    }
    return out;
  }
}

function serialSpec(s: number | string): SerialSpec {
  return typeof s === 'number' ? { count: s } : { percent: Number(s.slice(0, -1)) };
}

function retryPolicy(r: StepInput['retries']): RetryPolicy {
  if (r === undefined) return { ...DEFAULT_RETRIES };
  if (typeof r === 'number') return { ...DEFAULT_RETRIES, attempts: r };
  return {
    attempts: r.attempts,
    delayMs: r.delay === undefined ? DEFAULT_RETRIES.delayMs : durationMs(r.delay),
    backoff: r.backoff ?? DEFAULT_RETRIES.backoff,
    maxDelayMs: r.maxDelay === undefined ? DEFAULT_RETRIES.maxDelayMs : durationMs(r.maxDelay),
  };
}

/** Walk the facts schema along a path; a message when a key is not a fact (with a suggestion). */
function factsPathProblem(segments: Array<string | number>): string | undefined {
  let s: z.ZodType = Facts;
  for (const seg of segments) {
    while (s instanceof z.ZodNullable || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodArray) {
      if (typeof seg !== 'number') return ' That fact is a list: index it, e.g. [0].';
      s = s.element as z.ZodType;
      continue;
    }
    if (!(s instanceof z.ZodObject)) return ' That fact has no fields.';
    const shape = s.shape as Record<string, z.ZodType>;
    const next = shape[String(seg)];
    if (!next) {
      const near = nearest(String(seg), Object.keys(shape));
      return near ? ` Did you mean '${near}'?` : ` Fields here: ${Object.keys(shape).join(', ')}.`;
    }
    s = next;
  }
  return undefined;
}

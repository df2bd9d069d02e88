/**
 * iis_site: an IIS web site (WebAdministration: IIS:\Sites\<name>): physical path, application pool,
 * bindings, started or stopped. Bindings are compared by protocol and bindingInformation
 * (`*:<port>:<host>`), and an https binding also by its certificate hash and SNI flag; the Set replaces
 * only the bindings that differ (docs/iis.md). A cut-over to a new version
 * folder is a change of physicalPath.
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { Thumbprint } from './certificate.js';
import { IisName } from './iis-app-pool.js';
import { defineResource, NONE, sameText } from './resource.js';

export const IisBinding = z
  .strictObject({
    protocol: z.enum(['http', 'https']),
    port: z.number().int().min(1).max(65535),
    host: z
      .string()
      .regex(/^[A-Za-z0-9.-]*$/, { message: 'a host name (letters, digits, . -) or empty for any host' })
      .default('')
      .meta({ description: "Host header; '' (default) answers any host name" }),
    thumbprint: Thumbprint.optional().meta({ description: 'https only: the certificate (in LocalMachine\\My)' }),
    sni: z.boolean().default(false).meta({ description: 'https only: Server Name Indication (needs a host)' }),
  })
  .refine((b) => (b.protocol === 'https') === (b.thumbprint !== undefined), { message: 'an https binding needs a thumbprint; an http binding takes none', path: ['thumbprint'] })
  .refine((b) => !b.sni || (b.protocol === 'https' && b.host !== ''), { message: 'sni needs an https binding with a host', path: ['sni'] });
export type IisBinding = z.output<typeof IisBinding>;

/** A binding as IIS keeps it (Get-WebBinding): what the Test returns and the Set compares. */
export const IisBindingState = z.object({
  protocol: z.string(),
  bindingInformation: z.string(),
  /** Upper-case hex; null for http or an https binding without a certificate. */
  certificateHash: z.string().nullable(),
  /** 1 with SNI, 0 without. */
  sslFlags: z.number().int(),
});
export type IisBindingState = z.infer<typeof IisBindingState>;

export const IisSiteParams = z
  .strictObject({
    name: IisName,
    physicalPath: WindowsPath.meta({ description: "The site's folder, e.g. the Gateway's version folder" }),
    appPool: IisName.meta({ description: 'Application pool of the root application' }),
    bindings: z.array(IisBinding).min(1),
    state: z.enum(['started', 'stopped']).default('started'),
  })
  .refine((p) => new Set(p.bindings.map((b) => bindingKey(asState(b)))).size === p.bindings.length, { message: 'two bindings with the same protocol, port and host', path: ['bindings'] });

export const IisSiteState = z.object({
  /** IIS is installed (HKLM\SOFTWARE\Microsoft\InetStp); without it, nothing else is read. */
  iisInstalled: z.boolean(),
  exists: z.boolean(),
  physicalPath: z.string().nullable(),
  appPool: z.string().nullable(),
  /** Lower case: started, stopped, ... */
  state: z.string().nullable(),
  bindings: z.array(IisBindingState),
});

/** `*:<port>:<host>`: IIS's bindingInformation (all addresses). */
export function bindingInformation(b: { port: number; host: string }): string {
  return `*:${b.port}:${b.host}`;
}

/** A desired binding in IIS's terms. */
export function asState(b: IisBinding): IisBindingState {
  return { protocol: b.protocol, bindingInformation: bindingInformation(b), certificateHash: b.thumbprint ?? null, sslFlags: b.sni ? 1 : 0 };
}

/** What identifies a binding: protocol and bindingInformation (the host name without regard to case). */
export function bindingKey(b: Pick<IisBindingState, 'protocol' | 'bindingInformation'>): string {
  return `${b.protocol.toLowerCase()} ${b.bindingInformation.toLowerCase()}`;
}

const sameCert = (a: string | null, b: string | null) => (a ?? '').toUpperCase() === (b ?? '').toUpperCase();

/**
 * Which bindings the Set changes: those to remove (present, not wanted), to add (wanted, absent), and
 * to re-certify (same binding, another certificate or SNI flag). Pure; the Set script does the same.
 */
export function bindingChanges(desired: readonly IisBindingState[], current: readonly IisBindingState[]): { remove: IisBindingState[]; add: IisBindingState[]; rebind: IisBindingState[] } {
  const cur = new Map(current.map((c) => [bindingKey(c), c]));
  const want = new Set(desired.map(bindingKey));
  const remove = current.filter((c) => !want.has(bindingKey(c)));
  const add = desired.filter((d) => !cur.has(bindingKey(d)));
  const rebind = desired.filter((d) => {
    const c = cur.get(bindingKey(d));
    return c !== undefined && d.protocol === 'https' && (!sameCert(c.certificateHash, d.certificateHash) || c.sslFlags !== d.sslFlags);
  });
  return { remove, add, rebind };
}

const samePath = (a: string, b: string) => a.replace(/[\\/]+$/, '').toLowerCase() === b.replace(/[\\/]+$/, '').toLowerCase();

export const iisSiteResource = defineResource({
  type: 'iis_site',
  description: 'An IIS web site: physical path, application pool, bindings (https with a certificate), started or stopped',
  params: IisSiteParams,
  state: IisSiteState,
  label: (p) => `iis_site ${p.name}`,
  diff(p, s) {
    const bindings = p.bindings.map(asState);
    if (!s.iisInstalled || !s.exists) return { action: 'create', from: null, to: { physicalPath: p.physicalPath, appPool: p.appPool, bindings, state: p.state } };
    const from: Record<string, unknown> = {};
    const to: Record<string, unknown> = {};
    if (s.physicalPath === null || !samePath(s.physicalPath, p.physicalPath)) [from.physicalPath, to.physicalPath] = [s.physicalPath, p.physicalPath];
    if (!sameText(s.appPool, p.appPool)) [from.appPool, to.appPool] = [s.appPool, p.appPool];
    const ch = bindingChanges(bindings, s.bindings);
    if (ch.remove.length || ch.add.length || ch.rebind.length) {
      const changedKeys = new Set([...ch.remove, ...ch.add, ...ch.rebind].map(bindingKey));
      from.bindings = s.bindings.filter((b) => changedKeys.has(bindingKey(b)));
      to.bindings = bindings.filter((b) => changedKeys.has(bindingKey(b)));
    }
    if (s.state !== p.state) [from.state, to.state] = [s.state, p.state];
    return Object.keys(to).length ? { action: 'update', from, to } : NONE;
  },
});

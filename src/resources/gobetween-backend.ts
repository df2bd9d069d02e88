/**
 * gobetween_backend: one backend of a gobetween balanced server drained (no new connections) or live
 * again (docs/gobetween.md, "Draining a backend"). gobetween 0.8 has no per-backend switch in its REST
 * API, so a drain is the health check answering 0: the Set writes a marker file
 * `<installDir>\drain\<host>_<port>` that gobetween-healthcheck.ps1 reads, then waits until
 * `GET /servers/<server>/stats` shows the backend not live (gobetween needs `fails` checks for that);
 * a restore removes the marker and waits until the API shows it live again (the site answers).
 * The step runs on the load balancer, for the backend host (a phase's `drain:`, docs/playbooks.md).
 */
import { z } from 'zod';
import { WindowsPath } from './common.js';
import { defineResource, NONE } from './resource.js';

/** A host name or IPv4 address (or IPv6 in brackets), a colon, a port: as gobetween's static discovery lists it. */
const BACKEND = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/;

/** The marker's file name for a backend: brackets dropped, characters a file name cannot hold (IPv6's :) become _. */
export function drainMarkerName(backend: string): string {
  const m = BACKEND.exec(backend);
  if (!m) throw new Error(`not a backend host:port: ${backend}`);
  // gobetween passes an IPv6 host without its brackets: the health check names the marker from that.
  return `${m[1]!.replace(/^\[|\]$/g, '').replace(/[^A-Za-z0-9.-]/g, '_')}_${m[2]}`;
}

export const GobetweenBackendParams = z.strictObject({
  server: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: "gobetween's server name: lower-case letters, digits and _" }).meta({ description: 'The balanced server (gobetween.toml [servers.<name>])' }),
  backend: z
    .string()
    .regex(BACKEND, { message: 'host:port as gobetween lists the backend, e.g. web1.corp.example.com:443' })
    .refine((b) => Number(BACKEND.exec(b)?.[2]) >= 1 && Number(BACKEND.exec(b)?.[2]) <= 65535, { message: 'the port must be 1-65535' })
    .meta({ description: 'The backend as gobetween lists it: host:port' }),
  state: z.enum(['drained', 'live']).meta({ description: 'drained: the health check answers 0 and gobetween sends it no new connections; live: back in the pool' }),
  timeoutSec: z.number().int().min(1).max(3600).default(300).meta({ description: 'How long the Set waits for gobetween to show the new state. Default 300.' }),
  installDir: WindowsPath.default('C:\\Program Files\\gobetween').meta({ description: "gobetween's folder (the health check reads drain\\ there)" }),
  api: z
    .string()
    .regex(/^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/, { message: 'a loopback address and port, e.g. 127.0.0.1:8888 (the API has no authentication)' })
    .default('127.0.0.1:8888')
    .meta({ description: "gobetween's REST API on the load balancer. Default 127.0.0.1:8888." }),
});

export const GobetweenBackendState = z.object({
  /** The drain marker exists. */
  drained: z.boolean(),
  /** What the API shows for the backend; null when the API does not answer or does not list it. */
  live: z.boolean().nullable(),
  /** Active connections the API shows; null as live. */
  activeConnections: z.number().int().nonnegative().nullable(),
});

export const gobetweenBackendResource = defineResource({
  type: 'gobetween_backend',
  description: 'A gobetween backend drained (its health check answers 0) or live, as the REST API shows it',
  params: GobetweenBackendParams,
  state: GobetweenBackendState,
  label: (p) => `gobetween_backend ${p.server} ${p.backend}`,
  diff(p, s) {
    if (p.state === 'drained') {
      // Not live (or gobetween not answering: it sends nothing anywhere) with the marker in place.
      return s.drained && s.live !== true ? NONE : { action: 'update', from: { drained: s.drained, live: s.live }, to: { drained: true, live: false } };
    }
    return !s.drained && s.live === true ? NONE : { action: 'update', from: { drained: s.drained, live: s.live }, to: { drained: false, live: true } };
  },
});

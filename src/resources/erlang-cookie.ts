/**
 * erlang_cookie: the cluster's Erlang cookie written to each of `paths` (the RabbitMQ service's
 * systemprofile and the install account's profile): ASCII, no BOM, no newline (docs/rabbitmq.md).
 * The cookie is a secret reference, resolved on the workstation before the run; only the Set receives
 * its value, on stdin. The Test reads each file's SHA-256 and the diff compares it with the SHA-256 of
 * the resolved cookie, which cortex-deploy puts into the params as `cookieSha256`
 * (src/engine/agent/step-secrets.ts, withSecretDigests): plans, Tests and journals never hold the cookie.
 */
import { z } from 'zod';
import { SecretRef, Sha256, WindowsPath } from './common.js';
import { defineResource } from './resource.js';

export const ErlangCookieParams = z.strictObject({
  cookie: SecretRef.meta({ description: 'The cookie: env:NAME | file:PATH | prompt (20 to 255 ASCII letters and digits)' }),
  paths: z
    .array(WindowsPath)
    .min(1)
    .refine((ps) => new Set(ps.map((p) => p.toLowerCase())).size === ps.length, { message: 'a path is listed twice' })
    .meta({ description: 'Cookie files, e.g. C:\\Windows\\System32\\config\\systemprofile\\.erlang.cookie and the install account profile\'s' }),
  cookieSha256: Sha256.optional().meta({ description: 'Set by cortex-deploy from the resolved cookie; not written in a playbook' }),
});

export const ErlangCookieState = z.object({
  /** Per path, in the order of `paths`: the file's SHA-256, null when there is no file. */
  files: z.array(z.object({ path: z.string(), sha256: z.string().nullable() })),
});

/** What the diff shows for a cookie file: never the cookie, only whether it matches. */
type FileView = 'missing' | 'differs' | 'matches';

export const erlangCookieResource = defineResource({
  type: 'erlang_cookie',
  description: 'The Erlang cookie (a secret reference) in each cookie file: ASCII, no BOM, no newline',
  params: ErlangCookieParams,
  state: ErlangCookieState,
  label: (p) => `erlang_cookie ${p.paths.length} file${p.paths.length === 1 ? '' : 's'}`,
  diff(p, s) {
    const want = p.cookieSha256;
    const views = p.paths.map((path): { path: string; now: FileView } => {
      const f = s.files.find((x) => x.path.toLowerCase() === path.toLowerCase());
      if (!f || f.sha256 === null) return { path, now: 'missing' };
      return { path, now: want !== undefined && f.sha256.toLowerCase() === want ? 'matches' : 'differs' };
    });
    const todo = views.filter((v) => v.now !== 'matches');
    if (!todo.length) return { action: 'none', from: null, to: null };
    const allMissing = views.every((v) => v.now === 'missing');
    // Without the digest (a plan that could not resolve the cookie) an existing file is "unknown", shown as differs.
    const from = Object.fromEntries(todo.map((v) => [v.path, v.now]));
    const to = Object.fromEntries(todo.map((v) => [v.path, want === undefined ? 'cookie (resolved at apply)' : 'cookie']));
    return { action: allMissing ? 'create' : 'update', from: allMissing ? null : from, to };
  },
});

// Models ps1/resources/file.ps1: the staged upload, or the download from apply's pull server (a real
// HTTPS GET over loopback, the certificate pinned, the token sent: ../artifacts/pull-fetch.ts), checked
// by SHA-256 and moved into place (parent folder created), or the file deleted.
// The effect is the file model's Set (./resources/file.ts), held to the script by
// test/lab/differential/resources-a.differential.test.ts.
import { fetchPinned, PullFetchError, type Fetched } from '../artifacts/pull-fetch.js';
import { resourceSetHandler } from './resources/set-handler.js';
import type { LabHandler } from './types.js';

const plain = resourceSetHandler('file');

/** The download the Set asks for, fetched before the (synchronous) model runs; its error kept for the model to throw. */
async function prefetch(params: Record<string, unknown>, corrupt: boolean, localAddress: string): Promise<((url: string) => Fetched) | undefined> {
  const d = params.download;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return undefined;
  const { url, token, thumbprint } = d as Record<string, unknown>;
  if (typeof url !== 'string' || typeof token !== 'string' || typeof thumbprint !== 'string' || !url || !token || !thumbprint) return undefined;
  let got: Fetched | PullFetchError;
  try {
    got = await fetchPinned({ url, token, thumbprint, corrupt, localAddress });
  } catch (err) {
    if (!(err instanceof PullFetchError)) throw err;
    got = err;
  }
  return (asked) => {
    if (asked !== url) throw new Error(`the lab fetched ${url}, not ${asked}`);
    if (got instanceof PullFetchError) throw got;
    return got;
  };
}

export const resourcesFile: LabHandler<Record<string, unknown>> = {
  ...plain,
  run: async (ctx) => {
    const downloaded = await prefetch(ctx.params, ctx.corruptTransfers === true, ctx.host.address);
    return plain.run(downloaded ? { ...ctx, downloaded } : ctx);
  },
};

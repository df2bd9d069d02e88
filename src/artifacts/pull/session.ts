/**
 * `apply --artifacts pull` for one run: the run's store artifacts (served.ts), the address each host
 * reaches the workstation by (address.ts), a certificate and a token, and the server (server.ts). What a
 * host's file Set receives for a pulled source is its Download: the URL, the token and the thumbprint to
 * pin. close() stops the server; apply calls it when the run ends, however it ends.
 */
import { givenCertificate, runCertificate, type PullCertificate } from './certificate.js';
import { routeSourceAddress } from './address.js';
import { startPullServer, type PullRequestRecord, type PullServer, type ServedArtifact } from './server.js';
import { newPullToken } from './token.js';

export type ArtifactTransfer = 'push' | 'pull';
export const ARTIFACT_TRANSFERS: readonly ArtifactTransfer[] = ['push', 'pull'];

/** What a file Set gets instead of a staged upload: where to download the file, with what, and the pin. */
export interface Download {
  url: string;
  token: string;
  /** SHA-256 of the server's certificate (lower-case hex). */
  thumbprint: string;
}

export interface PullSettings {
  /** The address every host reaches the workstation by (--pull-address); default: per host, its inventory pullAddress, else the workstation's address on the route to it. */
  address?: string | undefined;
  /** A PEM certificate and key to serve with; default: one made for the run. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  port?: number | undefined;
}

export interface PullSession {
  /** The download of a source for a host; null when the source is not a store artifact (it is pushed). */
  downloadFor(host: string, sourcePath: string): Download | null;
  readonly artifacts: readonly ServedArtifact[];
  readonly server: PullServer;
  close(): Promise<void>;
}

export async function startPullSession(o: {
  /** The hosts that pull; pullAddress: the workstation's address as that host reaches it (inventory), if set. */
  hosts: ReadonlyArray<{ name: string; address: string; pullAddress?: string | undefined }>;
  /** Source path → artifact, for the run's file steps (served.ts). */
  sources: ReadonlyMap<string, ServedArtifact>;
  settings: PullSettings;
  onRequest?: (r: PullRequestRecord) => void;
}): Promise<PullSession> {
  const addressOf = new Map<string, string>();
  for (const h of o.hosts) addressOf.set(h.name, o.settings.address ?? h.pullAddress ?? (await routeSourceAddress(h.address)));
  const addresses = [...new Set(addressOf.values())];
  const certificate: PullCertificate = o.settings.certFile !== undefined || o.settings.keyFile !== undefined ? givenCertificate(o.settings.certFile ?? '', o.settings.keyFile ?? '') : runCertificate(addresses);
  const token = newPullToken();
  const artifacts = [...new Map([...o.sources.values()].map((a) => [`${a.name}\n${a.version}`, a])).values()];
  const server = await startPullServer({ artifacts, token, certificate, addresses, ...(o.settings.port !== undefined ? { port: o.settings.port } : {}), ...(o.onRequest ? { onRequest: o.onRequest } : {}) });
  return {
    artifacts,
    server,
    downloadFor(host, sourcePath) {
      const a = o.sources.get(sourcePath);
      const address = addressOf.get(host);
      if (!a || address === undefined) return null;
      return { url: server.url(address, a.name, a.version), token, thumbprint: server.thumbprint };
    },
    close: () => server.close(),
  };
}

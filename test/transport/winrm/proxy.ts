/** A recording TCP proxy (and a TLS-terminating variant) for looking at the bytes on the wire. */
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { requestSplitter } from '../../helpers/http-requests.js';

export interface Proxy {
  toServer: Buffer[];
  toClient: Buffer[];
  sockets: Set<Socket>;
  close(): Promise<void>;
  /** Destroy every proxied connection now. */
  cut(): void;
}

/**
 * Looks at each whole HTTP request the client sends (plain HTTP only): a Buffer is sent back as the
 * answer and the connection closed, without the request reaching the server; null passes it on.
 */
export type RequestFilter = (head: string, body: Buffer) => Buffer | null;

export async function startProxy(
  listen: { address: string; port: number },
  target: { address: string; port: number },
  tls?: { key: string; cert: string; targetCa: string },
  filter?: RequestFilter,
): Promise<Proxy> {
  const p: Proxy = { toServer: [], toClient: [], sockets: new Set(), close: async () => undefined, cut: () => undefined };
  const onClient = (client: Socket) => {
    const upstream: Socket = tls
      ? tlsConnect({ host: target.address, port: target.port, ca: tls.targetCa, checkServerIdentity: () => undefined })
      : netConnect({ host: target.address, port: target.port });
    p.sockets.add(client);
    p.sockets.add(upstream);
    const forward = (d: Buffer) => {
      p.toServer.push(Buffer.from(d));
      upstream.write(d);
    };
    client.on(
      'data',
      filter
        ? requestSplitter((raw, head, body) => {
            const answer = filter(head, body);
            if (answer === null) return forward(raw);
            client.end(answer);
            upstream.destroy();
          })
        : forward,
    );
    upstream.on('data', (d: Buffer) => {
      p.toClient.push(Buffer.from(d));
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  };
  const server: Server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onClient) : createServer(onClient);
  await new Promise<void>((r) => server.listen(listen.port, listen.address, () => r()));
  p.cut = () => {
    for (const s of p.sockets) s.destroy();
  };
  p.close = () =>
    new Promise<void>((r) => {
      p.cut();
      server.close(() => r());
    });
  return p;
}

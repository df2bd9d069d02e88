/** A recording TCP proxy (and a TLS-terminating variant) for looking at the bytes on the wire. */
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';

export interface Proxy {
  toServer: Buffer[];
  toClient: Buffer[];
  sockets: Set<Socket>;
  close(): Promise<void>;
  /** Destroy every proxied connection now. */
  cut(): void;
}

export async function startProxy(
  listen: { address: string; port: number },
  target: { address: string; port: number },
  tls?: { key: string; cert: string; targetCa: string },
): Promise<Proxy> {
  const p: Proxy = { toServer: [], toClient: [], sockets: new Set(), close: async () => undefined, cut: () => undefined };
  const onClient = (client: Socket) => {
    const upstream: Socket = tls
      ? tlsConnect({ host: target.address, port: target.port, ca: tls.targetCa, checkServerIdentity: () => undefined })
      : netConnect({ host: target.address, port: target.port });
    p.sockets.add(client);
    p.sockets.add(upstream);
    client.on('data', (d: Buffer) => {
      p.toServer.push(Buffer.from(d));
      upstream.write(d);
    });
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

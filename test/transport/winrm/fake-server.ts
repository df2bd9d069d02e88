/**
 * A deliberately broken WinRM endpoint for the client's error handling: answers Create and Command
 * properly (so a session opens), then whatever `mode` says for the next request.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { commandResponse, createResponse } from '../../../src/lab/winrm/responses.js';
import { readRequest } from '../../../src/lab/winrm/requests.js';
import { Action } from '../../../src/protocol/wsman/namespaces.js';
import { requestSplitter } from '../../helpers/http-requests.js';
import { parseSoap } from '../../../src/protocol/wsman/soap.js';

export type Misbehaviour = (req: { action: string; messageId: string; body: string }) => Buffer | 'hang' | 'close';

export interface FakeServer {
  misbehave: Misbehaviour | null;
  /** Misbehave already on Create (session open), not only after it. */
  fromCreate: boolean;
  close(): Promise<void>;
}

export function httpReply(status: number, contentType: string | null, body: string | Buffer, extra = ''): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const ct = contentType ? `Content-Type: ${contentType}\r\n` : '';
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status} X\r\n${ct}Content-Length: ${b.length}\r\n${extra}\r\n`), b]);
}

export async function startFakeServer(address: string, port = 5985): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const fake: FakeServer = { misbehave: null, fromCreate: false, close: async () => undefined };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.on(
      'data',
      requestSplitter((_raw, _head, bytes) => {
        if (sock.destroyed) return;
        const body = bytes.toString('utf8');
        const req = readRequest(parseSoap(body));
        const messageId = req.messageId ?? '';
        const info = { action: req.action, messageId, body };
        const broken = fake.misbehave && (fake.fromCreate || req.action !== Action.Create) ? fake.misbehave(info) : null;
        if (broken === 'hang') return;
        if (broken === 'close') {
          sock.destroy();
          return;
        }
        if (broken) {
          sock.write(broken);
          return;
        }
        const ok =
          req.action === Action.Create
            ? createResponse(messageId, 'http://x/wsman', 'SHELL-1', 'u', address)
            : commandResponse(messageId, 'CMD-1');
        sock.write(httpReply(200, 'application/soap+xml;charset=UTF-8', ok));
      }),
    );
  });
  await new Promise<void>((r) => server.listen(port, address, () => r()));
  fake.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return fake;
}

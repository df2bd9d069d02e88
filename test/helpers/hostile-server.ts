/**
 * A hostile WinRM endpoint on loopback (issue 14): it reads one HTTP request (an NTLM NEGOTIATE,
 * or a Basic-authenticated Create) and answers it the way an attacker or a broken middlebox would.
 * Writers stop when the client goes away, so a refused stream costs the test nothing.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { requestSplitter } from './http-requests.js';

export const HOSTILE_CASES = [
  'huge-body', // Content-Length: 800 MB, then streams it
  'chunked-endless', // chunked, 16 KiB chunks, never a last chunk
  'slow-drip', // a valid status line, then one byte every 200 ms
  'reset', // TCP reset as soon as the request arrives
  'malformed', // not HTTP at all
  'entity-bomb', // a SOAP reply carrying a DOCTYPE with nested entities
  'endless-header', // header lines forever, never the blank line
  'fault-escapes', // a WS-Man fault whose text carries terminal escape sequences
] as const;
export type HostileCase = (typeof HOSTILE_CASES)[number];

/** What the fault-escapes case puts in the fault text: clear screen, set the window title, a bell, a C1 CSI. */
export const ESCAPE_PAYLOAD = '\u001b[2J\u001b]0;pwned\u0007\u009b31mred';

const entityBomb = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body>&lol3;</s:Body></s:Envelope>',
].join('');

function faultWithEscapes(): string {
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault">' +
    '<s:Header/><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>' +
    `<s:Reason><s:Text xml:lang="en-US">evil&#x1b;[2J reason</s:Text></s:Reason>` +
    // eslint-disable-next-line no-control-regex
    `<s:Detail><f:WSManFault Code="2150858770" Machine="evil"><f:Message>${ESCAPE_PAYLOAD.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`)}</f:Message></f:WSManFault></s:Detail>` +
    '</s:Fault></s:Body></s:Envelope>'
  );
}

function head(status: string, headers: string[]): Buffer {
  return Buffer.from(`HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1');
}

/** Write `next()` whenever the socket can take more, until it closes (a firehose that respects back-pressure). */
function pump(sock: Socket, next: () => Buffer): void {
  const go = () => {
    while (!sock.destroyed && sock.write(next()));
  };
  sock.on('drain', go);
  go();
}

function answer(kind: HostileCase, sock: Socket): void {
  switch (kind) {
    case 'huge-body': {
      sock.write(head('200 OK', ['Content-Type: application/soap+xml;charset=UTF-8', 'Content-Length: 800000000']));
      const block = Buffer.alloc(64 * 1024, 0x41);
      pump(sock, () => block);
      return;
    }
    case 'chunked-endless': {
      sock.write(head('200 OK', ['Content-Type: application/soap+xml;charset=UTF-8', 'Transfer-Encoding: chunked']));
      const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x42), Buffer.from('\r\n')]);
      pump(sock, () => chunk);
      return;
    }
    case 'slow-drip': {
      const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nX-Drip: ' + 'd'.repeat(1000);
      let i = 0;
      const timer = setInterval(() => {
        if (sock.destroyed) return clearInterval(timer);
        sock.write(text[i++ % text.length]!);
      }, 200);
      sock.on('close', () => clearInterval(timer));
      return;
    }
    case 'reset':
      sock.resetAndDestroy();
      return;
    case 'malformed':
      sock.end('SSH-2.0-OpenSSH_9.6\r\n\u001b[31mnot http\r\n\r\n');
      return;
    case 'entity-bomb': {
      const body = Buffer.from(entityBomb);
      sock.write(Buffer.concat([head('200 OK', ['Content-Type: application/soap+xml;charset=UTF-8', `Content-Length: ${body.length}`]), body]));
      return;
    }
    case 'endless-header': {
      sock.write('HTTP/1.1 200 OK\r\n');
      const line = Buffer.from(`X-Filler: ${'h'.repeat(1000)}\r\n`);
      pump(sock, () => line);
      return;
    }
    case 'fault-escapes': {
      const body = Buffer.from(faultWithEscapes());
      sock.write(Buffer.concat([head('500 Internal Server Error', ['Content-Type: application/soap+xml;charset=UTF-8', `Content-Length: ${body.length}`]), body]));
      return;
    }
  }
}

export interface HostileServer {
  address: string;
  port: number;
  /** Bytes written to clients so far (all connections). */
  readonly bytesSent: number;
  close(): Promise<void>;
}

export async function startHostileServer(kind: HostileCase, address = '127.0.0.1'): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let sent = 0;
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => {
      sent += sock.bytesWritten;
      sockets.delete(sock);
    });
    sock.on('error', () => sock.destroy());
    // Only the first request is answered; whatever follows is read and ignored.
    let answered = false;
    sock.on(
      'data',
      requestSplitter(() => {
        if (answered) return;
        answered = true;
        answer(kind, sock);
      }),
    );
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, address, () => res());
  });
  const port = (server.address() as { port: number }).port;
  return {
    address,
    port,
    get bytesSent() {
      return sent + [...sockets].reduce((n, s) => n + s.bytesWritten, 0);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

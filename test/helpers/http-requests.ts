/**
 * Cuts a client's byte stream into whole HTTP requests, for the tests' hand-written servers and
 * proxies. Bodies are delimited by Content-Length, as every client these tests drive sends them.
 */
export function requestSplitter(onRequest: (raw: Buffer, head: string, body: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      const raw = buf.subarray(0, end + 4 + len);
      buf = buf.subarray(end + 4 + len);
      onRequest(raw, head, raw.subarray(end + 4));
    }
  };
}

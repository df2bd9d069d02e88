/** A Send built as parts (stdin base64-encoded straight into the body) is byte-identical to the text form. */
import { describe, expect, it } from 'vitest';
import { envelopeBytes } from '../../../src/protocol/wsman/envelope-bytes.js';
import { buildRequest, sendBody } from '../../../src/protocol/wsman/messages.js';
import { readRequest, readSend } from '../../../src/lab/winrm/requests.js';
import { Action } from '../../../src/protocol/wsman/namespaces.js';
import { parseSoap } from '../../../src/protocol/wsman/soap.js';
import { withStdin } from '../../../src/transport/winrm/shell.js';

const head = { to: 'http://h:5985/wsman', action: Action.Send, messageId: 'uuid:1', maxEnvelopeSize: 512000, operationTimeoutMs: 20_000, shellId: 'S1' };

describe('Send as envelope parts', () => {
  it.each([0, 1, 2, 3, 1000, 65_537])('%i bytes of stdin: same bytes as the text envelope', (n) => {
    const data = Buffer.alloc(n);
    for (let i = 0; i < n; i++) data[i] = (i * 7919) & 0xff;
    for (const end of [false, true]) {
      const text = buildRequest(head, sendBody('C-1', data, end));
      const parts = withStdin(buildRequest(head, sendBody('C-1', new Uint8Array(0), end)), data);
      const bytes = envelopeBytes(parts);
      expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
      const [chunk] = readSend(readRequest(parseSoap(bytes.toString('latin1'))).body);
      expect(chunk!.data.equals(data)).toBe(true);
      expect(chunk!.end).toBe(end);
    }
  });
});

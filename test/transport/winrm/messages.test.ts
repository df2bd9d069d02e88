import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { formatDuration, parseDurationMs } from '../../../src/protocol/wsman/duration.js';
import { buildFault } from '../../../src/lab/winrm/responses.js';
import { readFault } from '../../../src/protocol/wsman/faults.js';
import { buildRequest, commandBody, readReceiveResponse, sendBody } from '../../../src/protocol/wsman/messages.js';
import { readCommandLine, readRequest, readSend } from '../../../src/lab/winrm/requests.js';
import { receiveResponse } from '../../../src/lab/winrm/responses.js';
import { Action, FaultCode } from '../../../src/protocol/wsman/namespaces.js';
import { parseSoap, parseXmlFast } from '../../../src/protocol/wsman/soap.js';
import { parseXml } from '../../../src/protocol/wsman/xml.js';

describe('WS-Man messages', () => {
  it('xs:duration both ways', () => {
    expect(parseDurationMs('PT20S')).toBe(20_000);
    expect(parseDurationMs('PT7200.000S')).toBe(7_200_000);
    expect(parseDurationMs('P1DT1H1M1.5S')).toBe(90_061_500);
    expect(parseDurationMs('PT-1S')).toBeNull();
    expect(parseDurationMs('PT')).toBeNull();
    expect(parseDurationMs('20')).toBeNull();
    expect(formatDuration(1500)).toBe('PT1.500S');
    expect(formatDuration(60_000)).toBe('PT60S');
  });

  it('client requests round-trip through the server reader', () => {
    const { body, options } = commandBody('powershell.exe', ['-NoProfile', 'a & <b>']);
    const xml = buildRequest(
      { to: 'http://h:5985/wsman', action: Action.Command, messageId: 'uuid:1', maxEnvelopeSize: 153600, operationTimeoutMs: 20_000, shellId: 'S1', options },
      body,
    );
    const req = readRequest(parseSoap(xml));
    expect(req).toMatchObject({ action: Action.Command, messageId: 'uuid:1', shellId: 'S1', maxEnvelopeSize: 153600, operationTimeoutMs: 20_000 });
    expect(req.options).toEqual({ WINRS_CONSOLEMODE_STDIN: 'FALSE', WINRS_SKIP_CMD_SHELL: 'FALSE' });
    expect(readCommandLine(req.body)).toEqual({ command: 'powershell.exe', args: ['-NoProfile', 'a & <b>'], commandId: null });
  });

  it('large base64 payloads parse exactly as the plain parser would', () => {
    const data = Buffer.alloc(300_000, 0xab);
    const xml = buildRequest({ to: 'x', action: Action.Send, messageId: 'uuid:2', maxEnvelopeSize: 1, operationTimeoutMs: 1000, shellId: 'S' }, sendBody('C1', data, true));
    const chunks = readSend(readRequest(parseSoap(xml)).body);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.data.equals(data)).toBe(true);
    expect(chunks[0]!.end).toBe(true);
    const tricky = `<r a="x>${'y'.repeat(400)}"><t>${'Q'.repeat(300)}</t><u>${'&amp;'.repeat(100)}</u></r>`;
    expect(parseXmlFast(tricky)).toEqual(parseXml(tricky));
  });

  it('Receive responses: each Stream decoded alone, ExitCode as an unsigned DWORD', () => {
    const xml = receiveResponse('uuid:3', 'C1', [{ stream: 'stdout', data: Buffer.from('a') }, { stream: 'stderr', data: Buffer.from('b') }, { stream: 'stdout', data: Buffer.from('c') }], { exitCode: -1073741819 });
    const r = readReceiveResponse(parseSoap(xml));
    expect(r.streams.filter((s) => s.data.length).map((s) => `${s.name}:${s.data.toString()}`)).toEqual(['stdout:a', 'stderr:b', 'stdout:c']);
    expect(r.state).toEqual({ done: true, exitCode: 3221225477 });
    expect(() => readReceiveResponse(parseSoap(xml.replace('YQ==', '!!')))).toThrow(ProtocolError);
  });

  it('faults: built like Windows, read back by code', () => {
    const xml = buildFault({ code: 'Receiver', subcode: 'TimedOut', reason: 'OperationTimeout expired', wsmanCode: FaultCode.OperationTimedOut, message: 'm', machine: 'h', relatesTo: 'uuid:4' });
    expect(readFault(parseSoap(xml))).toEqual({ code: 'Receiver', subcode: 'TimedOut', reason: 'OperationTimeout expired', wsmanCode: 2150858793, message: 'm', machine: 'h' });
  });
});

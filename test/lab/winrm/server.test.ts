/**
 * The lab's WinRM server seen from raw HTTP: the request styles real clients send (pywinrm's
 * unprefixed mustUnderstand and joined Arguments, pypsrp's `True` and client-chosen ids, CDATA,
 * odd prefixes) and the reply shapes they depend on (winrm.md §8).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { makeSelfSignedCert, startWinrmLab, type WinrmLab } from '../../../src/lab/winrm/index.js';
import { readFault } from '../../../src/protocol/wsman/faults.js';
import { readReceiveResponse, readResponseHeader, readShellId } from '../../../src/protocol/wsman/messages.js';
import { Action, FaultCode, NS } from '../../../src/protocol/wsman/namespaces.js';
import { parseSoap } from '../../../src/protocol/wsman/soap.js';
import { find } from '../../../src/protocol/wsman/xml.js';
import { testDispatcher } from './test-dispatcher.js';
import { claimLoopbackBlock } from '../../helpers/loopback.js';

const net = await claimLoopbackBlock(import.meta.url);

// .1 the host under test; .2 a host whose hooks misbehave.
const A = { name: 'lab10a', address: net.addr(1) };
const B = { name: 'lab10b', address: net.addr(2) };
const account = { user: 'admin', domain: 'LAB', password: 'secret-10' };
const auth = `Basic ${Buffer.from('admin:secret-10').toString('base64')}`;
let lab: WinrmLab;
let misbehave: 'http500' | 'refuse' | null = null;
const certs = makeSelfSignedCert([A.address, B.address]);
const dispatcher = testDispatcher();

beforeAll(async () => {
  lab = await startWinrmLab({
    hosts: [
      { ref: A, users: [account], http: true, https: true },
      { ref: B, users: [account], http: true, https: false },
    ],
    dispatcher,
    tls: certs,
    maxEnvelopeSizeKb: 150,
    maxOperationTimeoutMs: 1500,
    hooks: {
      onRequest: (h) => Promise.resolve(h.name === B.name && misbehave === 'http500' ? { action: 'http500' } : { action: 'continue' }),
      refuseAuth: (h) => h.name === B.name && misbehave === 'refuse',
    },
  });
});
afterAll(async () => {
  await lab?.close();
});

interface Reply {
  status: number;
  raw: string[];
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(address: string, body: string, headers: Record<string, string> = { Authorization: auth }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port: 5985, path: '/wsman', method: 'POST', agent: false, headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// pywinrm 0.3.0 style: prefixes env/a/w/p/rsp, mustUnderstand without prefix, a:To it made up.
function envelope(action: string, id: string, body: string, extra = ''): string {
  return (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" ' +
    'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><env:Header>' +
    '<a:To>http://windows-host:5985/wsman</a:To>' +
    `<a:ReplyTo><a:Address mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>` +
    `<w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>${id}</a:MessageID>` +
    '<w:Locale mustUnderstand="false" xml:lang="en-US"/><p:DataLocale mustUnderstand="false" xml:lang="en-US"/>' +
    '<w:OperationTimeout>PT20S</w:OperationTimeout>' +
    '<w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>' +
    `<a:Action mustUnderstand="true">${action}</a:Action>${extra}</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}
const selector = (shellId: string) => `<w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>`;

async function createShell(address = A.address): Promise<string> {
  const r = await post(
    address,
    envelope(
      Action.Create,
      'uuid:create-1',
      '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
      '<w:OptionSet><w:Option Name="WINRS_NOPROFILE">FALSE</w:Option><w:Option Name="WINRS_CODEPAGE">437</w:Option></w:OptionSet>',
    ),
  );
  expect(r.status).toBe(200);
  return readShellId(parseSoap(r.body));
}

describe('lab WinRM server', () => {
  it('answers anonymous requests with 401 offering Negotiate and Basic', async () => {
    const r = await post(A.address, envelope(Action.Create, 'uuid:x', ''), {});
    expect(r.status).toBe(401);
    // Two challenges, each in its own header line (as Windows sends them).
    const challenges = r.raw.filter((_, i) => i % 2 === 1 && r.raw[i - 1]!.toLowerCase() === 'www-authenticate');
    expect(challenges).toEqual(['Negotiate', 'Basic realm="WSMAN"']);
  });

  it('serves a pywinrm-style conversation: Create, Command with joined Arguments, Receive, Signal, Delete', async () => {
    const shellId = await createShell();
    const cmd = await post(
      A.address,
      envelope(
        Action.Command,
        'uuid:cmd-1',
        '<rsp:CommandLine><rsp:Command>echo</rsp:Command><rsp:Arguments>hello world</rsp:Arguments></rsp:CommandLine>',
        selector(shellId) + '<w:OptionSet><w:Option Name="WINRS_CONSOLEMODE_STDIN">TRUE</w:Option><w:Option Name="WINRS_SKIP_CMD_SHELL">FALSE</w:Option></w:OptionSet>',
      ),
    );
    expect(cmd.status).toBe(200);
    expect(cmd.headers['content-type']).toBe('application/soap+xml;charset=UTF-8');
    const env = parseSoap(cmd.body);
    expect(readResponseHeader(env)).toEqual({ action: Action.CommandResponse, relatesTo: 'uuid:cmd-1' });
    const commandId = find(env.body, NS.shell, 'CommandId')!.text;
    const rec = await post(
      A.address,
      envelope(Action.Receive, 'uuid:rcv-1', `<rsp:Receive><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>`, selector(shellId)),
    );
    const rr = readReceiveResponse(parseSoap(rec.body));
    expect(Buffer.concat(rr.streams.filter((s) => s.name === 'stdout').map((s) => s.data)).toString()).toBe('hello world\r\n');
    expect(rr.state).toEqual({ done: true, exitCode: 0 });
    const sig = await post(
      A.address,
      envelope(
        Action.Signal,
        'uuid:sig-1',
        `<rsp:Signal CommandId="${commandId}"><rsp:Code>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate</rsp:Code></rsp:Signal>`,
        selector(shellId),
      ),
    );
    expect(readResponseHeader(parseSoap(sig.body))).toEqual({ action: Action.SignalResponse, relatesTo: 'uuid:sig-1' });
    const del = await post(A.address, envelope(Action.Delete, 'uuid:del-1', '', selector(shellId)));
    expect(del.status).toBe(200);
    expect(readResponseHeader(parseSoap(del.body)).relatesTo).toBe('uuid:del-1');
  });

  it('accepts pypsrp style too: s:-prefixed mustUnderstand, True, client-chosen CommandId, CDATA and one element per argument', async () => {
    const shellId = await createShell();
    const body =
      '<rsp:CommandLine CommandId="9A1F0E4B-0000-4000-8000-00000000AB01"><rsp:Command>echo</rsp:Command>' +
      '<rsp:Arguments><![CDATA[a&b]]></rsp:Arguments><rsp:Arguments>&lt;c&gt;</rsp:Arguments></rsp:CommandLine>';
    const cmd = await post(
      A.address,
      envelope(Action.Command, 'uuid:cmd-2', body, selector(shellId) + '<w:OptionSet env:mustUnderstand="true"><w:Option Name="WINRS_SKIP_CMD_SHELL">False</w:Option></w:OptionSet>'),
    );
    expect(find(parseSoap(cmd.body).body, NS.shell, 'CommandId')!.text).toBe('9A1F0E4B-0000-4000-8000-00000000AB01');
    const rec = await post(
      A.address,
      envelope(Action.Receive, 'uuid:rcv-2', '<rsp:Receive><rsp:DesiredStream CommandId="9a1f0e4b-0000-4000-8000-00000000ab01">stdout stderr</rsp:DesiredStream></rsp:Receive>', selector(shellId)),
    );
    const rr = readReceiveResponse(parseSoap(rec.body));
    expect(Buffer.concat(rr.streams.map((s) => s.data)).toString()).toBe('a&b <c>\r\n');
  });

  it('joins the Command and its Arguments into one command line, which the process splits (CommandLineToArgvW)', async () => {
    const shellId = await createShell();
    const body =
      '<rsp:CommandLine><rsp:Command>echo</rsp:Command><rsp:Arguments>"a b" c\\"d</rsp:Arguments>' +
      '<rsp:Arguments>""</rsp:Arguments><rsp:Arguments>e f</rsp:Arguments></rsp:CommandLine>';
    const cmd = await post(A.address, envelope(Action.Command, 'uuid:cmd-argv', body, selector(shellId)));
    expect(cmd.status).toBe(200);
    // An argument sent with a space and no quotes arrives as two, as on Windows.
    expect(dispatcher.log.started.at(-1)).toEqual({ host: A.name, command: 'echo', args: ['a b', 'c"d', '', 'e', 'f'] });
    await post(A.address, envelope(Action.Delete, 'uuid:del-argv', '', selector(shellId)));
  });

  it('unknown shell → 500 s:Sender / w:InvalidSelectors / 2150858843, shaped like Windows', async () => {
    const r = await post(A.address, envelope(Action.Command, 'uuid:bad-1', '<rsp:CommandLine><rsp:Command>x</rsp:Command></rsp:CommandLine>', selector('NOPE')));
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe('application/soap+xml;charset=UTF-8');
    const env = parseSoap(r.body);
    expect(readResponseHeader(env)).toEqual({ action: Action.WsmanFault, relatesTo: 'uuid:bad-1' });
    expect(readFault(env)).toMatchObject({ code: 'Sender', subcode: 'InvalidSelectors', wsmanCode: FaultCode.UnexpectedSelectors });
  });

  it('a Receive with no output is held up to the OperationTimeout (capped) and answered with the TimedOut fault', async () => {
    const shellId = await createShell();
    const cmd = await post(A.address, envelope(Action.Command, 'uuid:c3', '<rsp:CommandLine><rsp:Command>sleep</rsp:Command><rsp:Arguments>30</rsp:Arguments></rsp:CommandLine>', selector(shellId)));
    const commandId = find(parseSoap(cmd.body).body, NS.shell, 'CommandId')!.text;
    const t0 = Date.now();
    // Requests PT20S; the service caps it at MaxTimeoutms (1.5 s here).
    const r = await post(A.address, envelope(Action.Receive, 'uuid:r3', `<rsp:Receive><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>`, selector(shellId)));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(r.status).toBe(500);
    const f = readFault(parseSoap(r.body))!;
    expect(f).toMatchObject({ code: 'Receiver', subcode: 'TimedOut', wsmanCode: FaultCode.OperationTimedOut });
    expect(f.reason).toContain('OperationTimeout');
    await post(A.address, envelope(Action.Delete, 'uuid:d3', '', selector(shellId)));
  });

  it('an invalid OperationTimeout is a header fault; an oversize request gets HTTP 413', async () => {
    const bad = envelope(Action.Create, 'uuid:t', '<rsp:Shell/>').replace('PT20S', 'PT-1S');
    const r = await post(A.address, bad);
    expect(r.status).toBe(500);
    expect(readFault(parseSoap(r.body))!.wsmanCode).toBe(FaultCode.InvalidMessageInformationHeader);
    const big = envelope(Action.Send, 'uuid:big', `<rsp:Send><rsp:Stream Name="stdin" CommandId="X">${'A'.repeat(200 * 1024)}</rsp:Stream></rsp:Send>`, selector('X'));
    expect((await post(A.address, big)).status).toBe(413);
  });

  it('malformed XML is a schema fault, not a crash', async () => {
    const r = await post(A.address, '<env:Envelope><broken');
    expect(r.status).toBe(500);
    expect(readFault(parseSoap(r.body))!.wsmanCode).toBe(FaultCode.SchemaValidationError);
  });

  it('hooks: HTTP 500 on demand and refused authentication; counters per host', async () => {
    const before = lab.counters(B.name);
    misbehave = 'http500';
    expect((await post(B.address, envelope(Action.Create, 'uuid:h', '<rsp:Shell/>'))).status).toBe(500);
    misbehave = 'refuse';
    expect((await post(B.address, envelope(Action.Create, 'uuid:h', '<rsp:Shell/>'))).status).toBe(401);
    misbehave = null;
    await createShell(B.address);
    expect(lab.counters(B.name)).toEqual({ requests: before.requests + 3, shells: before.shells + 1, commands: before.commands, tooLarge: 0 });
  });

  it('closeHost refuses connections until openHost', async () => {
    await lab.closeHost(B.name);
    await expect(post(B.address, envelope(Action.Create, 'uuid:h', '<rsp:Shell/>'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(lab.addresses().find((a) => a.name === B.name)).toMatchObject({ up: false, https: null });
    await lab.openHost(B.name);
    await createShell(B.address);
  });

  it('refuses addresses outside 127.0.0.0/8', async () => {
    await expect(
      startWinrmLab({ hosts: [{ ref: { name: 'x', address: '10.0.0.5' }, users: [], http: true, https: false }], dispatcher: testDispatcher(), tls: certs }),
    ).rejects.toBeInstanceOf(InputError);
  });
});

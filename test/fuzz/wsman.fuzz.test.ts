/**
 * Fuzz: the XML reader (src/protocol/wsman/xml.ts) and the WS-Man reply readers the client uses on
 * every response (soap.ts, messages.ts, faults.ts). Only ProtocolError may come out, in bounded time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { readFault } from '../../src/protocol/wsman/faults.js';
import { readCommandId, readReceiveResponse, readResponseHeader, readShellId } from '../../src/protocol/wsman/messages.js';
import { parseSoap } from '../../src/protocol/wsman/soap.js';
import { parseXml } from '../../src/protocol/wsman/xml.js';
import { fuzz, mutated, regressionInputs, rejectsOnlyWith, timed, tokenSoup } from './fuzz.js';

const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"';
const head = (action: string) => `<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/${action}</a:Action><a:RelatesTo>uuid:1</a:RelatesTo></s:Header>`;
/** Replies as Windows sends them (the shapes the readers take apart). */
const REPLIES = [
  `<s:Envelope ${NS}>${head('ReceiveResponse')}<s:Body><rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">aGVsbG8=</rsp:Stream><rsp:Stream Name="stderr" CommandId="C1" End="true"></rsp:Stream><rsp:CommandState CommandId="C1" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`,
  `<s:Envelope ${NS}>${head('CreateResponse')}<s:Body><x:ResourceCreated><a:Address>http://h/wsman</a:Address><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">S-1</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated><rsp:Shell><rsp:ShellId>S-1</rsp:ShellId></rsp:Shell></s:Body></s:Envelope>`,
  `<s:Envelope ${NS}>${head('CommandResponse')}<s:Body><rsp:CommandResponse><rsp:CommandId>C1</rsp:CommandId></rsp:CommandResponse></s:Body></s:Envelope>`,
  `<s:Envelope ${NS} xml:lang="en-US">${head('fault')}<s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.</s:Text></s:Reason><s:Detail><f:WSManFault Code="2150858793" Machine="h"><f:Message>timed out &amp; &#x41;<![CDATA[ raw ]]></f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`,
];

/** Everything the client does with a reply: parse, then every reader. */
function readReply(text: string): void {
  rejectsOnlyWith(() => {
    const env = parseSoap(text, 'fuzz reply');
    readResponseHeader(env);
    readFault(env);
    for (const read of [readShellId, readCommandId, readReceiveResponse]) rejectsOnlyWith(() => void read(env), [ProtocolError]);
  }, [ProtocolError]);
}

const XML_TOKENS = ['<', '>', '</', '/>', '<a', '<s:Envelope', '</s:Envelope>', 'xmlns:s="http://www.w3.org/2003/05/soap-envelope"', 'xmlns="u"', ' b="1"', "'", '"', '=', '&', '&amp;', '&#x41;', '&#0;', '&#xFFFFFFFF;', '&lol;', '<![CDATA[', ']]>', '<!--', '-->', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY e "x">]>', '<!ENTITY', ':', 's:', 'x:y:z', '\u0000', '\ud800'];

describe('fuzz: XML reader', () => {
  for (const { name, bytes } of regressionInputs('xml')) {
    it(`regression input ${name}`, () => timed(() => rejectsOnlyWith(() => void parseXml(bytes.toString('utf8')), [ProtocolError])));
  }

  it('token soup and random text: a tree or a ProtocolError', () => {
    fuzz(fc.oneof(tokenSoup(XML_TOKENS, 80), fc.string({ maxLength: 300 })), (text) => rejectsOnlyWith(() => void parseXml(text), [ProtocolError]), 800);
  });

  it('a DOCTYPE (entity bomb) is refused, and deep nesting is rejected or read in bounded time', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>';
    expect(() => parseXml(bomb)).toThrow(/DOCTYPE/);
    timed(() => rejectsOnlyWith(() => void parseXml(`${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}`), [ProtocolError]));
    timed(() => rejectsOnlyWith(() => void parseXml('<a>'.repeat(50_000)), [ProtocolError]));
    timed(() => rejectsOnlyWith(() => void parseXml(`<a ${Array.from({ length: 5_000 }, (_, i) => `b${i}="1"`).join(' ')}/>`), [ProtocolError]));
  });
});

describe('fuzz: WS-Man reply readers', () => {
  for (const { name, bytes } of regressionInputs('wsman')) {
    it(`regression input ${name}`, () => timed(() => readReply(bytes.toString('utf8'))));
  }

  it('the valid replies are read', () => {
    expect(readReceiveResponse(parseSoap(REPLIES[0]!)).streams[0]!.data.toString()).toBe('hello');
    expect(readShellId(parseSoap(REPLIES[1]!))).toBe('S-1');
    expect(readCommandId(parseSoap(REPLIES[2]!))).toBe('C1');
    expect(readFault(parseSoap(REPLIES[3]!))?.wsmanCode).toBe(2150858793);
  });

  it('near-valid replies (a few random edits): read or a ProtocolError', () => {
    fuzz(fc.constantFrom(...REPLIES).chain((r) => mutated(r, 6)), readReply, 1500);
  });
});

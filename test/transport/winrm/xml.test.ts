/** The SOAP XML reader: namespaces by URI, text/CDATA/entities, and malformed input as ProtocolError. */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { parseSoap } from '../../../src/protocol/wsman/soap.js';
import { parseXml } from '../../../src/protocol/wsman/xml.js';

describe('XML reader', () => {
  it('resolves namespaces by URI, scoped per element; attributes by local name', () => {
    const doc = `<?xml version="1.0" encoding="utf-8"?><!-- lead -->
      <a:r xmlns:a="urn:a" xmlns="urn:d" a:x='1 &amp; 2' y="&#65;&#x42;&lt;"><b>t<![CDATA[<raw>&amp;]]>u</b><c/><a:d xmlns:a="urn:z"> sp </a:d><?pi x?></a:r>
      `;
    const r = parseXml(doc);
    expect(r).toMatchObject({ ns: 'urn:a', local: 'r', attrs: { x: '1 & 2', y: 'AB<' } });
    expect(r.children.map((c) => [c.ns, c.local, c.text])).toEqual([
      ['urn:d', 'b', 't<raw>&amp;u'],
      ['urn:d', 'c', ''],
      ['urn:z', 'd', ' sp '],
    ]);
  });

  it('a 1 MB text node is read whole', () => {
    const big = 'QUJD'.repeat(262_144);
    expect(parseXml(`<r><t>${big}</t></r>`).children[0]!.text).toBe(big);
  });

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['text only', 'hello'],
    ['unclosed', '<a><b></b>'],
    ['mismatched', '<a><b></a></b>'],
    ['stray end tag', '</a>'],
    ['two roots', '<a/><b/>'],
    ['text after root', '<a/>x'],
    ['doctype', '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['unterminated entity', '<a>&amp</a>'],
    ['bad char ref', '<a>&#xD800;</a>'],
    ['unquoted attribute', '<a x=1/>'],
    ['attribute without value', '<a x/>'],
    ['lt in attribute', '<a x="<"/>'],
    ['unterminated attribute', '<a x="1/>'],
    ['unterminated comment', '<a><!-- x</a>'],
    ['unterminated cdata', '<a><![CDATA[x</a>'],
    ['unterminated tag', '<a'],
    ['empty name', '< a/>'],
    ['prefix without local', '<a:/>'],
    ['junk between attributes', '<a x="1"y="2"/>'],
  ];
  it.each(malformed)('%s: ProtocolError', (_, text) => {
    expect(() => parseXml(text, 'test document')).toThrow(ProtocolError);
    expect(() => parseXml(text, 'test document')).toThrow(/malformed test document/);
  });

  it('random truncations and byte flips of an envelope never crash', () => {
    const env =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
      '<s:Header><a:Action s:mustUnderstand="true">x</a:Action></s:Header><s:Body><r>A&amp;B<![CDATA[c]]></r></s:Body></s:Envelope>';
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 2000; i++) {
      let t = env.slice(0, rand(env.length + 1));
      if (i % 2) {
        const at = rand(env.length);
        t = env.slice(0, at) + '<>&"\'/=!?['[rand(11)] + env.slice(at + 1);
      }
      try {
        parseSoap(t);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

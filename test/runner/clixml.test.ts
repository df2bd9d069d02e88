import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStderr, parseClixmlRecords, unescapeClixmlString } from '../../src/runner/clixml.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/runner', name), 'utf8');
const NS = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"';

describe('unescapeClixmlString', () => {
  it('turns _xHHHH_ into UTF-16 code units, CR LF included', () => {
    expect(unescapeClixmlString('a_x000D__x000A_b')).toBe('a\r\nb');
  });
  it('recombines a surrogate pair written as two escapes', () => {
    expect(unescapeClixmlString('_xD83D__xDE00_')).toBe('😀');
  });
  it('decodes _x005F_ to a literal underscore, so an escaped escape stays text', () => {
    // PowerShell writes the literal text "_x000A_" as "_x005F_x000A_".
    expect(unescapeClixmlString('_x005F_x000A_')).toBe('_x000A_');
    expect(unescapeClixmlString('my_var_name')).toBe('my_var_name');
  });
  it('is case-insensitive in the hex digits and leaves malformed escapes alone', () => {
    expect(unescapeClixmlString('_x00e9_')).toBe('é');
    expect(unescapeClixmlString('_x00G9_ _x12_')).toBe('_x00G9_ _x12_');
  });
});

describe('parseClixmlRecords', () => {
  it('skips progress records and their nested strings', () => {
    const records = parseClixmlRecords(fixture('clixml-write-error.txt').replace('#< CLIXML\n', ''));
    expect(records.map((r) => r.stream)).toEqual(['Error', 'Error', 'Error', 'Error']);
    expect(records[0]?.text).toBe("Write-Error 'boom' : boom\r\n");
  });
  it('decodes XML entities before the _x escapes', () => {
    const records = parseClixmlRecords(`<Objs ${NS}><S S="Error">a &lt;b&gt; &amp; &quot;c&quot; &#233;_x000A_</S></Objs>`);
    expect(records).toEqual([{ stream: 'Error', text: 'a <b> & "c" é\n' }]);
  });
});

describe('decodeStderr', () => {
  it('renders a Write-Error record as PowerShell would print it', () => {
    expect(decodeStderr(fixture('clixml-write-error.txt'))).toBe(
      [
        "Write-Error 'boom' : boom",
        '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException',
        '    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException',
        ' ',
      ].join('\n'),
    );
  });
  it('handles several concatenated <Objs> documents and tags non-error streams', () => {
    expect(decodeStderr(fixture('clixml-concatenated.txt'))).toBe('first\nWARNING: careful\nsecond');
  });
  it('keeps plain text before and after a CLIXML block, and several blocks', () => {
    const block = (t: string) => `#< CLIXML\r\n<Objs Version="1.1.0.1" ${NS}><S S="Error">${t}_x000D__x000A_</S></Objs>`;
    expect(decodeStderr(`native says hi\r\n${block('one')}${block('two')}tail\r\n`)).toBe('native says hi\none\ntwo\ntail');
  });
  it('passes non-CLIXML text through, normalising line ends', () => {
    expect(decodeStderr('plain\r\nerror\r\n')).toBe('plain\nerror');
  });
  it('keeps non-ASCII text and surrogate pairs intact', () => {
    const text = `#< CLIXML\n<Objs Version="1.1.0.1" ${NS}><S S="Error">Pfad C:\\Daten\\Größe _xD83D__xDE80_ fehlt_x000D__x000A_</S></Objs>`;
    expect(decodeStderr(text)).toBe('Pfad C:\\Daten\\Größe 🚀 fehlt');
  });
  it('survives a truncated block without throwing', () => {
    expect(decodeStderr(`#< CLIXML\r\n<Objs Version="1.1.0.1" ${NS}><S S="Error">cut`)).toBe(`<Objs Version="1.1.0.1" ${NS}><S S="Error">cut`);
  });
});

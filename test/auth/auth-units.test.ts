/**
 * The pure pieces of Kerberos and certificate authentication: the KRB-ERROR codec and its SPNEGO
 * framing, MIT's messages mapped to typed errors, principal names, the lab's acceptor verdicts, and
 * what `inventory check` says about auth settings and this machine's Kerberos support.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKerberosSupport } from '../../src/inventory/auth-check.js';
import { checkInventoryFile } from '../../src/inventory/check.js';
import { parseInventory } from '../../src/inventory/loader.js';
import { acceptorErrorCode } from '../../src/lab/winrm/auth.js';
import { decodeKrbError, encodeKrbError, KrbErrorCode, krbErrorInToken, spnegoRejectWithKrbError, gssKrbErrorToken } from '../../src/protocol/kerberos/index.js';
import { kerberosFailure, kerberosRefused } from '../../src/transport/winrm/auth/kerberos-errors.js';
import { principalOf } from '../../src/transport/winrm/auth/kerberos.js';

const ctx = { host: 'web1', principal: 'svc@CORP.TEST', spn: 'HTTP/web1.corp.test', ccache: 'KRB5CCNAME FILE:/tmp/x' };

describe('KRB-ERROR', () => {
  const e = { errorCode: KrbErrorCode.KRB_AP_ERR_SKEW, serverTime: new Date('2026-03-01T10:20:30.456Z'), realm: 'CORP.TEST', sname: ['HTTP', 'web1.corp.test'], text: 'skewed' };

  it('round-trips, and is found in a SPNEGO reject, a GSS token and bare', () => {
    expect(decodeKrbError(encodeKrbError(e))).toEqual(e);
    expect(krbErrorInToken(spnegoRejectWithKrbError(e))).toEqual(e);
    expect(krbErrorInToken(gssKrbErrorToken(e))).toEqual(e);
    expect(krbErrorInToken(encodeKrbError(e))).toEqual(e);
  });

  it('starts with the DER an acceptor sends: [APPLICATION 30], pvno 5, msg-type 30', () => {
    expect(encodeKrbError(e).subarray(0, 1).toString('hex')).toBe('7e');
    expect(encodeKrbError(e).toString('hex')).toContain('a003020105a10302011e');
  });

  it('tokens that carry none, or are malformed, give null instead of throwing', () => {
    const reject = spnegoRejectWithKrbError(e);
    expect(krbErrorInToken(Buffer.from('TlRMTVNTUAACAAAA', 'base64'))).toBeNull();
    expect(krbErrorInToken(reject.subarray(0, reject.length - 9))).toBeNull();
    expect(krbErrorInToken(Buffer.from([0xa1, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
    expect(krbErrorInToken(Buffer.alloc(0))).toBeNull();
  });
});

describe('Kerberos failures, as MIT words them', () => {
  it.each([
    ['Password incorrect while getting initial credentials', 'wrong-password', 'the KDC refused the password'],
    ["Client 'bob@CORP.TEST' not found in Kerberos database while getting initial credentials", 'unknown-principal', 'does not know the principal bob@CORP.TEST'],
    ['Unspecified GSS failure.  Minor code may provide more information: Server HTTP/x.corp.test@CORP.TEST not found in Kerberos database', 'wrong-spn', 'no service principal HTTP/x.corp.test@CORP.TEST'],
    ['Unspecified GSS failure.  Minor code may provide more information: Clock skew too great', 'clock-skew', 'clock skew too great'],
    ['Unspecified GSS failure.  Minor code may provide more information: Ticket expired', 'expired', 'has expired'],
    ["Cannot contact any KDC for realm 'CORP.TEST' while getting initial credentials", 'kdc-unreachable', 'no KDC answered'],
    ['No credentials were supplied, or the credentials were unavailable or inaccessible: SPNEGO cannot find mechanisms to negotiate', 'no-credentials', 'no Kerberos ticket for svc@CORP.TEST in KRB5CCNAME FILE:/tmp/x'],
    ["Client's credentials have been revoked while getting initial credentials", 'account-unusable', 'revoked'],
    ['something new', 'other', 'something new'],
  ])('%s → %s', (message, failure, text) => {
    const err = kerberosFailure(message, ctx);
    expect(err.failure).toBe(failure);
    expect(err.message).toContain(text);
    expect(err.message).toMatch(/^host web1: /);
  });

  it('Negotiate falls back only for causes on this side', () => {
    expect(kerberosFailure('Cannot contact any KDC', ctx).canFallBack).toBe(true);
    expect(kerberosFailure('Password incorrect', ctx).canFallBack).toBe(false);
    expect(kerberosFailure('Clock skew too great', ctx).canFallBack).toBe(false);
  });

  it("a host's KRB-ERROR becomes the matching error; skew shows the host's clock", () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const skew = kerberosRefused({ errorCode: 37, serverTime: new Date('2026-03-01T09:50:00Z'), realm: '', sname: [], text: null }, ctx, now);
    expect(skew.failure).toBe('clock-skew');
    expect(skew.message).toContain('its clock reads 2026-03-01T09:50:00.000Z, which is 600 s behind this machine\'s');
    expect(kerberosRefused({ errorCode: 41, serverTime: now, realm: '', sname: [], text: null }, ctx).failure).toBe('wrong-spn');
    expect(kerberosRefused(null, ctx).message).toContain('no reason given');
  });
});

describe('principal names', () => {
  it.each([
    ['svc@corp.example.com', 'svc@CORP.EXAMPLE.COM'],
    ['CORP.EXAMPLE.COM\\svc', 'svc@CORP.EXAMPLE.COM'],
    ['CORP\\svc', 'svc'],
    ['svc', 'svc'],
    ['.\\admin', 'local'],
    [null, null],
  ])('%s → %s', (user, principal) => {
    expect(principalOf(user)).toBe(principal);
  });
});

describe("the lab acceptor's verdicts, as Windows' KRB-ERROR codes", () => {
  it.each([
    ['Unspecified GSS failure.  Minor code may provide more information: Clock skew too great', 37],
    ['No key table entry found matching HTTP/web09.cortex.test@', 41],
    ['Request ticket server HTTP/a@R kvno 3 not found in keytab; keytab is likely out of date', 44],
    ['Ticket expired', 32],
    ['Request is a replay', 34],
    ['anything else', 60],
  ])('%s → %i', (message, code) => {
    expect(acceptorErrorCode(message)).toBe(code);
  });
});

describe('inventory check on authentication settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-authcheck-'));
  const check = async (winrm: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, ['all:', '  vars:', `    winrm: { ${winrm} }`, '  children:', '    app:', '      hosts:', '        app1: { address: 10.0.0.1 }', ''].join('\n'));
    return checkInventoryFile(file, { ...process.env, PW: 'x' });
  };

  it('refuses auth: kerberos over http, saying why and to use https', async () => {
    const doc = await check('scheme: http, auth: kerberos, user: svc@CORP.TEST');
    expect(doc.valid).toBe(false);
    expect(doc.findings.map((f) => f.message).join('\n')).toMatch(/Kerberos over plain HTTP needs message encryption \(gss_wrap_iov\).*Set winrm\.scheme: https/s);
  });

  it('refuses auth: certificate without a certificate', async () => {
    const doc = await check('scheme: https, auth: certificate');
    expect(doc.valid).toBe(false);
    expect(doc.findings.map((f) => f.message).join('\n')).toContain('certificate authentication needs winrm.certificate');
  });

  it('accepts Kerberos over https, with or without a password, negotiate over http, and certificates', async () => {
    for (const w of [
      'scheme: https, auth: kerberos, user: svc@CORP.TEST, password: env:PW',
      'scheme: https, auth: kerberos',
      'scheme: http, auth: negotiate, user: svc@CORP.TEST, password: env:PW',
      'scheme: https, auth: certificate, certificate: { cert: file:c.pem, key: file:c.key }',
    ]) {
      const doc = await check(w);
      expect([w, doc.findings.filter((f) => f.severity === 'error' && f.id !== 'inventory.topology.too-few-servers')]).toEqual([w, expect.not.arrayContaining([expect.objectContaining({ id: 'inventory.invalid' })])]);
    }
  });

  it("Kerberos this machine cannot do: an error for kerberos, a warning for negotiate", () => {
    const inv = parseInventory(
      ['all:', '  hosts:', '    k1: { address: 10.0.0.1, winrm: { scheme: https, auth: kerberos, password: env:PW } }', '    n1: { address: 10.0.0.2, winrm: { auth: negotiate, user: u, password: env:PW } }', '    m1: { address: 10.0.0.3, winrm: { user: u, password: env:PW } }', ''].join('\n'),
      'site.yaml',
    );
    expect(checkKerberosSupport(inv.hosts, { gssError: 'the kerberos module did not build', kinit: true })).toEqual([
      expect.objectContaining({ id: 'inventory.kerberos-unavailable', severity: 'error', hosts: ['k1'], message: expect.stringContaining('the kerberos module did not build') }),
      expect.objectContaining({ severity: 'warning', hosts: ['n1'], message: expect.stringContaining('will always use NTLM') }),
    ]);
    expect(checkKerberosSupport(inv.hosts, { gssError: null, kinit: false })[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('kinit') });
    expect(checkKerberosSupport(inv.hosts, { gssError: null, kinit: true })).toEqual([]);
  });
});

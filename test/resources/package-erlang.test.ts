/**
 * The package resource's Erlang rule (erlang: true; docs/rabbitmq.md, "Erlang"): exactly one ERTS key and
 * OTP_VERSION the pinned release, or the diff says what to do. Pure: params and a Test's state in, a diff
 * or the refusal out.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { otpVersionMatches, PackageParams, packageResource } from '../../src/resources/package.js';
import { UnreachableStateError } from '../../src/resources/resource.js';

const params = PackageParams.parse({ name: 'Erlang OTP', path: 'C:\\i\\otp_win64_27.3.4.exe', uninstallKey: 'Erlang OTP', version: '27.3.4', arguments: ['/S'], erlang: true });
const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
const installed = { installed: true, version: '27.3.4', view: '32' as const, displayName: 'Erlang OTP 27.3.4 (15.2.7)' };

describe('package erlang: true', () => {
  it('one ERTS key and OTP_VERSION "27.3.4\\n": nothing to do', () => {
    expect(packageResource.diff(params, { ...installed, erlang: { ertsKeys: ['15.2.7'], otpVersionSha256: sha('27.3.4\n') } }).action).toBe('none');
    expect(otpVersionMatches(sha('27.3.4\r\n'), '27.3.4')).toBe(true);
    // A patched release ("**") is not the pinned one.
    expect(otpVersionMatches(sha('27.3.4 **\n'), '27.3.4')).toBe(false);
  });

  it('OTP_VERSION another release (or missing) while the uninstall entry says 27.3.4: the installer runs again', () => {
    expect(packageResource.diff(params, { ...installed, erlang: { ertsKeys: ['15.2.7'], otpVersionSha256: sha('27.3.3\n') } })).toEqual({ action: 'update', from: { otpVersion: 'differs' }, to: { otpVersion: '27.3.4' } });
    expect(packageResource.diff(params, { ...installed, erlang: { ertsKeys: ['15.2.7'], otpVersionSha256: null } })).toEqual({ action: 'update', from: { otpVersion: 'missing' }, to: { otpVersion: '27.3.4' } });
    expect(packageResource.diff(params, { ...installed, erlang: { ertsKeys: [], otpVersionSha256: null } })).toEqual({ action: 'update', from: { ertsKeys: 0 }, to: { ertsKeys: 1, version: '27.3.4' } });
  });

  it('two ERTS keys: refused, installed or not, naming both and the fix', () => {
    for (const s of [installed, { installed: false, version: null, view: null, displayName: null }]) {
      expect(() => packageResource.diff(params, { ...s, erlang: { ertsKeys: ['14.2.5', '15.2.7'], otpVersionSha256: null } })).toThrow(UnreachableStateError);
    }
    expect(() => packageResource.diff(params, { ...installed, erlang: { ertsKeys: ['14.2.5', '15.2.7'], otpVersionSha256: null } })).toThrow(
      '2 Erlang releases are installed (ERTS keys 14.2.5, 15.2.7 under HKLM\\SOFTWARE\\WOW6432Node\\Ericsson\\Erlang); only one may be',
    );
  });

  it('without erlang: true the rule is not applied; erlang: true needs the version', () => {
    const plain = PackageParams.parse({ ...params, erlang: false });
    expect(packageResource.diff(plain, { ...installed, erlang: { ertsKeys: ['14.2.5', '15.2.7'], otpVersionSha256: null } }).action).toBe('none');
    expect(PackageParams.safeParse({ name: 'Erlang OTP', path: 'C:\\i\\otp.exe', uninstallKey: 'Erlang OTP', erlang: true }).error?.issues[0]).toMatchObject({ path: ['version'] });
  });
});

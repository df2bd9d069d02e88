import { describe, expect, it } from 'vitest';
import { parseExpr, pathsOf, ExprSyntaxError } from '../../src/engine/expr/parse.js';
import { evaluate, ExprEvalError } from '../../src/engine/expr/evaluate.js';
import { Version } from '../../src/engine/expr/version.js';

const scope = {
  versions: { erlang: '27.3.4', rabbitmq: '4.1.4' },
  host: { name: 'app1', roles: ['app'], installPath: 'D:\\Cortex' },
  facts: { os: { build: 17763, caption: 'Microsoft Windows Server 2019 Datacenter' }, dotnetRelease: 528049 },
  groups: { app: [{ name: 'app1', address: '10.0.0.21' }, { name: 'app2', address: '10.0.0.22' }] },
  empty: [],
};
const ev = (src: string) => evaluate(parseExpr(src), scope);

describe('when-expressions', () => {
  it.each([
    ["version(versions.erlang) >= '27.3'", true],
    ["version(versions.erlang) < '27.10'", true], // 3 < 10 numerically, not as text
    ["version('10.1') > version('9.9')", true],
    ["version('10.1') == '10.1.0'", true],
    ["version('4.1.4-rc1') < '4.1.4'", true],
    ['facts.os.build >= 17763', true],
    ['facts.os.build > 17763', false],
    ["'app' in host.roles", true],
    ["'db' not in host.roles", true],
    ["'2019' in facts.os.caption", true],
    ["not ('db' in host.roles) and facts.dotnetRelease >= 528040", true],
    ["host.name == 'app2' or host.name == 'app1'", true],
    ['defined(versions.nssm)', false],
    ['defined(versions.erlang)', true],
    ["versions.nssm | default('2.24') == '2.24'", true],
    ['length(groups.app) == 2', true],
    ['not not empty', false],
    ['not empty', true],
    ["lower(host.name) == 'APP1' | lower", true],
    ['facts.os.build == -1', false],
  ])('%s → %s', (src, expected) => {
    expect(ev(src)).toBe(expected);
  });

  it('filters: map, join, first', () => {
    expect(ev('groups.app | map(address)')).toEqual(['10.0.0.21', '10.0.0.22']);
    expect(ev("groups.app | map(address) | join(';')")).toBe('10.0.0.21;10.0.0.22');
    expect(ev('groups.app | map(name) | first')).toBe('app1');
    expect(ev('[1, 2] | length')).toBe(2);
  });

  it('strings are never ordered implicitly (a version compared as text is a bug)', () => {
    expect(() => ev("versions.erlang >= '27.3'")).toThrow(/cannot order a string and a string; compare versions with version/);
  });

  it('an undefined variable is an error naming the path, with its offset', () => {
    try {
      ev("versions.nssm == '2'");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExprEvalError);
      expect((err as ExprEvalError).message).toBe("'versions.nssm' is not defined");
      expect((err as ExprEvalError).offset).toBe(0);
    }
  });

  it('reads own data only: no prototype, constructor or method access', () => {
    expect(() => ev('host.constructor')).toThrow(/'host.constructor' is not defined/);
    expect(() => ev('host.name.length')).toThrow(/is not defined/);
    expect(() => ev("host['__proto__']")).toThrow(/is not defined/);
  });

  it.each([
    ["host.name = 'x'", /'=' is not an operator here; compare with '=='/, 10],
    ["a && b", /write and, or, not/, 2],
    ["eval('x')", /unknown function 'eval'/, 0],
    ["x | shell", /unknown filter 'shell'/, 4],
    ["'abc", /unterminated string/, 0],
    ['a ==', /expected a value, found the end/, 4],
    ['(a', /expected '\)'/, 2],
    ['a b', /unexpected 'b' after the expression/, 2],
    ["defined('x')", /defined\(\) takes one variable path/, 0],
  ])('syntax error: %s', (src, message, offset) => {
    try {
      parseExpr(src);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExprSyntaxError);
      expect((err as Error).message).toMatch(message);
      expect((err as ExprSyntaxError).offset).toBe(offset);
    }
  });

  it('pathsOf lists the variables read, marking those only tested by defined() or default', () => {
    const paths = pathsOf(parseExpr("defined(versions.nssm) and facts.os.build > 1 or x.y | default(1) == 1 or groups.app | map(address)"));
    expect(paths.map((p) => [p.segments.join('.'), p.guarded])).toEqual([
      ['versions.nssm', true],
      ['facts.os.build', false],
      ['x.y', true],
      ['groups.app', false],
    ]);
  });

  it('Version compares parts numerically', () => {
    expect(new Version('2.10').compare(new Version('2.9'))).toBe(1);
    expect(new Version('10.1').compare(new Version('10.1.0'))).toBe(0);
    expect(() => new Version('latest')).toThrow(/not a version/);
  });
});

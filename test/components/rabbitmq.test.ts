/** RabbitMQ's environment and rabbitmq.conf, and the Erlang cookie's content rules. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import {
  ComponentConfigError, erlangCookieFile, erlangCookieFileProblems, erlangCookieProblem, generateErlangCookie,
  rabbitmqConf, rabbitmqEnvironment, rabbitmqNodeName, type ComponentHost,
} from '../../src/components/index.js';

const app: ComponentHost[] = ['app1', 'app2', 'app3'].map((n) => ({ name: n, address: `${n}.corp.example.com`, roles: ['app'] }));
const COOKIE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

const errorOf = (fn: () => unknown) => thrown(fn, ComponentConfigError);

describe('RabbitMQ environment and rabbitmq.conf', () => {
  it('RABBITMQ_BASE then RABBITMQ_NODENAME; the node name from the machine name when known', () => {
    expect(rabbitmqEnvironment(app[0]!)).toEqual([
      { name: 'RABBITMQ_BASE', value: 'C:\\ProgramData\\RabbitMQ' },
      { name: 'RABBITMQ_NODENAME', value: 'rabbit@app1' },
    ]);
    expect(rabbitmqNodeName({ name: 'app1.corp.example.com' })).toBe('rabbit@app1');
    expect(rabbitmqNodeName({ name: 'app1' }, 'APP-01')).toBe('rabbit@APP-01');
    expect(errorOf(() => rabbitmqNodeName({ name: 'app_1' })).context.host).toBe('app_1');
  });

  it('refuses a base path the installer breaks on, and ports that collide', () => {
    expect(errorOf(() => rabbitmqEnvironment(app[0]!, { base: 'C:\\Données\\RabbitMQ' })).message).toMatch(/ASCII only/);
    expect(errorOf(() => rabbitmqEnvironment(app[0]!, { base: 'C:\\RabbitMQ\\' })).message).toMatch(/must not end with a backslash/);
    expect(errorOf(() => rabbitmqConf(app, { managementPort: 4369 })).message).toMatch(/managementPort is 4369, the port of epmd/);
    expect(errorOf(() => rabbitmqConf(app, { amqpPort: 50000 })).context.field).toBe('amqpPort');
  });

  it('cli-join (default) lists no peers; classic-config lists every app node in inventory order', () => {
    expect(rabbitmqConf(app)).not.toContain('cluster_formation');
    const conf = rabbitmqConf(app, { peerDiscovery: 'classic-config' }, { app2: 'APP2' });
    expect(conf.split('\n').filter((l) => l.startsWith('cluster_formation.classic_config.nodes'))).toEqual([
      'cluster_formation.classic_config.nodes.1 = rabbit@app1',
      'cluster_formation.classic_config.nodes.2 = rabbit@APP2',
      'cluster_formation.classic_config.nodes.3 = rabbit@app3',
    ]);
    expect(conf).not.toContain('\r');
    expect(errorOf(() => rabbitmqConf([])).context.field).toBe('app');
  });
});

describe('Erlang cookie', () => {
  it('the file is the cookie\'s ASCII bytes exactly: no BOM, no newline', () => {
    const bytes = erlangCookieFile(COOKIE);
    expect(bytes.equals(Buffer.from(COOKIE, 'latin1'))).toBe(true);
    expect(bytes.length).toBe(32);
    expect(erlangCookieFileProblems(bytes)).toEqual([]);
  });

  it.each([
    ['', /empty/],
    [`\uFEFF${COOKIE}`, /byte-order mark/],
    [`${COOKIE}\r\n`, /line break/],
    [`${COOKIE.slice(0, 30)}é1`, /non-ASCII/],
    [`${COOKIE}-x`, /other than ASCII letters and digits/],
    ['A'.repeat(256), /256 characters; Erlang takes at most 255/],
    ['SHORT', /5 characters; use at least 20/],
  ])('refuses %j, without showing it', (cookie, message) => {
    expect(erlangCookieProblem(cookie)).toMatch(message);
    const e = errorOf(() => erlangCookieFile(cookie));
    expect(e.exitCode).toBe(3);
    if (cookie.length >= 5) expect(e.message).not.toContain(cookie.replace(/[^A-Za-z0-9]/g, '').slice(0, 5));
  });

  it('reads back what PowerShell 5.1 would have written wrongly', () => {
    expect(erlangCookieFileProblems(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(COOKIE, 'utf16le')]))).toEqual(expect.arrayContaining(['the file starts with a byte-order mark', 'the file holds NUL bytes (UTF-16?)']));
    expect(erlangCookieFileProblems(Buffer.from(`${COOKIE}\r\n`))).toEqual(['the file holds a line break']);
    expect(erlangCookieFileProblems(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from(COOKIE)]))).toEqual(['the file starts with a byte-order mark', 'the file holds non-ASCII bytes']);
    expect(erlangCookieFileProblems(Buffer.alloc(0))).toEqual(['the file is empty']);
  });

  it('generates 32 upper-case letters and digits, every character reachable, from the given random source', () => {
    const c = generateErlangCookie();
    expect(c).toMatch(/^[A-Z0-9]{32}$/);
    expect(erlangCookieProblem(c)).toBeNull();
    expect(generateErlangCookie()).not.toBe(c);
    // Bytes at or above 252 (= 7 × 36) are rejected so each character is equally likely: the first
    // draw's 255 is skipped, and the missing 32nd character comes from a second draw.
    const draws: number[] = [];
    const source = (n: number) => {
      draws.push(n);
      return Uint8Array.from({ length: n }, (_, i) => (draws.length === 1 && i === 0 ? 255 : i + 36));
    };
    expect(generateErlangCookie(source)).toBe('BCDEFGHIJKLMNOPQRSTUVWXYZ012345A');
    expect(draws).toEqual([32, 32]);
  });
});

import { describe, expect, it } from 'vitest';
import { renderValue, containsTemplate } from '../../src/engine/playbook/template.js';

const scope = {
  host: { name: 'app1', installPath: 'D:\\Cortex', port: 5672 },
  versions: { erlang: '27.3.4' },
  hosts: { db1: { address: '10.0.0.31' } },
  groups: { app: [{ name: 'app1', address: '10.0.0.21' }, { name: 'app2', address: '10.0.0.22' }] },
};

describe('templates', () => {
  it('a whole-value template keeps its type; text templates render as text', () => {
    expect(renderValue({ port: '{{ host.port }}', nodes: '{{ groups.app | map(address) }}', url: 'amqp://{{ hosts.db1.address }}:{{ host.port }}/' }, scope)).toEqual({
      value: { port: 5672, nodes: ['10.0.0.21', '10.0.0.22'], url: 'amqp://10.0.0.31:5672/' },
      problems: [],
    });
  });
  it('renders inside lists and keeps backslashes', () => {
    expect(renderValue(['{{ host.installPath }}\\bin', 'x'], scope).value).toEqual(['D:\\Cortex\\bin', 'x']);
  });
  it('a version() result renders as its text', () => {
    expect(renderValue("{{ version(versions.erlang) }}", scope).value).toBe('27.3.4');
  });
  it.each([
    ['{{ host.nope }}', ['a'], "in {{ host.nope }}: 'host.nope' is not defined"],
    ['x {{ groups.app }}', ['a'], "in {{ groups.app }}: a list cannot be put inside text; use | join(',') for a list"],
    ['{{ host.name', ['a'], "unterminated template: '{{' without '}}'"],
    ['{{ }}', ['a'], 'empty template {{ }}'],
    ['{{ host.name == }}', ['a'], 'in {{ host.name == }}: expected a value, found the end of the expression (at character 13)'],
  ])('%s → a problem at its path', (text, path, message) => {
    const r = renderValue({ a: text }, scope);
    expect(r.problems).toEqual([{ path, message }]);
    expect(r.value).toEqual({ a: text });
  });
  it('containsTemplate looks through mappings and lists', () => {
    expect(containsTemplate({ a: [1, { b: 'x{{ y }}' }] })).toBe(true);
    expect(containsTemplate({ a: [1, { b: 'x{ y }' }] })).toBe(false);
  });
});

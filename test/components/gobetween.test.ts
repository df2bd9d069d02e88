/** gobetween.toml, its health-check wrappers and the NSSM service: what gobetween would mishandle is refused. */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { ComponentConfigError, gobetweenConfig, gobetweenNssmService, healthCheckCmd, nssmSetArgs, BalancedServer, type ComponentHost, type GobetweenSettingsInput } from '../../src/components/index.js';
import { durationMs } from '../../src/components/duration.js';

const hosts: ComponentHost[] = [
  { name: 'web1', address: 'web1.corp.example.com', roles: ['web'] },
  { name: 'app1', address: '192.0.2.21', roles: ['app'] },
  { name: 'app2', address: 'fd00::22', roles: ['app'] },
  { name: 'app3', address: 'app3.corp.example.com', roles: ['app'] },
  { name: 'lb1', address: 'lb1.corp.example.com', roles: ['lb'] },
];

const errorOf = (fn: () => unknown) => thrown(fn, ComponentConfigError);

const server = (healthCheck: Record<string, unknown>, more: Record<string, unknown> = {}): GobetweenSettingsInput => ({ servers: [{ name: 'api_gateway', role: 'app', backendPort: 8443, bindPort: 8443, healthCheck, ...more }] });

describe('gobetweenConfig', () => {
  it('the TOML parses back: app backends in inventory order (IPv6 bracketed), exec check with 1/0 and a timeout below the interval', () => {
    const files = gobetweenConfig(hosts).files;
    expect(files.map((f) => f.name)).toEqual(['gobetween.toml', 'healthcheck-api-gateway.cmd']);
    expect(files[0]!.path).toBe('C:\\Program Files\\gobetween\\gobetween.toml');
    const doc = parse(files[0]!.text) as { api: { bind: string }; servers: Record<string, { discovery: { static_list: string[] }; healthcheck: Record<string, unknown> }> };
    expect(doc.api.bind).toBe('127.0.0.1:8888');
    const s = doc.servers.api_gateway!;
    expect(s.discovery.static_list).toEqual(['192.0.2.21:8443 weight=1', '[fd00::22]:8443 weight=1', 'app3.corp.example.com:8443 weight=1']);
    expect(s.healthcheck).toMatchObject({ kind: 'exec', exec_command: 'C:\\Program Files\\gobetween\\healthcheck-api-gateway.cmd', exec_expected_positive_output: '1', exec_expected_negative_output: '0' });
    expect(durationMs(String(s.healthcheck.timeout))!).toBeLessThan(durationMs(String(s.healthcheck.interval))!);
  });

  it('the wrapper is ASCII with CRLF line ends only, and hands the fixed arguments to the script', () => {
    const cmd = healthCheckCmd(BalancedServer.parse({ name: 'api_gateway', role: 'app', backendPort: 8443, bindPort: 8443, healthCheck: { path: '/api/health', requestTimeoutSec: 2 } }));
     
    expect(cmd).toMatch(/^[\x20-\x7e\r\n]*$/);
    expect(cmd.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(cmd.endsWith('\r\n')).toBe(true);
    expect(cmd).toContain('-File "%~dp0gobetween-healthcheck.ps1" -BackendHost "%~1" -BackendPort "%~2" -Scheme https -Path "/api/health" -TimeoutSec 2');
    expect(cmd).toContain('if errorlevel 1 (<nul set /p "=0")');
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    ['timeout equal to interval', { interval: '5s', timeout: '5s' }, /timeout of api_gateway \(5s\) is not shorter than its interval \(5s\)/, 'servers[0].healthCheck.timeout'],
    ['timeout above interval', { interval: '2s', timeout: '1m' }, /not shorter than its interval/, 'servers[0].healthCheck.timeout'],
    ['timeout 0 (gobetween kills at once)', { timeout: '0s' }, /would kill every check at once/, 'servers[0].healthCheck.timeout'],
    ['interval 0', { interval: '0s', timeout: '0s' }, /gobetween needs it above 0/, 'servers[0].healthCheck.interval'],
    ['request timeout not below the check timeout', { timeout: '3s', requestTimeoutSec: 3 }, /requestTimeoutSec of api_gateway \(3s\) is not shorter than its timeout/, 'servers[0].healthCheck.requestTimeoutSec'],
    ['not a duration', { interval: '10 seconds' }, /must be a duration/, 'servers.0.healthCheck.interval'],
    ['a path cmd would expand', { path: '/%PATH%' }, /must start with \/ and hold only/, 'servers.0.healthCheck.path'],
  ])('health check: %s is refused', (_name, hc, message, field) => {
    const e = errorOf(() => gobetweenConfig(hosts, server(hc)));
    expect(e.message).toMatch(message);
    expect(e.context.field).toBe(field);
    expect(e.exitCode).toBe(3);
  });

  it('servers: duplicate names or ports, the API port, a non-loopback API, a role with no hosts', () => {
    const twice = { name: 'api_gateway', role: 'app' as const, backendPort: 8443, bindPort: 8443 };
    expect(errorOf(() => gobetweenConfig(hosts, { servers: [twice, { ...twice, bindPort: 9443 }] })).message).toMatch(/two servers are named api_gateway/);
    expect(errorOf(() => gobetweenConfig(hosts, { servers: [twice, { ...twice, name: 'other' }] })).message).toMatch(/servers api_gateway and other both bind port 8443/);
    expect(errorOf(() => gobetweenConfig(hosts, { servers: [{ ...twice, bindPort: 8888 }] })).message).toMatch(/the REST API's port/);
    expect(errorOf(() => gobetweenConfig(hosts, { apiBind: '0.0.0.0:8888' })).context.field).toBe('apiBind');
    const e = errorOf(() => gobetweenConfig(hosts.filter((h) => !h.roles.includes('app'))));
    expect(e.message).toMatch(/balances the app hosts, and the inventory has none/);
  });
});

describe('gobetweenNssmService', () => {
  it('runs gobetween.exe from its folder with a relative config, auto start, rotated logs, restart on exit', () => {
    const s = gobetweenNssmService({ installDir: 'D:\\gobetween' });
    expect(s.program).toBe('D:\\gobetween\\gobetween.exe');
    const byName = new Map(s.parameters.map((p) => [p.name, p]));
    expect(byName.get('AppDirectory')!.value).toBe('D:\\gobetween');
    expect(byName.get('AppParameters')!.value).toBe('-c gobetween.toml');
    expect(byName.get('Start')!.value).toBe('SERVICE_AUTO_START');
    expect(byName.has('ObjectName')).toBe(false);
    expect(nssmSetArgs(s.serviceName, byName.get('AppExit')!)).toEqual(['set', 'gobetween', 'AppExit', 'Default', 'Restart']);
    expect(nssmSetArgs(s.serviceName, byName.get('AppRotateBytes')!)).toEqual(['set', 'gobetween', 'AppRotateBytes', '10485760']);
  });

  it('refuses a service name Windows would not take and a non-ASCII log folder', () => {
    expect(errorOf(() => gobetweenNssmService({}, { serviceName: 'go between' })).context.field).toBe('serviceName');
    expect(errorOf(() => gobetweenNssmService({}, { logDir: 'C:\\Journaux\\été' })).message).toMatch(/ASCII only/);
  });
});

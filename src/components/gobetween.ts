/**
 * gobetween's configuration (docs/gobetween.md): one TCP server per balanced service, its
 * backends the inventory hosts of a role (by default the API Gateway Service on the application
 * servers), each with an exec health check. Rendered with a TOML serializer (smol-toml), never by hand.
 *
 * gobetween's exec health check runs one program path (no argument splitting) with the backend host and
 * port appended, and compares its stdout with `==` — no trimming. So each server gets its own
 * healthcheck-<server>.cmd (ASCII, CRLF) that passes the fixed arguments to gobetween-healthcheck.ps1,
 * which prints exactly `1` or `0`. Its timeout kills the process, and a missing timeout is 0 (killed at
 * once): the timeout is always written, and must be shorter than the interval.
 */
import { stringify } from 'smol-toml';
import { z } from 'zod';
import { ComponentConfigError, settingsError } from './errors.js';
import { durationMs } from './duration.js';
import { hostPort, hostsWithRole, type ComponentHost } from './hosts.js';
import { WindowsPath } from './windows-path.js';

const Port = z.number().int().min(1).max(65535);
const Duration = z.string().refine((t) => durationMs(t) !== null, { message: 'must be a duration like 10s, 500ms or 1m30s' });

export const HealthCheckSettings = z.strictObject({
  interval: Duration.default('10s'),
  timeout: Duration.default('5s'),
  fails: z.number().int().min(1).default(2),
  passes: z.number().int().min(1).default(2),
  /** What the check requests on the backend: <scheme>://<host>:<port><path>. */
  scheme: z.enum(['http', 'https']).default('https'),
  /** Characters safe inside a .cmd file and a URL: no %, quotes, & or spaces. */
  path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, { message: 'must start with / and hold only letters, digits and . _ ~ / -' }).default('/health'),
  /** Seconds the HTTP request may take; below the check's timeout, which also covers PowerShell's start. */
  requestTimeoutSec: z.number().int().min(1).max(300).default(3),
});

export const BalancedServer = z.strictObject({
  /** gobetween's server name (also in the REST API: /servers/<name>). */
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'lower-case letters, digits and _' }),
  /** Whose hosts are the backends. */
  role: z.enum(['app', 'web']),
  /** The port the backends listen on. */
  backendPort: Port,
  /** The port gobetween listens on (all interfaces). */
  bindPort: Port,
  balance: z.enum(['weight', 'leastconn', 'roundrobin', 'iphash', 'iphash1', 'leastbandwidth']).default('leastconn'),
  healthCheck: HealthCheckSettings.default(() => HealthCheckSettings.parse({})),
});

export const GobetweenSettings = z.strictObject({
  installDir: WindowsPath.default('C:\\Program Files\\gobetween'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** The REST API; loopback by default (it has no authentication). */
  apiBind: z.string().regex(/^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/, { message: 'must be a loopback address and port, e.g. 127.0.0.1:8888 (the API has no authentication)' }).default('127.0.0.1:8888'),
  backendConnectionTimeout: Duration.default('5s'),
  /** The gateway port is Cortex-specific (UNCONFIRMED in the reference): 8443 until the platform says otherwise. */
  servers: z.array(BalancedServer).min(1).default(() => [BalancedServer.parse({ name: 'api_gateway', role: 'app', backendPort: 8443, bindPort: 8443 })]),
});
export type GobetweenSettingsInput = z.input<typeof GobetweenSettings>;
export type GobetweenSettingsOutput = z.output<typeof GobetweenSettings>;

/** The health-check script copied next to gobetween.exe (ps1/files/gobetween-healthcheck.ps1). */
export const HEALTHCHECK_SCRIPT_NAME = 'gobetween-healthcheck.ps1';
export const HEALTHCHECK_SCRIPT_SOURCE = 'ps1/files/gobetween-healthcheck.ps1';
export const CONFIG_FILE_NAME = 'gobetween.toml';

export interface GobetweenFile {
  /** File name inside installDir. */
  name: string;
  /** Full Windows path on the load balancer. */
  path: string;
  text: string;
}

export interface GobetweenConfig {
  settings: GobetweenSettingsOutput;
  /** gobetween.toml, then one healthcheck-<server>.cmd per server. */
  files: GobetweenFile[];
}

const HINT = 'Fix the gobetween settings (docs/gobetween.md).';

function fail(detail: string, field: string, hint: string): never {
  throw new ComponentConfigError('gobetween', detail, { field, hint });
}

function checkServers(s: GobetweenSettingsOutput): void {
  const apiPort = Number(s.apiBind.slice(s.apiBind.lastIndexOf(':') + 1));
  const names = new Set<string>();
  const binds = new Map<number, string>();
  s.servers.forEach((server, i) => {
    const field = `servers[${i}]`;
    if (names.has(server.name)) fail(`two servers are named ${server.name}.`, `${field}.name`, 'Give every balanced server its own name.');
    names.add(server.name);
    const other = binds.get(server.bindPort);
    if (other) fail(`servers ${other} and ${server.name} both bind port ${server.bindPort}.`, `${field}.bindPort`, 'Give every balanced server its own port.');
    if (server.bindPort === apiPort) fail(`server ${server.name} binds port ${server.bindPort}, the REST API's port.`, `${field}.bindPort`, 'Move the server or apiBind to another port.');
    binds.set(server.bindPort, server.name);
    const hc = server.healthCheck;
    const interval = durationMs(hc.interval)!;
    const timeout = durationMs(hc.timeout)!;
    if (interval <= 0) fail(`healthCheck.interval of ${server.name} is ${hc.interval}; gobetween needs it above 0.`, `${field}.healthCheck.interval`, 'Set e.g. 10s.');
    if (timeout <= 0) fail(`healthCheck.timeout of ${server.name} is ${hc.timeout}; gobetween would kill every check at once.`, `${field}.healthCheck.timeout`, 'Set e.g. 5s (shorter than the interval).');
    if (timeout >= interval) fail(`healthCheck.timeout of ${server.name} (${hc.timeout}) is not shorter than its interval (${hc.interval}); checks would overlap.`, `${field}.healthCheck.timeout`, 'Make the timeout shorter than the interval, e.g. interval 10s, timeout 5s.');
    if (hc.requestTimeoutSec * 1000 >= timeout) fail(`healthCheck.requestTimeoutSec of ${server.name} (${hc.requestTimeoutSec}s) is not shorter than its timeout (${hc.timeout}); gobetween would kill the check before it can print 0.`, `${field}.healthCheck.requestTimeoutSec`, 'Leave PowerShell time to start: e.g. requestTimeoutSec 3 with timeout 5s.');
  });
}

/** The exec health-check wrapper of one server: ASCII, CRLF, prints exactly 1 or 0, always exits 0. */
export function healthCheckCmd(server: z.output<typeof BalancedServer>): string {
  const hc = server.healthCheck;
  const lines = [
    '@echo off',
    `rem gobetween exec health check of server ${server.name}, written by cortex-deploy (docs/gobetween.md).`,
    'rem gobetween appends the backend host and port; it compares stdout with 1 and 0 exactly.',
    `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%~dp0${HEALTHCHECK_SCRIPT_NAME}" -BackendHost "%~1" -BackendPort "%~2" -Scheme ${hc.scheme} -Path "${hc.path}" -TimeoutSec ${hc.requestTimeoutSec}`,
    'rem PowerShell that could not run the script printed nothing: answer 0 (unhealthy).',
    'if errorlevel 1 (<nul set /p "=0")',
    'exit /b 0',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

export function healthCheckCmdName(serverName: string): string {
  return `healthcheck-${serverName.replace(/_/g, '-')}.cmd`;
}

/** gobetween.toml and the health-check wrappers for `hosts`. Throws ComponentConfigError on what gobetween would refuse or mishandle. */
export function gobetweenConfig(hosts: readonly ComponentHost[], settings: GobetweenSettingsInput = {}): GobetweenConfig {
  const parsed = GobetweenSettings.safeParse(settings);
  if (!parsed.success) throw settingsError('gobetween', parsed.error.issues, HINT);
  const s = parsed.data;
  checkServers(s);
  const servers: Record<string, unknown> = {};
  const files: GobetweenFile[] = [];
  s.servers.forEach((server, i) => {
    const backends = hostsWithRole(hosts, server.role);
    if (backends.length === 0) fail(`server ${server.name} balances the ${server.role} hosts, and the inventory has none.`, `servers[${i}].role`, `Put hosts in the ${server.role} group, or remove the server.`);
    const cmdName = healthCheckCmdName(server.name);
    const hc = server.healthCheck;
    servers[server.name] = {
      protocol: 'tcp',
      bind: `0.0.0.0:${server.bindPort}`,
      balance: server.balance,
      discovery: { kind: 'static', static_list: backends.map((b) => `${hostPort(b.address, server.backendPort)} weight=1`) },
      healthcheck: {
        kind: 'exec',
        interval: hc.interval,
        timeout: hc.timeout,
        fails: hc.fails,
        passes: hc.passes,
        initial_status: 'unhealthy',
        exec_command: `${s.installDir}\\${cmdName}`,
        exec_expected_positive_output: '1',
        exec_expected_negative_output: '0',
      },
    };
    files.push({ name: cmdName, path: `${s.installDir}\\${cmdName}`, text: healthCheckCmd(server) });
  });
  const document = {
    logging: { level: s.logLevel, output: 'stdout' },
    api: { enabled: true, bind: s.apiBind },
    metrics: { enabled: false },
    defaults: { max_connections: 0, client_idle_timeout: '0', backend_idle_timeout: '0', backend_connection_timeout: s.backendConnectionTimeout },
    servers,
  };
  const header = '# gobetween configuration, written by cortex-deploy (docs/gobetween.md); edits here are overwritten.\n\n';
  const toml = `${header}${stringify(document).trimEnd()}\n`;
  return { settings: s, files: [{ name: CONFIG_FILE_NAME, path: `${s.installDir}\\${CONFIG_FILE_NAME}`, text: toml }, ...files] };
}

/** The params of a gobetween_backend step (src/resources/gobetween-backend.ts) for one backend host. */
export interface GobetweenBackendStep {
  server: string;
  backend: string;
  state: 'drained' | 'live';
  installDir: string;
  api: string;
}

/**
 * The drain and restore of `host` at the load balancer (a phase's drain, docs/gobetween.md): the first
 * balanced server whose backends are the `role` hosts, with the host as gobetween lists it; null when
 * the host does not have the role or no server balances it (nothing to drain: the drain does not run for it).
 */
export function gobetweenBackendSteps(host: ComponentHost, config: GobetweenConfig, role: 'app' | 'web'): { drain: GobetweenBackendStep; restore: GobetweenBackendStep } | null {
  const server = host.roles.includes(role) ? config.settings.servers.find((s) => s.role === role) : undefined;
  if (!server) return null;
  const base = { server: server.name, backend: hostPort(host.address, server.backendPort), installDir: config.settings.installDir, api: config.settings.apiBind };
  return { drain: { ...base, state: 'drained' }, restore: { ...base, state: 'live' } };
}

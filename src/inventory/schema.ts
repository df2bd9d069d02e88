/**
 * The inventory's zod schemas, in two layers:
 * - the *document* schema: what a user may write at any level (all / group / host vars), every key
 *   optional and no defaults. It validates the file where each value is written, so an error points
 *   at the line that holds it, and it is what `inventory schema` publishes for editors.
 * - the *host* schema: the variables of one host after inheritance (all → group → host), with
 *   defaults filled in and the cross-field rules (.superRefine) that need the whole picture.
 * Key names are a contract (docs/inventory.md): users' files, tests and examples use them; add keys, rename none.
 */
import { z } from 'zod';
import { ADDRESS_HINT, addressProblem } from './address.js';
import { CHECK_IDS, type CheckId } from '../preflight/check-ids.js';

export const ROLES = ['web', 'app', 'db', 'lb'] as const;
export const TRANSPORTS = ['winrm', 'ssh', 'local'] as const;
export const WINRM_SCHEMES = ['http', 'https'] as const;
export const WINRM_AUTHS = ['ntlm', 'basic', 'kerberos', 'negotiate', 'certificate'] as const;
export const WEB_APPS = ['gateway', 'liveportal'] as const;
/** Component versions the playbooks pin. Strict, so a typo is caught with a suggestion. */
export const VERSION_KEYS = [
  'erlang',
  'rabbitmq',
  'serviceFabric',
  'nservicebusRabbitMq',
  'gobetween',
  'nssm',
  'urlRewrite',
  'dotnetFramework',
  'cortex',
  /** The Gateway's HTTPS certificate (a PFX) in the artifact store, by a label of your choosing (e.g. its year). */
  'gatewayCertificate',
] as const;

/**
 * `env:NAME`, `file:PATH` or `prompt`. Anything else is a literal, and literals are refused. (`vault:` is
 * what the loader makes of an Ansible Vault value, src/inventory/vault.ts: encrypted, so not a literal.)
 */
export const SECRET_REF_PATTERN = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|prompt|vault:[A-Za-z0-9+/]+={0,2})$/;
export const SECRET_REF_HINT = 'Write a reference instead: env:NAME (an environment variable), file:PATH (a file holding only the secret) or prompt (asked on the terminal).';

/** Marker the loader looks for, to register a refused literal with the redactor. */
export const LITERAL_SECRET = 'literal-secret';

export const SecretRef = z
  .string()
  .check((ctx) => {
    if (!SECRET_REF_PATTERN.test(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        input: undefined,
        message: `secrets are never written literally in the inventory. ${SECRET_REF_HINT}`,
        params: { kind: LITERAL_SECRET },
      });
    }
  })
  .meta({ id: 'SecretRef', pattern: SECRET_REF_PATTERN.source, description: 'Secret reference: env:NAME | file:PATH | prompt, or an Ansible Vault value (!vault). Literal secrets are refused.', examples: ['env:CORTEX_WINRM_PASSWORD', 'file:~/.secrets/winrm', 'prompt'] });

/** A file reference (`file:PATH`, relative to the inventory's folder, `~` expanded). */
export const FileRef = z
  .string()
  .regex(/^file:.+$/, { message: 'must be a file reference: file:PATH (relative to the inventory file, ~ expanded)' })
  .meta({ description: 'file:PATH, relative to the inventory file, ~ expanded', examples: ['file:certs/ca.pem'] });

/** winrm.maxResponseSizeKb: at least one 150 KiB envelope with its framing; at most 256 MiB. */
const MIN_RESPONSE_KB = 160;
const MAX_RESPONSE_KB = 262_144;

const Port = z.number().int().min(1).max(65535).meta({ description: 'TCP port, 1-65535' });

/** Version strings must be quoted in YAML: unquoted 2.10 would read as the number 2.1. */
const VersionString = z.string().min(1).meta({ description: 'Version string; quote it in YAML ("10.1", not 10.1)' });

// ---------- the document layer (what users write) ----------

export const TlsVars = z.strictObject({
  ca: FileRef.nullable().optional().meta({ description: 'CA bundle (PEM) to trust; null: the system roots. Default null.' }),
  serverName: z.string().min(1).nullable().optional().meta({ description: 'Name to verify the certificate against; null: the address. Default null.' }),
  insecure: z.boolean().optional().meta({ description: 'Skip certificate verification (lab only; warned on every run). Default false.' }),
});

const Spn = z.string().regex(/^[A-Za-z]+\/[^\s/@]+$/, { message: 'must be a service principal like HTTP/web01.corp.example.com (no realm)' });

export const ClientCertificate = z
  .strictObject({
    cert: FileRef.meta({ description: 'Client certificate (PEM), optionally followed by its chain.' }),
    key: SecretRef.meta({ description: 'Its private key (PEM): file:PATH or env:NAME.' }),
  })
  .meta({ description: 'Certificate authentication: the client certificate the host maps to an account. See docs/authentication.md.' });

export const WinrmVars = z.strictObject({
  scheme: z.enum(WINRM_SCHEMES).optional().meta({ description: 'http (NTLM/Kerberos message encryption) | https. Default http.' }),
  port: Port.optional().meta({ description: 'Default 5985 for http, 5986 for https.' }),
  auth: z.enum(WINRM_AUTHS).optional().meta({ description: 'ntlm | basic | kerberos (https) | negotiate (Kerberos, else NTLM) | certificate (https). Default ntlm. See docs/authentication.md.' }),
  user: z.string().min(1).optional().meta({ description: "Account: 'DOMAIN\\user', user@domain or user. Kerberos: user@REALM; unset: the ticket cache's principal." }),
  password: SecretRef.optional(),
  spn: Spn.optional().meta({ description: 'Kerberos service principal, HTTP/<name>. Default: HTTP/ + tls.serverName, else the address when it is a name, else the host name.' }),
  certificate: ClientCertificate.optional(),
  allowUnencrypted: z.boolean().optional().meta({ description: 'Allow Basic auth over plain HTTP. Default false.' }),
  tls: TlsVars.optional(),
  operationTimeoutSec: z.number().int().min(1).max(3600).optional().meta({ description: 'WS-Man OperationTimeout for long polls, seconds. Default 20.' }),
  connectTimeoutMs: z.number().int().min(100).max(600_000).optional().meta({ description: 'TCP connect + TLS handshake timeout, ms. Default 10000.' }),
  requestTimeoutMs: z.number().int().min(1000).max(3_600_000).optional().meta({ description: 'Upper bound for one HTTP exchange, ms. Default 60000.' }),
  maxResponseSizeKb: z
    .number()
    .int()
    .min(MIN_RESPONSE_KB)
    .max(MAX_RESPONSE_KB)
    .nullable()
    .optional()
    .meta({ description: 'Largest HTTP response body accepted from the host, KiB (see docs/security.md). Default null: twice the envelope size plus 64 KiB (1064).' }),
});

export const JumpHostVars = z.strictObject({
  address: z.string().min(1),
  port: Port.optional(),
  user: z.string().min(1).optional(),
});

export const SshVars = z.strictObject({
  port: Port.optional().meta({ description: 'Default 22.' }),
  user: z.string().min(1).optional(),
  key: SecretRef.nullable().optional().meta({ description: 'Private key: file:PATH or env:NAME. Default null.' }),
  passphrase: SecretRef.nullable().optional().meta({ description: 'Passphrase of the key. Default null.' }),
  password: SecretRef.nullable().optional().meta({ description: 'Password authentication. Default null.' }),
  agent: z.union([z.boolean(), z.string().min(1)]).optional().meta({ description: 'Use the SSH agent: true ($SSH_AUTH_SOCK), false, or a socket path. Default false.' }),
  knownHosts: z.string().min(1).nullable().optional().meta({ description: 'known_hosts file; null: ~/.ssh/known_hosts. Default null.' }),
  jumpHost: JumpHostVars.nullable().optional(),
  connectTimeoutMs: z.number().int().min(100).max(600_000).optional().meta({ description: 'Default 10000.' }),
});

export const VersionsVars = z.strictObject(Object.fromEntries(VERSION_KEYS.map((k) => [k, VersionString.optional()])) as Record<(typeof VERSION_KEYS)[number], z.ZodOptional<typeof VersionString>>);

// ---------- Ansible's connection variables (read as ours: src/inventory/ansible.ts) ----------

const AnsiblePort = z.union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}$/, { message: 'must be a port number' })]);
const AnsiblePath = z.string().min(1);

export const ANSIBLE_CONNECTIONS = ['winrm', 'psrp', 'ssh', 'local'] as const;

/** The ansible_* keys read at every vars level, with the form each must have. */
export const AnsibleVarsShape = {
  ansible_host: z.string().min(1).optional().meta({ description: 'Ansible: address.' }),
  ansible_port: AnsiblePort.optional().meta({ description: 'Ansible: port (5986 with no scheme means https).' }),
  ansible_connection: z.enum(ANSIBLE_CONNECTIONS).optional().meta({ description: 'Ansible: transport (psrp is read as winrm).' }),
  ansible_user: z.string().min(1).optional().meta({ description: 'Ansible: winrm.user or ssh.user, per transport.' }),
  ansible_password: SecretRef.optional().meta({ description: "Ansible: winrm.password or ssh.password; {{ lookup('env', 'NAME') }} reads as env:NAME." }),
  ansible_ssh_user: z.string().min(1).optional().meta({ description: 'Ansible: ssh.user.' }),
  ansible_ssh_pass: SecretRef.optional().meta({ description: 'Ansible: ssh.password.' }),
  ansible_ssh_port: AnsiblePort.optional().meta({ description: 'Ansible: ssh.port.' }),
  ansible_ssh_private_key_file: AnsiblePath.optional().meta({ description: 'Ansible: ssh.key (a file path).' }),
  ansible_winrm_transport: z.enum(WINRM_AUTHS).optional().meta({ description: 'Ansible: winrm.auth.' }),
  ansible_winrm_scheme: z.enum(['http', 'https']).optional().meta({ description: 'Ansible: winrm.scheme.' }),
  ansible_winrm_server_cert_validation: z.enum(['validate', 'ignore']).optional().meta({ description: 'Ansible: ignore is winrm.tls.insecure: true.' }),
  ansible_winrm_ca_trust_path: AnsiblePath.optional().meta({ description: 'Ansible: winrm.tls.ca (a file path).' }),
  ansible_winrm_cert_pem: AnsiblePath.optional().meta({ description: 'Ansible: winrm.certificate.cert (a file path).' }),
  ansible_winrm_cert_key_pem: AnsiblePath.optional().meta({ description: 'Ansible: winrm.certificate.key (a file path).' }),
  ansible_winrm_kerberos_hostname_override: z.string().regex(/^[^\s/@]+$/).optional().meta({ description: 'Ansible: winrm.spn HTTP/<name>.' }),
  ansible_winrm_operation_timeout_sec: z.number().int().min(1).max(3600).optional().meta({ description: 'Ansible: winrm.operationTimeoutSec.' }),
  ansible_winrm_read_timeout_sec: z.number().int().min(1).max(3600).optional().meta({ description: 'Ansible: winrm.requestTimeoutMs (seconds × 1000).' }),
  ansible_shell_type: z.literal('powershell').optional().meta({ description: 'Ansible: accepted and ignored (PowerShell is implied).' }),
};

// ---------- waivers (docs/preflight.md, "Waivers") ----------

/** A calendar day, YYYY-MM-DD, that exists (2027-02-30 does not). */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD, e.g. 2027-03-31' })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: 'is not a calendar date' })
  .meta({ description: 'A date, YYYY-MM-DD (UTC).' });

export const Waiver = z
  .strictObject({
    check: z.enum(CHECK_IDS as [CheckId, ...CheckId[]]).meta({ description: 'The preflight check id the waiver accepts (docs/preflight.md, "Checks").' }),
    reason: z.string().trim().min(1).meta({ description: 'Why the finding is accepted (shown in every report). Required.' }),
    expires: Day.nullable().optional().meta({ description: 'Last day the waiver applies (UTC); after it the finding counts again and inventory check warns. Default: no expiry.' }),
    hosts: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .meta({ description: 'Narrows the waiver to these hosts of the level it is written at: host names, group names or globs (web*). Default: every host of that level.' }),
  })
  .meta({ id: 'Waiver', description: 'Accept a preflight finding (warn or fail) of one check on some hosts, with a reason and an optional expiry.' });
export type WaiverInput = z.infer<typeof Waiver>;

/** How store artifacts reach a host (docs/artifacts.md); `apply --artifacts` and `--pull-address` override. */
export const ArtifactsVars = z
  .strictObject({
    transfer: z.enum(['push', 'pull']).optional().meta({ description: 'push: uploaded over the session (default); pull: the host downloads them from the HTTPS server apply runs on the workstation.' }),
    pullAddress: z.string().min(1).optional().meta({ description: "The workstation's address as this host reaches it (pull). Default: the workstation's address on its route to the host." }),
  })
  .meta({ id: 'ArtifactsVars', description: 'How store artifacts reach the hosts (docs/artifacts.md).' });

/** Variables allowed at every level: all.vars, <group>.vars, and a host's own entry. */
export const VarsShape = {
  address: z.string().min(1).optional().meta({ description: 'IP address or DNS name. Default: the host name.' }),
  port: Port.optional().meta({ description: 'Port of the chosen transport (overrides winrm.port / ssh.port).' }),
  transport: z.enum(TRANSPORTS).optional().meta({ description: 'winrm | ssh | local. Default winrm.' }),
  winrm: WinrmVars.optional(),
  ssh: SshVars.optional(),
  versions: VersionsVars.optional(),
  webApps: z.array(z.enum(WEB_APPS)).optional().meta({ description: 'Web servers only: gateway (with Studio, LiveView) | liveportal.' }),
  installPath: z.string().min(1).optional().meta({ description: "Install folder on the host, e.g. 'D:\\Cortex'." }),
  artifacts: ArtifactsVars.optional(),
  lab: z.unknown().optional().meta({ description: 'Lab profile of a simulated host (see docs/lab.md); ignored on real hosts.' }),
  waivers: z.array(Waiver).nullable().optional().meta({ description: 'Preflight findings accepted for the hosts of this level; waivers of every level add up.' }),
  components: z.unknown().optional().meta({ description: 'all.vars only: the settings of the Cortex components (Service Fabric security, RabbitMQ, gobetween, NSSM, SQL port); see docs/component-config.md.' }),
  ...AnsibleVarsShape,
};

/**
 * A vars level: our keys, strictly; any other key is the user's own variable or another tool's ansible_*
 * setting (custom-vars.ts classifies them, and catches a typo of one of our keys).
 */
export const Vars = z
  .object(VarsShape)
  .catchall(z.unknown())
  .meta({ id: 'Vars', description: "Variables: in all.vars, a group's vars, or a host's own entry (host wins). Keys other than these are your own variables (host.vars.NAME in playbooks) or ignored ansible_* settings." });
export type VarsInput = z.infer<typeof Vars>;

export interface GroupInput {
  vars?: VarsInput | null | undefined;
  hosts?: Record<string, VarsInput | null> | null | undefined;
  children?: Record<string, GroupInput | null> | null | undefined;
}

export const Group: z.ZodType<GroupInput> = z
  .strictObject({
    vars: Vars.nullable().optional(),
    hosts: z.record(z.string(), Vars.nullable()).nullable().optional(),
    get children() {
      return z.record(z.string(), Group.nullable()).nullable().optional();
    },
  })
  .meta({ id: 'Group', description: 'A group: its vars, its hosts (name → host vars) and child groups. web, app, db, lb are the role groups.' });

export const InventoryDocument = z
  .strictObject({ all: Group })
  .meta({ title: 'cortex-deploy inventory', description: 'Ansible-shaped inventory: all / children / hosts / vars. Groups web, app, db, lb name the server roles.' });

// ---------- the host layer (after inheritance, with defaults) ----------

export const ResolvedWinrm = z
  .object({
    scheme: z.enum(WINRM_SCHEMES).default('http'),
    port: Port.optional(),
    auth: z.enum(WINRM_AUTHS).default('ntlm'),
    user: z.string().min(1).optional(),
    password: SecretRef.optional(),
    spn: Spn.optional(),
    certificate: ClientCertificate.nullable().default(null),
    allowUnencrypted: z.boolean().default(false),
    tls: z
      .object({
        ca: FileRef.nullable().default(null),
        serverName: z.string().nullable().default(null),
        insecure: z.boolean().default(false),
      })
      .default({ ca: null, serverName: null, insecure: false }),
    operationTimeoutSec: z.number().int().default(20),
    connectTimeoutMs: z.number().int().default(10_000),
    requestTimeoutMs: z.number().int().default(60_000),
    maxResponseSizeKb: z.number().int().nullable().default(null),
  })
  .superRefine((w, ctx) => {
    if (w.auth === 'basic' && w.scheme === 'http' && !w.allowUnencrypted) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'Basic authentication over plain HTTP sends the password in clear text.',
        params: { hint: 'Use scheme: https, or auth: ntlm, or set winrm.allowUnencrypted: true if you accept that risk (lab only).' },
      });
    }
    if (w.auth === 'kerberos' && w.scheme !== 'https') {
      ctx.addIssue({
        code: 'custom',
        path: ['scheme'],
        message: 'Kerberos over plain HTTP needs message encryption (gss_wrap_iov) that cortex-deploy cannot do.',
        params: { hint: 'Set winrm.scheme: https (port 5986) for auth: kerberos, or use auth: negotiate, which uses NTLM over http.' },
      });
    }
    if (w.auth === 'certificate' && w.scheme === 'https' && !w.certificate) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'certificate authentication needs winrm.certificate (the client certificate and its key).',
        params: { hint: 'Set winrm.certificate: { cert: file:PATH, key: file:PATH }.' },
      });
    }
    if (w.auth === 'certificate' && w.scheme !== 'https') {
      ctx.addIssue({
        code: 'custom',
        path: ['scheme'],
        message: 'certificate authentication needs scheme: https.',
        params: { hint: 'Set winrm.scheme: https (port 5986).' },
      });
    }
    if (w.tls.insecure && w.tls.ca !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'insecure'],
        message: 'tls.insecure: true turns verification off, so tls.ca would be ignored.',
        params: { hint: 'Remove one of them: keep tls.ca to verify, or insecure: true to skip verification.' },
      });
    }
  });

export const ResolvedSsh = z.object({
  port: Port.optional(),
  user: z.string().min(1).optional(),
  key: SecretRef.nullable().default(null),
  passphrase: SecretRef.nullable().default(null),
  password: SecretRef.nullable().default(null),
  agent: z.union([z.boolean(), z.string().min(1)]).default(false),
  knownHosts: z.string().nullable().default(null),
  jumpHost: z.object({ address: z.string(), port: Port.default(22), user: z.string().optional() }).nullable().optional(),
  connectTimeoutMs: z.number().int().default(10_000),
});

export const ResolvedHostVars = z
  .object({
    address: z.string().min(1),
    port: Port.optional(),
    transport: z.enum(TRANSPORTS).default('winrm'),
    winrm: ResolvedWinrm.default(() => ResolvedWinrm.parse({})),
    ssh: ResolvedSsh.default(() => ResolvedSsh.parse({})),
    versions: z.record(z.string(), z.string()).default({}),
    webApps: z.array(z.enum(WEB_APPS)).default([]),
    installPath: z.string().optional(),
    artifacts: z.object({ transfer: z.enum(['push', 'pull']).default('push'), pullAddress: z.string().optional() }).default({ transfer: 'push' }),
    lab: z.unknown().optional(),
  })
  .superRefine((h, ctx) => {
    for (const [path, address] of [
      [['address'], h.address],
      [['ssh', 'jumpHost', 'address'], h.ssh.jumpHost?.address],
      [['artifacts', 'pullAddress'], h.artifacts.pullAddress],
    ] as const) {
      const problem = address === undefined ? null : addressProblem(address);
      if (problem) ctx.addIssue({ code: 'custom', path: [...path], message: `'${address}' is not an IPv4, IPv6 or DNS name address: ${problem}.`, params: { hint: ADDRESS_HINT } });
    }
    if (h.transport === 'winrm' && !h.winrm.user && (h.winrm.auth === 'ntlm' || h.winrm.auth === 'basic')) {
      ctx.addIssue({
        code: 'custom',
        path: ['winrm', 'user'],
        message: `winrm.user is required for auth ${h.winrm.auth}.`,
        params: { hint: "Set winrm.user (e.g. 'CORP\\svc-cortex') in all.vars, a group's vars or the host." },
      });
    }
    if (h.transport === 'winrm' && (h.winrm.auth === 'ntlm' || h.winrm.auth === 'basic') && !h.winrm.password) {
      ctx.addIssue({
        code: 'custom',
        path: ['winrm', 'password'],
        message: `winrm.password is required for auth ${h.winrm.auth}.`,
        params: { hint: 'Set winrm.password: env:NAME, file:PATH or prompt.' },
      });
    }
    if (h.transport === 'ssh' && !h.ssh.user) {
      ctx.addIssue({
        code: 'custom',
        path: ['ssh', 'user'],
        message: 'ssh.user is required for transport ssh.',
        params: { hint: 'Set ssh.user in all.vars, a group or the host.' },
      });
    }
    if (h.transport === 'ssh' && !h.ssh.key && !h.ssh.password && h.ssh.agent === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['ssh'],
        message: 'transport ssh needs a way to authenticate: ssh.key, ssh.password or ssh.agent.',
        params: { hint: 'Set ssh.key: file:~/.ssh/id_ed25519, or ssh.agent: true.' },
      });
    }
  });
export type ResolvedHostVarsOutput = z.output<typeof ResolvedHostVars>;

import * as os from 'node:os';
import * as path from 'node:path';

export type Role = 'api' | 'worker' | 'all';
export type HealAction = 'off' | 'restart-worker' | 'restart-session';
export const HEAL_ACTIONS: readonly HealAction[] = ['off', 'restart-worker', 'restart-session'];
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  role: Role;
  port: number;
  host: string;
  /** Unset: the service starts its own PostgreSQL (embedded default). */
  databaseUrl?: string;
  /** Unset: the service starts its own redis-server (embedded default). */
  redisUrl?: string;
  adminUser: string;
  /** Unset: a password is generated once and written to `adminPasswordFile`. */
  adminPassword?: string;
  /** Unset in embedded mode: generated once into `<dataDir>/secret.key`. */
  secretKey?: string;
  dataDir: string;
  logLevel: LogLevel;
  /** BullMQ key prefix, so several deployments (or test files) can share one Redis. */
  queuePrefix: string;
  /** How long a worker may take to finish in-flight jobs on SIGTERM before they are handed back. */
  shutdownGraceMs: number;
  /** How long a synchronous action request waits for its job before answering 202. */
  actionWaitMs: number;
  /** Actions that may wait behind a running one on the same target (beyond: 429). */
  actionQueueLimit: number;
  jobRetentionMs: number;
  eventRetentionMs: number;
  /** How long a worker's claim on a BullMQ job lasts without renewal; a dead worker's job is re-run after it. */
  jobLockMs: number;
  /** How often a worker ends jobs whose queue entry ended without their outcome being recorded (0: only at worker start-up). */
  lostJobSweepMs: number;
  /** Testing knob: the built-in cluster refresh takes this long, so tests can catch a job mid-run. */
  testActionDelayMs: number;
  /** How often the worker runs the discovery sync of every cluster (0: never; refresh actions still sync). */
  syncIntervalMs: number;
  /** A worker Active with pending work whose last_synced has not moved for this long is stalled (LAB.md pitfall 2). */
  stallThresholdMs: number;
  /** What the service does about a stalled worker (issue 10): nothing, kill the worker (gsyncd's monitor respawns it), or stop/start the session. */
  healAction: HealAction;
  /** At most this many heals per session in any hour; beyond, the stall is only reported. */
  healMaxPerHour: number;
  /** How often a DR run reads the session's status while it waits for its checkpoint. */
  drPollIntervalMs: number;
  /** Per HTTP call to an oVirt engine (a DR run's quiesce); reads and deletes are tried twice more. */
  engineTimeoutMs: number;
  /** How long a quiesce waits for a VM's snapshot to be created (or removed) by the engine. */
  engineSnapshotTimeoutMs: number;
  /** Periodic replication canary: an active session not verified for this long gets a verify job (0: never). */
  verifyIntervalMs: number;
  /** Run as root on a slave host (through `sh -c`) after the mount-broker set-up of a non-root session. */
  glusterdRestartCommand: string;
  /** How long glusterd may take to answer `volume info` again after that restart. */
  glusterdRestartTimeoutMs: number;
  /** How long a bearer token from the SSO endpoint is valid. */
  tokenTtlMs: number;
  /** How long a successful Basic verification is remembered in process memory (0: never). */
  credentialCacheMs: number;
  /** Failed logins: per user name and per client address within `loginWindowMs`; beyond, 429. */
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerAddress: number;
  loginWindowMs: number;
  /** Password checks (argon2, 64 MiB each) running at once; more wait in a short queue, beyond it 503. */
  loginMaxConcurrent: number;
  /**
   * GEOREP_METRICS_TOKEN: a bearer token that may read `GET /metrics` (what a Prometheus scrape job
   * sends), besides any admin or viewer login; unset, only logins may. At least 32 characters, no
   * whitespace. Compared in constant time, never logged or echoed in a message.
   */
  metricsToken?: string;
  /**
   * GEOREP_METRICS_PORT: for the `worker` role, which serves no HTTP otherwise, a port (on HOST) that serves
   * only `GET /metrics` of that process, to GEOREP_METRICS_TOKEN (required with it). Unset: none.
   */
  workerMetricsPort?: number;
  /**
   * GEOREP_PUBLIC_URL: where gluster's nodes reach this service's API (`http://georep.example:8080`), for the
   * webhook `enableglusterevents` registers with glustereventsd when its body names no URL. Unset: the body must.
   */
  publicUrl?: string;
  /** HTTPS when set: PEM files; with `selfSigned` the files live in the data dir and are made on first start. */
  tls?: TlsConfig;
  /** Event notifications (event subscriptions): the SMTP relay, retries and the webhook timeout. */
  notifications: NotificationConfig;
}

export interface NotificationConfig {
  /**
   * GEOREP_SMTP_URL: the relay e-mail subscriptions are sent through (`smtp://host:25`, `smtps://user:pass@host:465`;
   * `smtp://` upgrades with STARTTLS when the relay offers it). Unset: e-mail subscriptions cannot be added.
   * It may hold a password: never logged or repeated in a message.
   */
  smtpUrl?: string;
  /** GEOREP_SMTP_FROM: the sender address of notification e-mail (required with GEOREP_SMTP_URL). */
  smtpFrom?: string;
  /** GEOREP_NOTIFY_ATTEMPTS: tries per delivery (the first one included) before it is given up (default 5). */
  attempts: number;
  /** GEOREP_NOTIFY_RETRY_DELAY_MS: the wait before the first retry; each further retry waits twice as long (default 10000). */
  retryDelayMs: number;
  /** GEOREP_WEBHOOK_TIMEOUT_SECONDS: how long a webhook receiver may take to answer (default 10). */
  webhookTimeoutMs: number;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** Served as the CA certificate (pki-resource ca-certificate); unset: the certificate file itself. */
  caFile?: string;
  selfSigned: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const ROLES: readonly Role[] = ['api', 'worker', 'all'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ADMIN_USER = /^[A-Za-z0-9._-]{1,64}@[A-Za-z0-9._-]{1,64}$/;

export function defaultDataDir(): string {
  // As root the embedded PostgreSQL runs as an unprivileged user that must reach this directory,
  // so it cannot live under root's 0700 home.
  if (process.getuid?.() === 0) return '/var/lib/georep-api';
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'georep-api');
}

/** 0 lets the kernel pick a free port (the real one is printed at start-up). */
function parsePort(raw: string, name: string, problems: string[]): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    problems.push(
      `${name}: must be a port number between 1 and 65535, or 0 for any free port (got "${printable(raw)}")`,
    );
    return 0;
  }
  return Number(raw);
}

function parseUrl(raw: string, name: string, protocols: string[], problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name}: not a valid URL (expected ${protocols[0]}//host:port/...)`);
    return undefined;
  }
  if (!protocols.includes(url.protocol)) {
    problems.push(
      `${name}: scheme must be ${protocols.map((p) => p.replace(':', '')).join(' or ')} (got "${url.protocol.replace(':', '')}")`,
    );
    return undefined;
  }
  if (!url.hostname) {
    problems.push(`${name}: host is missing`);
    return undefined;
  }
  return raw;
}

/** Keeps error messages one readable line: no control characters, bounded length. */
function printable(raw: string): string {
  const clean = raw.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}...` : clean;
}

/** The environment being read, and one line per bad value found so far (in the order they are read). */
class EnvReader {
  readonly problems: string[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  wholeNumber(name: string, fallback: string, max: number): number {
    const raw = this.env[name] ?? fallback;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) > max) {
      this.problems.push(`${name}: must be a whole number between 0 and ${max} (got "${printable(raw)}")`);
      return 0;
    }
    return Number(raw);
  }

  positive(name: string, fallback: string, max: number): number {
    const value = this.wholeNumber(name, fallback, max);
    if (/^0+$/.test(this.env[name] ?? '')) this.problems.push(`${name}: must be at least 1`);
    return value;
  }
}

/** Reads and validates the environment. Every bad value gives one line naming the setting. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: string[] = []): AppConfig {
  const r = new EnvReader(env);
  const role = readRole(r, argv);
  const port = parsePort(env.PORT ?? '8080', 'PORT', r.problems);
  const host = env.HOST ?? '0.0.0.0';
  const services = readServices(r);
  const admin = readAdmin(r, services.databaseUrl);
  const local = readLocalSettings(r);
  const jobs = readJobSettings(r);
  const sessionCare = readSessionCareSettings(r);
  const glusterdRestart = readGlusterdRestart(r);
  const login = readLoginSettings(r);
  const metricsToken = readMetricsToken(r);
  const workerMetricsPort = readWorkerMetricsPort(r, role, metricsToken);
  const notifications = readNotificationSettings(r);
  const publicUrl = r.env.GEOREP_PUBLIC_URL
    ? parseUrl(r.env.GEOREP_PUBLIC_URL, 'GEOREP_PUBLIC_URL', ['http:', 'https:'], r.problems)
    : undefined;
  const tls = tlsConfig(env, local.dataDir, r.problems);

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return {
    role,
    port,
    host,
    ...services,
    ...admin,
    ...local,
    ...jobs,
    ...sessionCare,
    ...glusterdRestart,
    ...login,
    ...(metricsToken !== undefined ? { metricsToken } : {}),
    ...(workerMetricsPort !== undefined ? { workerMetricsPort } : {}),
    ...(tls ? { tls } : {}),
    ...(publicUrl !== undefined ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    notifications,
  };
}

/** A role word on the command line wins over GEOREP_ROLE. */
function readRole(r: EnvReader, argv: string[]): Role {
  const roleArg = argv.find((a) => ROLES.includes(a as Role));
  const roleRaw = roleArg ?? r.env.GEOREP_ROLE ?? 'all';
  if (!ROLES.includes(roleRaw as Role))
    r.problems.push(`GEOREP_ROLE: must be one of ${ROLES.join(', ')} (got "${printable(roleRaw)}")`);
  return roleRaw as Role;
}

function readServices(r: EnvReader): Pick<AppConfig, 'databaseUrl' | 'redisUrl'> {
  const { env, problems } = r;
  const databaseUrl = env.DATABASE_URL
    ? parseUrl(env.DATABASE_URL, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems)
    : undefined;
  const redisUrl = env.REDIS_URL ? parseUrl(env.REDIS_URL, 'REDIS_URL', ['redis:', 'rediss:'], problems) : undefined;
  if (Boolean(env.DATABASE_URL) !== Boolean(env.REDIS_URL)) {
    problems.push('DATABASE_URL and REDIS_URL: set both to use external services, or neither for the embedded default');
  }
  return { databaseUrl, redisUrl };
}

function readAdmin(
  r: EnvReader,
  databaseUrl: string | undefined,
): Pick<AppConfig, 'adminUser' | 'adminPassword' | 'secretKey'> {
  const { env, problems } = r;
  const adminUser = env.GEOREP_ADMIN_USER ?? 'admin@internal';
  if (!ADMIN_USER.test(adminUser))
    problems.push(`GEOREP_ADMIN_USER: must look like user@domain (got "${printable(adminUser)}")`);
  const adminPassword = env.GEOREP_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 8)
    problems.push('GEOREP_ADMIN_PASSWORD: must be at least 8 characters');

  const secretKey = env.GEOREP_SECRET_KEY || undefined;
  if (secretKey !== undefined && secretKey.length < 32)
    problems.push('GEOREP_SECRET_KEY: must be at least 32 characters');
  if (secretKey === undefined && databaseUrl) {
    problems.push(
      'GEOREP_SECRET_KEY: required when DATABASE_URL is set (every replica must share it; generate one with `openssl rand -base64 48`)',
    );
  }
  return { adminUser, adminPassword, secretKey };
}

/** The data dir, log level, queue prefix and shutdown grace. */
function readLocalSettings(r: EnvReader): Pick<AppConfig, 'dataDir' | 'logLevel' | 'queuePrefix' | 'shutdownGraceMs'> {
  const { env, problems } = r;
  const dataDir = env.GEOREP_DATA_DIR || defaultDataDir();
  if (!path.isAbsolute(dataDir))
    problems.push(`GEOREP_DATA_DIR: must be an absolute path (got "${printable(dataDir)}")`);

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got "${printable(logLevel)}")`);

  const queuePrefix = env.GEOREP_QUEUE_PREFIX ?? 'georep';
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(queuePrefix))
    problems.push('GEOREP_QUEUE_PREFIX: letters, digits, "_" and "-" only, at most 40');

  const graceRaw = env.GEOREP_SHUTDOWN_GRACE_SECONDS ?? '30';
  if (!/^\d{1,4}$/.test(graceRaw)) problems.push('GEOREP_SHUTDOWN_GRACE_SECONDS: must be a whole number of seconds');
  return { dataDir, logLevel, queuePrefix, shutdownGraceMs: Number(graceRaw) * 1000 };
}

type JobSettings = Pick<
  AppConfig,
  | 'actionWaitMs'
  | 'actionQueueLimit'
  | 'jobRetentionMs'
  | 'eventRetentionMs'
  | 'jobLockMs'
  | 'lostJobSweepMs'
  | 'testActionDelayMs'
>;

function readJobSettings(r: EnvReader): JobSettings {
  const actionWaitSeconds = r.wholeNumber('GEOREP_ACTION_WAIT_SECONDS', '30', 3600);
  const actionQueueLimit = r.wholeNumber('GEOREP_ACTION_QUEUE_LIMIT', '5', 1000);
  const jobRetentionHours = r.wholeNumber('GEOREP_JOB_RETENTION_HOURS', '168', 100_000);
  const eventRetentionDays = r.wholeNumber('GEOREP_EVENT_RETENTION_DAYS', '30', 10_000);
  const jobLockSeconds = r.wholeNumber('GEOREP_JOB_LOCK_SECONDS', '30', 3600);
  if (jobLockSeconds < 2) r.problems.push('GEOREP_JOB_LOCK_SECONDS: must be at least 2');
  const testActionDelayMs = r.wholeNumber('GEOREP_TEST_ACTION_DELAY_MS', '0', 600_000);
  const lostJobSweepSeconds = r.wholeNumber('GEOREP_LOST_JOB_SWEEP_SECONDS', '60', 86_400);
  return {
    actionWaitMs: actionWaitSeconds * 1000,
    actionQueueLimit,
    jobRetentionMs: jobRetentionHours * 3_600_000,
    eventRetentionMs: eventRetentionDays * 86_400_000,
    jobLockMs: jobLockSeconds * 1000,
    lostJobSweepMs: lostJobSweepSeconds * 1000,
    testActionDelayMs,
  };
}

type SessionCareSettings = Pick<
  AppConfig,
  | 'syncIntervalMs'
  | 'stallThresholdMs'
  | 'healAction'
  | 'healMaxPerHour'
  | 'drPollIntervalMs'
  | 'verifyIntervalMs'
  | 'engineTimeoutMs'
  | 'engineSnapshotTimeoutMs'
>;

/** Discovery sync, stall healing, DR polling and the periodic verify. */
function readSessionCareSettings(r: EnvReader): SessionCareSettings {
  const { env, problems } = r;
  const syncIntervalSeconds = r.wholeNumber('GEOREP_SYNC_INTERVAL_SECONDS', '60', 86_400);
  const stallSeconds = r.wholeNumber('GEOREP_STALL_SECONDS', '300', 86_400);
  const healAction = (env.GEOREP_HEAL_ACTION ?? 'restart-worker') as HealAction;
  if (!HEAL_ACTIONS.includes(healAction))
    problems.push(`GEOREP_HEAL_ACTION: must be one of ${HEAL_ACTIONS.join(', ')} (got "${printable(healAction)}")`);
  const healMaxPerHour = r.wholeNumber('GEOREP_HEAL_MAX_PER_HOUR', '3', 1000);
  const drPollIntervalMs = r.wholeNumber('GEOREP_DR_POLL_INTERVAL_MS', '5000', 600_000);
  const verifyIntervalSeconds = r.wholeNumber('GEOREP_VERIFY_INTERVAL_SECONDS', '0', 31_536_000);
  if (drPollIntervalMs < 100 && problems.every((p) => !p.startsWith('GEOREP_DR_POLL_INTERVAL_MS')))
    problems.push('GEOREP_DR_POLL_INTERVAL_MS: must be at least 100');
  const engineTimeoutMs = r.wholeNumber('GEOREP_ENGINE_TIMEOUT_MS', '30000', 600_000);
  if (engineTimeoutMs < 100 && problems.every((p) => !p.startsWith('GEOREP_ENGINE_TIMEOUT_MS')))
    problems.push('GEOREP_ENGINE_TIMEOUT_MS: must be at least 100');
  const engineSnapshotTimeoutSeconds = r.wholeNumber('GEOREP_ENGINE_SNAPSHOT_TIMEOUT_SECONDS', '600', 86_400);
  return {
    syncIntervalMs: syncIntervalSeconds * 1000,
    stallThresholdMs: stallSeconds * 1000,
    healAction,
    healMaxPerHour,
    drPollIntervalMs,
    verifyIntervalMs: verifyIntervalSeconds * 1000,
    engineTimeoutMs,
    engineSnapshotTimeoutMs: Math.max(1, engineSnapshotTimeoutSeconds) * 1000,
  };
}

function readGlusterdRestart(r: EnvReader): Pick<AppConfig, 'glusterdRestartCommand' | 'glusterdRestartTimeoutMs'> {
  const glusterdRestartCommand = (r.env.GEOREP_GLUSTERD_RESTART_COMMAND ?? 'systemctl restart glusterd').trim();
  if (glusterdRestartCommand === '' || /[\r\n\0]/.test(glusterdRestartCommand))
    r.problems.push('GEOREP_GLUSTERD_RESTART_COMMAND: must be one non-empty line');
  const glusterdRestartTimeoutSeconds = r.positive('GEOREP_GLUSTERD_RESTART_TIMEOUT_SECONDS', '120', 3600);
  return { glusterdRestartCommand, glusterdRestartTimeoutMs: glusterdRestartTimeoutSeconds * 1000 };
}

type LoginSettings = Pick<
  AppConfig,
  | 'tokenTtlMs'
  | 'credentialCacheMs'
  | 'loginMaxFailuresPerUser'
  | 'loginMaxFailuresPerAddress'
  | 'loginWindowMs'
  | 'loginMaxConcurrent'
>;

/** Tokens, the credential cache and the login limits. */
function readLoginSettings(r: EnvReader): LoginSettings {
  const tokenTtlMinutes = r.positive('GEOREP_TOKEN_TTL_MINUTES', '1440', 525_600);
  const credentialCacheSeconds = r.wholeNumber('GEOREP_CREDENTIAL_CACHE_SECONDS', '300', 86_400);
  const loginMaxFailuresPerUser = r.positive('GEOREP_LOGIN_MAX_FAILURES', '5', 1_000_000);
  const loginMaxFailuresPerAddress = r.positive('GEOREP_LOGIN_MAX_FAILURES_PER_ADDRESS', '20', 1_000_000);
  const loginWindowSeconds = r.positive('GEOREP_LOGIN_WINDOW_SECONDS', '300', 86_400);
  const loginMaxConcurrent = r.positive('GEOREP_LOGIN_MAX_CONCURRENT', '2', 64);
  return {
    tokenTtlMs: tokenTtlMinutes * 60_000,
    credentialCacheMs: credentialCacheSeconds * 1000,
    loginMaxFailuresPerUser,
    loginMaxFailuresPerAddress,
    loginWindowMs: loginWindowSeconds * 1000,
    loginMaxConcurrent,
  };
}

/** The problem lines name the setting only: the token itself is never repeated. */
function readWorkerMetricsPort(r: EnvReader, role: string, token: string | undefined): number | undefined {
  const raw = r.env.GEOREP_METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = parsePort(raw, 'GEOREP_METRICS_PORT', r.problems);
  if (role !== 'worker')
    r.problems.push('GEOREP_METRICS_PORT: only for the worker role (api and all serve /metrics on PORT)');
  if (token === undefined)
    r.problems.push('GEOREP_METRICS_PORT: needs GEOREP_METRICS_TOKEN (the only credential that port takes)');
  return port;
}

function readMetricsToken(r: EnvReader): string | undefined {
  const token = r.env.GEOREP_METRICS_TOKEN || undefined;
  if (token === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(token))
    r.problems.push(
      'GEOREP_METRICS_TOKEN: printable characters only, no spaces (generate one with `openssl rand -hex 32`)',
    );
  else if (token.length < 32) r.problems.push('GEOREP_METRICS_TOKEN: must be at least 32 characters');
  return token;
}

/** A plain mailbox `local@domain` (no display name, no spaces or angle brackets). */
export const EMAIL_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The SMTP URL's problems name the setting only: it may carry a password. */
function readNotificationSettings(r: EnvReader): NotificationConfig {
  const smtpUrl = r.env.GEOREP_SMTP_URL || undefined;
  if (smtpUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(smtpUrl);
    } catch {
      r.problems.push('GEOREP_SMTP_URL: not a valid URL (expected smtp://host:port or smtps://host:port)');
    }
    if (url && !['smtp:', 'smtps:'].includes(url.protocol))
      r.problems.push('GEOREP_SMTP_URL: scheme must be smtp or smtps');
    else if (url && !url.hostname) r.problems.push('GEOREP_SMTP_URL: host is missing');
  }
  const smtpFrom = r.env.GEOREP_SMTP_FROM || undefined;
  if (smtpFrom !== undefined && (smtpFrom.length > 254 || !EMAIL_ADDRESS.test(smtpFrom)))
    r.problems.push(`GEOREP_SMTP_FROM: must be an e-mail address (got "${printable(smtpFrom)}")`);
  if (smtpUrl !== undefined && smtpFrom === undefined)
    r.problems.push('GEOREP_SMTP_FROM: required with GEOREP_SMTP_URL (the sender of notification e-mail)');
  const attempts = r.positive('GEOREP_NOTIFY_ATTEMPTS', '5', 50);
  const retryDelayMs = r.wholeNumber('GEOREP_NOTIFY_RETRY_DELAY_MS', '10000', 3_600_000);
  if (retryDelayMs < 100 && r.problems.every((p) => !p.startsWith('GEOREP_NOTIFY_RETRY_DELAY_MS')))
    r.problems.push('GEOREP_NOTIFY_RETRY_DELAY_MS: must be at least 100');
  const webhookTimeoutSeconds = r.positive('GEOREP_WEBHOOK_TIMEOUT_SECONDS', '10', 300);
  return {
    ...(smtpUrl !== undefined ? { smtpUrl } : {}),
    ...(smtpFrom !== undefined ? { smtpFrom } : {}),
    attempts,
    retryDelayMs,
    webhookTimeoutMs: webhookTimeoutSeconds * 1000,
  };
}

const BOOLEAN_TRUE = ['true', '1', 'yes'];
const BOOLEAN_FALSE = ['false', '0', 'no', ''];

/** GEOREP_TLS_CERT_FILE + GEOREP_TLS_KEY_FILE, or GEOREP_TLS_SELF_SIGNED=true (files in the data dir); neither: plain HTTP. */
function tlsConfig(env: NodeJS.ProcessEnv, dataDir: string, problems: string[]): TlsConfig | undefined {
  const selfSignedRaw = (env.GEOREP_TLS_SELF_SIGNED ?? '').toLowerCase();
  if (![...BOOLEAN_TRUE, ...BOOLEAN_FALSE].includes(selfSignedRaw)) {
    problems.push(`GEOREP_TLS_SELF_SIGNED: must be true or false (got "${printable(selfSignedRaw)}")`);
  }
  const selfSigned = BOOLEAN_TRUE.includes(selfSignedRaw);
  const certFile = env.GEOREP_TLS_CERT_FILE || undefined;
  const keyFile = env.GEOREP_TLS_KEY_FILE || undefined;
  const caFile = env.GEOREP_TLS_CA_FILE || undefined;
  for (const [name, value] of [
    ['GEOREP_TLS_CERT_FILE', certFile],
    ['GEOREP_TLS_KEY_FILE', keyFile],
    ['GEOREP_TLS_CA_FILE', caFile],
  ] as const) {
    if (value !== undefined && !path.isAbsolute(value))
      problems.push(`${name}: must be an absolute path (got "${printable(value)}")`);
  }
  if (selfSigned) {
    if (certFile !== undefined || keyFile !== undefined || caFile !== undefined) {
      problems.push(
        'GEOREP_TLS_SELF_SIGNED: cannot be combined with GEOREP_TLS_CERT_FILE, GEOREP_TLS_KEY_FILE or GEOREP_TLS_CA_FILE',
      );
      return undefined;
    }
    return {
      certFile: path.join(dataDir, 'tls', 'cert.pem'),
      keyFile: path.join(dataDir, 'tls', 'key.pem'),
      selfSigned: true,
    };
  }
  if (certFile === undefined && keyFile === undefined) {
    if (caFile !== undefined)
      problems.push('GEOREP_TLS_CA_FILE: only used together with GEOREP_TLS_CERT_FILE and GEOREP_TLS_KEY_FILE');
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    problems.push('GEOREP_TLS_CERT_FILE and GEOREP_TLS_KEY_FILE: set both to serve HTTPS, or neither');
    return undefined;
  }
  return { certFile, keyFile, ...(caFile !== undefined ? { caFile } : {}), selfSigned: false };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

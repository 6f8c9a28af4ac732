import { LoggerService } from '@nestjs/common';
import { ConfigError } from '../config/config';

export interface SshClientOptions {
  /** TCP connect, handshake and authentication together. */
  connectTimeoutMs: number;
  /** Default limit for one command; `exec` can override it per call. */
  commandTimeoutMs: number;
  /** 0 disables keepalive. */
  keepaliveIntervalMs: number;
  /** Unanswered keepalives after which the connection is dropped. */
  keepaliveCountMax: number;
  /** A pooled connection with no command for this long is closed. */
  idleTimeoutMs: number;
  /**
   * Commands beyond this wait in a queue. OpenSSH's MaxSessions (10 by default) bounds it, less one
   * session kept free for killing a command that timed out.
   */
  maxConcurrentCommandsPerEndpoint: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** How long a killed command's channel may take to close before the whole connection is dropped. */
  killGraceMs: number;
  /** How long `close()` lets running and queued commands finish before connections are cut. */
  closeGraceMs: number;
}

export const DEFAULT_SSH_OPTIONS: Readonly<SshClientOptions> = Object.freeze({
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 120_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  idleTimeoutMs: 60_000,
  maxConcurrentCommandsPerEndpoint: 4,
  maxStdoutBytes: 16 * 1024 * 1024,
  maxStderrBytes: 1024 * 1024,
  killGraceMs: 5_000,
  closeGraceMs: 30_000,
});

export type SshLogger = Pick<LoggerService, 'log' | 'warn' | 'debug'>;

const SETTINGS: { env: string; option: keyof SshClientOptions; min: number; max: number; unit: 'seconds' | 'count' }[] =
  [
    { env: 'GEOREP_SSH_CONNECT_TIMEOUT_SECONDS', option: 'connectTimeoutMs', min: 1, max: 600, unit: 'seconds' },
    { env: 'GEOREP_SSH_COMMAND_TIMEOUT_SECONDS', option: 'commandTimeoutMs', min: 1, max: 86_400, unit: 'seconds' },
    { env: 'GEOREP_SSH_KEEPALIVE_SECONDS', option: 'keepaliveIntervalMs', min: 0, max: 3_600, unit: 'seconds' },
    { env: 'GEOREP_SSH_IDLE_SECONDS', option: 'idleTimeoutMs', min: 1, max: 86_400, unit: 'seconds' },
    {
      env: 'GEOREP_SSH_MAX_COMMANDS_PER_HOST',
      option: 'maxConcurrentCommandsPerEndpoint',
      min: 1,
      max: 9,
      unit: 'count',
    },
  ];

/** The SSH settings operators may change, validated like the rest of the configuration. */
export function sshOptionsFromEnv(env: NodeJS.ProcessEnv): SshClientOptions {
  const options: SshClientOptions = { ...DEFAULT_SSH_OPTIONS };
  const problems: string[] = [];
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') continue;
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= setting.min && value <= setting.max)) {
      const what = setting.unit === 'seconds' ? 'a whole number of seconds' : 'a whole number';
      problems.push(`${setting.env}: must be ${what} between ${setting.min} and ${setting.max}`);
      continue;
    }
    options[setting.option] = setting.unit === 'seconds' ? value * 1000 : value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return options;
}

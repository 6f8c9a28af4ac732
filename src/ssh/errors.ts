import { describeEndpoint, SshEndpoint } from './endpoint';

/** Every failure of the SSH layer names the endpoint it concerns. */
export abstract class SshError extends Error {
  protected constructor(
    readonly endpoint: SshEndpoint,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type SshConnectFailure =
  | 'refused'
  | 'unreachable'
  | 'unknown_host'
  | 'timeout'
  | 'auth_failed'
  | 'host_key_mismatch'
  | 'handshake_failed'
  | 'session_refused'
  | 'closed';

const CONNECT_FAILURE_TEXT: Record<SshConnectFailure, string> = {
  refused: 'connection refused',
  unreachable: 'host unreachable',
  unknown_host: 'host name not resolved',
  timeout: 'no SSH handshake within the connect timeout',
  auth_failed: 'authentication failed',
  host_key_mismatch: 'the host key does not match the pinned fingerprint',
  handshake_failed: 'SSH handshake failed',
  session_refused: 'the server refused to open a session',
  closed: 'the server closed the connection',
};

/**
 * The command did not start: nothing ran on the host, so another endpoint may be tried
 * (`SshClient.execOnAny` does exactly that).
 */
export class SshConnectError extends SshError {
  constructor(
    endpoint: SshEndpoint,
    readonly reason: SshConnectFailure,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(
      endpoint,
      `SSH to ${describeEndpoint(endpoint)}: ${CONNECT_FAILURE_TEXT[reason]}${detail ? ` (${detail})` : ''}`,
      options,
    );
  }
}

/** The host presented a key other than the pinned one; the connection was dropped before authentication. */
export class SshHostKeyMismatchError extends SshConnectError {
  constructor(
    endpoint: SshEndpoint,
    readonly expectedFingerprint: string,
    readonly presentedFingerprint: string,
  ) {
    super(endpoint, 'host_key_mismatch', `expected ${expectedFingerprint}, presented ${presentedFingerprint}`);
  }
}

/** The command ran past its time limit and was killed; it may have had effects. */
export class SshCommandTimeoutError extends SshError {
  constructor(
    endpoint: SshEndpoint,
    readonly timeoutMs: number,
    /** What the command printed before it was killed (capped like a normal result). */
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      endpoint,
      `SSH to ${describeEndpoint(endpoint)}: the command did not finish within ${timeoutMs} ms and was killed`,
    );
  }
}

/** The connection dropped while the command ran: whether it completed is unknown, so it is not retried. */
export class SshConnectionLostError extends SshError {
  constructor(endpoint: SshEndpoint, options?: { cause?: unknown }) {
    super(
      endpoint,
      `SSH to ${describeEndpoint(endpoint)}: the connection was lost while the command ran; its outcome is unknown`,
      options,
    );
  }
}

export class SshClientClosedError extends SshError {
  constructor(endpoint: SshEndpoint) {
    super(endpoint, `SSH to ${describeEndpoint(endpoint)}: the SSH client is shutting down`);
  }
}

export interface SshEndpointFailure {
  endpoint: SshEndpoint;
  error: SshConnectError;
}

/** `execOnAny` could not connect to any of the endpoints it was given. */
export class SshNoEndpointReachableError extends Error {
  constructor(readonly attempts: SshEndpointFailure[]) {
    super(
      attempts.length === 0
        ? 'SSH: no endpoint to run the command on'
        : `SSH: no endpoint reachable: ${attempts.map((a) => a.error.message.replace(/^SSH to /, '')).join('; ')}`,
    );
    this.name = 'SshNoEndpointReachableError';
  }
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

/** Maps what ssh2 and the socket report during connect to one of the reasons a person can act on. */
export function classifyConnectFailure(error: Ssh2Error): SshConnectFailure {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'unknown_host';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'closed';
  }
  switch (error.level) {
    case 'client-timeout':
      return 'timeout';
    case 'client-authentication':
      return 'auth_failed';
    case 'client-dns':
      return 'unknown_host';
    default:
      return 'handshake_failed';
  }
}

/** The key installation command ran but did not report success. */
export class SshPublicKeyInstallError extends SshError {
  constructor(
    endpoint: SshEndpoint,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      endpoint,
      `SSH to ${describeEndpoint(endpoint)}: installing the public key failed (exit code ${exitCode ?? 'none'}): ${stderr.trim().slice(0, 300) || 'no message'}`,
    );
  }
}

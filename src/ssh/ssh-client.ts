import { Logger } from '@nestjs/common';
import { Client, ClientChannel, ConnectConfig } from 'ssh2';
import {
  AUTHORIZED_KEYS_INSTALL_COMMAND,
  AuthorizedKeyInstallOutcome,
  formatOpenSshPublicKey,
  parseInstallOutcome,
  parseOpenSshPublicKey,
} from './authorized-keys';
import { CappedOutput } from './capped-output';
import { AnnouncedCommand, announcingPid, killProcessGroupCommand, PidAnnouncementReader } from './remote-process';
import { assertValidEndpoint, describeEndpoint, endpointKey, endpointOf, SshEndpoint, SshTarget } from './endpoint';
import {
  classifyConnectFailure,
  SshClientClosedError,
  SshCommandTimeoutError,
  SshConnectError,
  SshConnectionLostError,
  SshEndpointFailure,
  SshHostKeyMismatchError,
  SshNoEndpointReachableError,
  SshPublicKeyInstallError,
} from './errors';
import { fingerprintOfKeyBlob, normalizeFingerprint, sameFingerprint } from './fingerprint';
import { SshIdentity } from './service-key';
import { DEFAULT_SSH_OPTIONS, SshClientOptions, SshLogger } from './ssh-options';

export interface SshExecOptions {
  /** Overrides the client's default command timeout. */
  timeoutMs?: number;
  /** Written to the command's stdin, then EOF. Without it the command sees EOF at once. */
  stdin?: string | Buffer;
  maxStdoutBytes?: number;
  maxStderrBytes?: number;
}

export interface SshExecResult {
  /** null when the command was ended by a signal (or the server sent no status). */
  exitCode: number | null;
  /** `SIGTERM` style, when the command was ended by a signal. */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Where the command ran. */
  endpoint: SshEndpoint;
  /** The host key the server presented; on first contact (no pin) this is what to record. */
  hostFingerprint: string;
}

export interface SshFailoverResult extends SshExecResult {
  /** Endpoints tried before the one that ran the command, with why they could not be used. */
  failedAttempts: SshEndpointFailure[];
}

export interface SshEndpointStats {
  connected: boolean;
  connectionsOpened: number;
  connectionsClosed: number;
  activeCommands: number;
  queuedCommands: number;
  /** The most commands that ever ran at once on this endpoint. */
  maxActiveCommands: number;
  commandsStarted: number;
  commandsTimedOut: number;
}

/** How one command ended, for whoever counts commands (the metrics): it never carries the command or its output. */
export type SshCommandOutcome = 'exited' | 'timed_out' | 'not_started' | 'lost';

export interface SshCommandObservation {
  outcome: SshCommandOutcome;
  /** From asking for the channel to the outcome. */
  durationSeconds: number;
}

export type SshCommandObserver = (observation: SshCommandObservation) => void;

/** The pool as a whole, now. */
export interface SshPoolStats {
  /** Open pooled connections (one-off password logins not included). */
  connections: number;
  activeCommands: number;
  queuedCommands: number;
}

export interface PublicKeyInstallResult {
  outcome: AuthorizedKeyInstallOutcome;
  hostFingerprint: string;
}

interface LiveConnection {
  readonly client: Client;
  fingerprint: string;
  closed: boolean;
}

type Authentication = { kind: 'identity'; identity: SshIdentity } | { kind: 'password'; password: string };

interface EndpointState {
  readonly endpoint: SshEndpoint;
  connection?: LiveConnection;
  connecting?: Promise<LiveConnection>;
  active: number;
  readonly queue: Array<{ admit: () => void }>;
  idleTimer?: NodeJS.Timeout;
  readonly counters: Omit<SshEndpointStats, 'connected' | 'activeCommands' | 'queuedCommands'>;
}

/** The session channel could not be opened: the command never started. */
class SessionOpenFailure extends SshConnectError {
  constructor(
    endpoint: SshEndpoint,
    readonly connectionGone: boolean,
    cause: unknown,
  ) {
    super(endpoint, connectionGone ? 'closed' : 'session_refused', cause instanceof Error ? cause.message : undefined, {
      cause,
    });
  }
}

/**
 * All SSH I/O of the service: one pooled connection per endpoint (user, host, port), authenticated
 * with the service key, commands multiplexed on it as session channels up to a per-endpoint cap.
 * Host keys are checked against the caller's pin before authentication.
 */
export class SshClient {
  private readonly options: SshClientOptions;
  private readonly logger: SshLogger;
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly oneOffConnections = new Set<LiveConnection>();
  private closing = false;
  private readonly idleWaiters = new Set<() => void>();
  private readonly commandObservers = new Set<SshCommandObserver>();

  constructor(
    private readonly identity: SshIdentity,
    options: Partial<SshClientOptions> = {},
    logger?: SshLogger,
  ) {
    this.options = { ...DEFAULT_SSH_OPTIONS, ...options };
    this.logger = logger ?? new Logger(SshClient.name);
  }

  /** Runs `command` on the endpoint through its pooled connection. */
  async exec(target: SshTarget, command: string, options: SshExecOptions = {}): Promise<SshExecResult> {
    assertValidTarget(target);
    if (command.trim() === '') throw new TypeError('SSH: the command is empty');
    const endpoint = endpointOf(target);
    if (this.closing) throw new SshClientClosedError(endpoint);
    const state = this.stateFor(endpoint);
    await this.acquireSlot(state);
    try {
      const first = await this.pooledConnection(state, target);
      try {
        return await this.runCommand(first.connection, endpoint, command, options, state);
      } catch (e) {
        // A reused connection may have died while idle (server restart, NAT timeout): the command
        // never started, so one fresh connection is worth a try.
        if (!(e instanceof SessionOpenFailure && e.connectionGone && first.reused)) throw e;
        this.discard(state, first.connection);
        const fresh = await this.pooledConnection(state, target);
        return await this.runCommand(fresh.connection, endpoint, command, options, state);
      }
    } finally {
      this.releaseSlot(state);
    }
  }

  /**
   * Runs the command on the first endpoint that can be reached. Only connection errors move on to
   * the next endpoint; once a command has started its outcome (exit code, timeout, lost connection)
   * is final, so a command never runs twice.
   */
  async execOnAny(
    targets: readonly SshTarget[],
    command: string,
    options: SshExecOptions = {},
  ): Promise<SshFailoverResult> {
    const failedAttempts: SshEndpointFailure[] = [];
    for (const target of targets) {
      try {
        const result = await this.exec(target, command, options);
        return { ...result, failedAttempts };
      } catch (e) {
        if (!(e instanceof SshConnectError)) throw e;
        this.logger.warn(`${e.message}; trying the next endpoint`);
        failedAttempts.push({ endpoint: endpointOf(target), error: e });
      }
    }
    throw new SshNoEndpointReachableError(failedAttempts);
  }

  /**
   * Logs in once with a password (the host key pin applies before the password is sent) and appends
   * `publicKey` to the user's `~/.ssh/authorized_keys` unless it is there already. The key travels on
   * stdin; the password is used for this one connection and kept nowhere.
   */
  async installPublicKeyWithPassword(
    target: SshTarget,
    password: string,
    publicKey: string,
  ): Promise<PublicKeyInstallResult> {
    assertValidTarget(target);
    const keyLine = formatOpenSshPublicKey(parseOpenSshPublicKey(publicKey));
    const endpoint = endpointOf(target);
    if (this.closing) throw new SshClientClosedError(endpoint);
    const connection = await this.connect(target, { kind: 'password', password });
    this.oneOffConnections.add(connection);
    try {
      const result = await this.runCommand(connection, endpoint, AUTHORIZED_KEYS_INSTALL_COMMAND, {
        stdin: `${keyLine}\n`,
      });
      const outcome = result.exitCode === 0 ? parseInstallOutcome(result.stdout) : undefined;
      if (!outcome) {
        throw new SshPublicKeyInstallError(endpoint, result.exitCode, result.stderr);
      }
      this.logger.log(
        `public key ${outcome === 'added' ? 'added to' : 'already in'} authorized_keys of ${describeEndpoint(endpoint)}`,
      );
      return { outcome, hostFingerprint: result.hostFingerprint };
    } finally {
      this.oneOffConnections.delete(connection);
      connection.client.end();
    }
  }

  /**
   * The fingerprint of the host key the server presents. The handshake stops at the key: nothing is
   * sent to authenticate, so an admin can confirm the key out of band before a password goes there.
   */
  presentedHostKey(endpoint: SshEndpoint): Promise<string> {
    assertValidEndpoint(endpoint);
    return new Promise<string>((resolve, reject) => {
      const client = new Client();
      let presented: string | undefined;
      const done = (error?: SshConnectError) => {
        clearTimeout(guard);
        client.destroy();
        if (presented !== undefined) resolve(presented);
        else reject(error ?? new SshConnectError(endpoint, 'handshake_failed', 'no host key seen'));
      };
      const guard = setTimeout(
        () => done(new SshConnectError(endpoint, 'timeout')),
        this.options.connectTimeoutMs + 1000,
      );
      client.on('error', (err: Error) =>
        done(new SshConnectError(endpoint, classifyConnectFailure(err), err.message, { cause: err })),
      );
      client.once('close', () => done(new SshConnectError(endpoint, 'closed')));
      client.once('ready', () => done());
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.username,
        readyTimeout: this.options.connectTimeoutMs,
        hostVerifier: (key: Buffer) => {
          presented = fingerprintOfKeyBlob(key);
          return false;
        },
      });
    });
  }

  stats(endpoint: SshEndpoint): SshEndpointStats {
    const state = this.endpoints.get(endpointKey(endpoint));
    if (!state) {
      return {
        connected: false,
        connectionsOpened: 0,
        connectionsClosed: 0,
        activeCommands: 0,
        queuedCommands: 0,
        maxActiveCommands: 0,
        commandsStarted: 0,
        commandsTimedOut: 0,
      };
    }
    return {
      ...state.counters,
      connected: state.connection !== undefined && !state.connection.closed,
      activeCommands: state.active,
      queuedCommands: state.queue.length,
    };
  }

  /** Every endpoint's counts added up; reads the pool's state only. */
  poolStats(): SshPoolStats {
    const total: SshPoolStats = { connections: 0, activeCommands: 0, queuedCommands: 0 };
    for (const state of this.endpoints.values()) {
      if (state.connection !== undefined && !state.connection.closed) total.connections += 1;
      total.activeCommands += state.active;
      total.queuedCommands += state.queue.length;
    }
    return total;
  }

  /** Calls `observer` after every command (pooled or one-off) with its outcome and duration; returns the unsubscribe. */
  observeCommands(observer: SshCommandObserver): () => void {
    this.commandObservers.add(observer);
    return () => this.commandObservers.delete(observer);
  }

  /** Closes the pooled connection of one endpoint (commands running on it are lost). */
  disconnect(endpoint: SshEndpoint): void {
    const state = this.endpoints.get(endpointKey(endpoint));
    if (state?.connection) this.discard(state, state.connection);
  }

  /**
   * Refuses new commands, lets running and queued ones finish (up to `closeGraceMs`), then closes
   * every connection.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.allIdle()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.closeGraceMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(() => done());
      });
      this.idleWaiters.clear();
    }
    const connections = [...this.oneOffConnections];
    for (const state of this.endpoints.values()) {
      if (state.idleTimer) clearTimeout(state.idleTimer);
      if (state.connection) connections.push(state.connection);
    }
    await Promise.all(connections.map((c) => this.endConnection(c)));
  }

  private stateFor(endpoint: SshEndpoint): EndpointState {
    const key = endpointKey(endpoint);
    let state = this.endpoints.get(key);
    if (!state) {
      state = {
        endpoint,
        active: 0,
        queue: [],
        counters: {
          connectionsOpened: 0,
          connectionsClosed: 0,
          maxActiveCommands: 0,
          commandsStarted: 0,
          commandsTimedOut: 0,
        },
      };
      this.endpoints.set(key, state);
    }
    return state;
  }

  private async acquireSlot(state: EndpointState): Promise<void> {
    if (state.idleTimer) {
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
    }
    if (state.active < this.options.maxConcurrentCommandsPerEndpoint) {
      state.active += 1;
      state.counters.maxActiveCommands = Math.max(state.counters.maxActiveCommands, state.active);
      return;
    }
    // The releasing command hands its slot over, so `active` does not change here.
    await new Promise<void>((admit) => state.queue.push({ admit }));
  }

  private releaseSlot(state: EndpointState): void {
    const next = state.queue.shift();
    if (next) {
      next.admit();
      return;
    }
    state.active -= 1;
    if (state.active > 0) return;
    this.scheduleIdleClose(state);
    if (this.allIdle()) for (const notify of this.idleWaiters) notify();
  }

  private allIdle(): boolean {
    for (const state of this.endpoints.values()) if (state.active > 0 || state.queue.length > 0) return false;
    return true;
  }

  private scheduleIdleClose(state: EndpointState): void {
    const connection = state.connection;
    if (!connection || this.closing) return;
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.active === 0 && state.connection === connection) {
        this.logger.debug?.(`closing idle SSH connection to ${describeEndpoint(state.endpoint)}`);
        void this.endConnection(connection);
      }
    }, this.options.idleTimeoutMs);
    state.idleTimer.unref();
  }

  /** The endpoint's open connection, or a new one; concurrent callers share one connect. */
  private async pooledConnection(
    state: EndpointState,
    target: SshTarget,
  ): Promise<{ connection: LiveConnection; reused: boolean }> {
    const open = state.connection;
    if (open && !open.closed) {
      checkPin(state.endpoint, target, open.fingerprint);
      return { connection: open, reused: true };
    }
    if (!state.connecting) {
      state.connecting = this.connect(target, { kind: 'identity', identity: this.identity })
        .then((connection) => {
          state.connection = connection;
          state.counters.connectionsOpened += 1;
          connection.client.once('close', () => {
            state.counters.connectionsClosed += 1;
            if (state.connection === connection) state.connection = undefined;
          });
          return connection;
        })
        .finally(() => {
          state.connecting = undefined;
        });
    }
    const connection = await state.connecting;
    // Another caller may have started this connect with a different pin.
    checkPin(state.endpoint, target, connection.fingerprint);
    return { connection, reused: false };
  }

  private discard(state: EndpointState, connection: LiveConnection): void {
    if (state.connection === connection) state.connection = undefined;
    connection.closed = true;
    connection.client.destroy();
  }

  /** Ends a connection politely and waits for it to close; cuts it if the server does not answer. */
  private endConnection(connection: LiveConnection): Promise<void> {
    if (connection.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        connection.client.destroy();
        resolve();
      }, this.options.killGraceMs);
      connection.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      connection.client.end();
    });
  }

  private connect(target: SshTarget, auth: Authentication): Promise<LiveConnection> {
    const endpoint = endpointOf(target);
    const pin = target.pinnedFingerprint === null ? null : normalizeFingerprint(target.pinnedFingerprint);
    return new ConnectAttempt(endpoint, pin, auth, this.options, this.logger).run();
  }

  /**
   * One command on one session channel, with its own time limit and output caps. The command is
   * prefixed with a PID announcement (see remote-process.ts) so a timeout can kill it.
   */
  private runCommand(
    connection: LiveConnection,
    endpoint: SshEndpoint,
    command: string,
    options: SshExecOptions,
    state?: EndpointState,
  ): Promise<SshExecResult> {
    const limits: ChannelCommandLimits = {
      timeoutMs: options.timeoutMs ?? this.options.commandTimeoutMs,
      maxStdoutBytes: options.maxStdoutBytes ?? this.options.maxStdoutBytes,
      maxStderrBytes: options.maxStderrBytes ?? this.options.maxStderrBytes,
      killGraceMs: this.options.killGraceMs,
    };
    const started = performance.now();
    const running = new ChannelCommand(connection, endpoint, command, limits, this.logger, state).run(options.stdin);
    if (this.commandObservers.size === 0) return running;
    return running.then(
      (result) => {
        this.observed('exited', started);
        return result;
      },
      (e: unknown) => {
        this.observed(
          e instanceof SshCommandTimeoutError ? 'timed_out' : e instanceof SessionOpenFailure ? 'not_started' : 'lost',
          started,
        );
        throw e;
      },
    );
  }

  private observed(outcome: SshCommandOutcome, started: number): void {
    const observation = { outcome, durationSeconds: (performance.now() - started) / 1000 };
    for (const observer of this.commandObservers) {
      try {
        observer(observation);
      } catch {
        // A counter that throws must not change a command's outcome.
      }
    }
  }
}

/**
 * One connect and authentication. The host key is checked against the pin (when there is one) before
 * any credential is sent; a mismatch is what the attempt fails with, whatever ssh2 reports after it.
 */
class ConnectAttempt {
  private readonly client = new Client();
  private readonly live: LiveConnection = { client: this.client, fingerprint: '', closed: false };
  private presented: string | undefined;
  private mismatch: SshHostKeyMismatchError | undefined;
  private settled = false;
  private guard: NodeJS.Timeout | undefined;
  private resolve: (connection: LiveConnection) => void = () => undefined;
  private reject: (error: Error) => void = () => undefined;

  constructor(
    private readonly endpoint: SshEndpoint,
    private readonly pin: string | null,
    private readonly auth: Authentication,
    private readonly options: SshClientOptions,
    private readonly logger: SshLogger,
  ) {}

  run(): Promise<LiveConnection> {
    return new Promise<LiveConnection>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      // ssh2's readyTimeout covers TCP connect, handshake and authentication; this only guards
      // against a connect that neither succeeds nor fails.
      this.guard = setTimeout(
        () => this.fail(new SshConnectError(this.endpoint, 'timeout')),
        this.options.connectTimeoutMs + 1000,
      );
      this.listen();
      const config = this.config();
      try {
        this.client.connect(config);
      } catch (e) {
        this.fail(new SshConnectError(this.endpoint, 'handshake_failed', (e as Error).message, { cause: e }));
      }
    });
  }

  private listen(): void {
    this.client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (this.settled) {
        this.logger.debug?.(`SSH connection to ${describeEndpoint(this.endpoint)}: ${err.message}`);
        return;
      }
      this.fail(new SshConnectError(this.endpoint, classifyConnectFailure(err), err.message, { cause: err }));
    });
    this.client.once('close', () => {
      this.live.closed = true;
      this.fail(new SshConnectError(this.endpoint, 'closed'));
    });
    this.client.once('ready', () => this.onReady());
    if (this.auth.kind === 'password') {
      const password = this.auth.password;
      this.client.on('keyboard-interactive', (_name, _instructions, _language, prompts, finish) =>
        finish(prompts.map(() => password)),
      );
    }
  }

  private config(): ConnectConfig {
    return {
      host: this.endpoint.host,
      port: this.endpoint.port,
      username: this.endpoint.username,
      readyTimeout: this.options.connectTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs,
      keepaliveCountMax: this.options.keepaliveCountMax,
      hostVerifier: (key: Buffer) => this.verifyHostKey(key),
      ...(this.auth.kind === 'identity'
        ? { privateKey: this.auth.identity.privateKeyForAuthentication() }
        : { password: this.auth.password, tryKeyboard: true }),
    };
  }

  private verifyHostKey(key: Buffer): boolean {
    const presented = fingerprintOfKeyBlob(key);
    this.presented = presented;
    if (this.pin !== null && presented !== this.pin) {
      this.mismatch = new SshHostKeyMismatchError(this.endpoint, this.pin, presented);
      this.logger.warn(this.mismatch.message);
      return false;
    }
    return true;
  }

  private onReady(): void {
    if (this.settled || this.presented === undefined) {
      this.fail(new SshConnectError(this.endpoint, 'handshake_failed', 'no host key seen'));
      return;
    }
    this.settled = true;
    clearTimeout(this.guard);
    this.client.setMaxListeners(0);
    this.live.fingerprint = this.presented;
    this.logger.debug?.(`SSH connected to ${describeEndpoint(this.endpoint)} (${this.presented})`);
    this.resolve(this.live);
  }

  private fail(error: SshConnectError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.guard);
    this.client.destroy();
    this.reject(this.mismatch ?? error);
  }
}

type ExitStatus = { code: number | null; signal: string | null };

interface ChannelCommandLimits {
  readonly timeoutMs: number;
  readonly maxStdoutBytes: number;
  readonly maxStderrBytes: number;
  /** How long a killed command's channel may take to close before the connection is dropped. */
  readonly killGraceMs: number;
}

/**
 * One command on one session channel of a connection, from the exec request to its outcome: its
 * output, its exit status, its time limit and the kill once that passes. It settles once.
 */
class ChannelCommand {
  private readonly stdout: CappedOutput;
  private readonly stderr: CappedOutput;
  private readonly announced: AnnouncedCommand;
  private readonly announcement: PidAnnouncementReader;
  private channel: ClientChannel | undefined;
  private settled = false;
  private timedOut = false;
  private exit: ExitStatus | undefined;
  private commandTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private resolve: (result: SshExecResult) => void = () => undefined;
  private reject: (error: Error) => void = () => undefined;
  private readonly onConnectionClose = () => this.settle(() => this.settleOnConnectionClose());

  constructor(
    private readonly connection: LiveConnection,
    private readonly endpoint: SshEndpoint,
    command: string,
    private readonly limits: ChannelCommandLimits,
    private readonly logger: SshLogger,
    /** The pooled endpoint whose counters this command counts in; none for a one-off connection. */
    private readonly state: EndpointState | undefined,
  ) {
    this.stdout = new CappedOutput(limits.maxStdoutBytes);
    this.stderr = new CappedOutput(limits.maxStderrBytes);
    this.announced = announcingPid(command);
    this.announcement = new PidAnnouncementReader(this.announced.nonce);
  }

  run(stdin: string | Buffer | undefined): Promise<SshExecResult> {
    return new Promise<SshExecResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.connection.client.once('close', this.onConnectionClose);
      this.commandTimer = setTimeout(() => this.onTimeout(), this.limits.timeoutMs);
      try {
        this.connection.client.exec(this.announced.command, (err, opened) => {
          if (err) this.settle(() => this.reject(new SessionOpenFailure(this.endpoint, this.connection.closed, err)));
          else this.onChannelOpen(opened, stdin);
        });
      } catch (e) {
        // ssh2 throws synchronously when the socket is already gone.
        this.settle(() => this.reject(new SessionOpenFailure(this.endpoint, true, e)));
      }
    });
  }

  private settle(outcome: () => void): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.commandTimer);
    clearTimeout(this.killTimer);
    this.connection.client.removeListener('close', this.onConnectionClose);
    outcome();
  }

  private settleOnConnectionClose(): void {
    if (this.timedOut) this.reject(this.timeoutError());
    else if (!this.channel) this.reject(new SessionOpenFailure(this.endpoint, true, new Error('connection closed')));
    // The exit status arrived before the connection went: the command's outcome is known.
    else if (this.exit) this.resolve(this.result(this.exit));
    else this.reject(new SshConnectionLostError(this.endpoint));
  }

  private settleOnChannelClose(): void {
    if (this.timedOut) this.reject(this.timeoutError());
    // OpenSSH always reports exit-status or exit-signal; a channel closed without either went down with the connection.
    else if (!this.exit) this.reject(new SshConnectionLostError(this.endpoint));
    else this.resolve(this.result(this.exit));
  }

  private timeoutError(): SshCommandTimeoutError {
    return new SshCommandTimeoutError(this.endpoint, this.limits.timeoutMs, this.stdout.text(), this.stderr.text());
  }

  private result(status: ExitStatus): SshExecResult {
    return {
      exitCode: status.code,
      signal: status.signal,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      stdoutTruncated: this.stdout.truncated,
      stderrTruncated: this.stderr.truncated,
      endpoint: this.endpoint,
      hostFingerprint: this.connection.fingerprint,
    };
  }

  /** The channel is open: collect its output and exit status, settle once both streams have ended. */
  private onChannelOpen(opened: ClientChannel, stdin: string | Buffer | undefined): void {
    if (this.settled) {
      opened.close();
      return;
    }
    this.channel = opened;
    if (this.state) this.state.counters.commandsStarted += 1;
    let openStreams = 2;
    const streamEnded = () => {
      openStreams -= 1;
      if (openStreams > 0) return;
      this.settle(() => this.settleOnChannelClose());
    };
    opened.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    opened.stderr.on('data', (chunk: Buffer) => this.stderr.push(this.announcement.take(chunk)));
    opened.on('exit', (code: number | null, signal?: string) => {
      this.exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
    });
    opened.on('error', (e: Error) =>
      this.logger.debug?.(`SSH channel on ${describeEndpoint(this.endpoint)}: ${e.message}`),
    );
    opened.stderr.once('end', () => {
      this.stderr.push(this.announcement.flush());
      streamEnded();
    });
    opened.once('close', streamEnded);
    if (stdin !== undefined) opened.end(stdin);
    else opened.end();
  }

  private onTimeout(): void {
    this.timedOut = true;
    if (this.state) this.state.counters.commandsTimedOut += 1;
    this.logger.warn(
      `SSH command on ${describeEndpoint(this.endpoint)} timed out after ${this.limits.timeoutMs} ms; killing it`,
    );
    if (!this.channel) {
      // No answer to the channel request: the connection itself is stuck.
      this.dropConnection();
      return;
    }
    if (this.announcement.processGroup !== undefined) {
      // Once the process group is dead sshd reports the signal and closes the channel by itself.
      this.killProcessGroup(this.announcement.processGroup);
    } else {
      this.channel.close();
    }
    this.killTimer = setTimeout(() => {
      this.logger.warn(
        `SSH channel on ${describeEndpoint(this.endpoint)} did not close after the kill; dropping the connection`,
      );
      this.dropConnection();
    }, this.limits.killGraceMs);
  }

  private dropConnection(): void {
    this.connection.closed = true;
    this.connection.client.destroy();
  }

  /** Kills a timed-out command's process group through a second channel on the same connection. */
  private killProcessGroup(processGroup: number): void {
    const where = describeEndpoint(this.endpoint);
    try {
      this.connection.client.exec(killProcessGroupCommand(processGroup), (err, channel) => {
        if (err) {
          this.logger.warn(`SSH to ${where}: could not open a channel to kill the timed-out command: ${err.message}`);
          return;
        }
        channel.on('error', () => undefined);
        channel.resume();
        channel.stderr.resume();
        channel.end();
      });
    } catch (e) {
      this.logger.warn(`SSH to ${where}: could not kill the timed-out command: ${(e as Error).message}`);
    }
  }
}

function assertValidTarget(target: SshTarget): void {
  assertValidEndpoint(target);
  if (target.pinnedFingerprint !== null) normalizeFingerprint(target.pinnedFingerprint);
}

function checkPin(endpoint: SshEndpoint, target: SshTarget, presented: string): void {
  if (target.pinnedFingerprint !== null && !sameFingerprint(target.pinnedFingerprint, presented)) {
    throw new SshHostKeyMismatchError(endpoint, normalizeFingerprint(target.pinnedFingerprint), presented);
  }
}

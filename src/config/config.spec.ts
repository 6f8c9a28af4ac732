import { ConfigError, loadConfig } from './config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const c = loadConfig({ GEOREP_DATA_DIR: '/tmp/x' });
    expect(c).toMatchObject({
      role: 'all',
      port: 8080,
      adminUser: 'admin@internal',
      dataDir: '/tmp/x',
      logLevel: 'info',
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  it('takes the role from an argument before the environment', () => {
    expect(loadConfig({ GEOREP_ROLE: 'api' }, ['worker']).role).toBe('worker');
    expect(loadConfig({ GEOREP_ROLE: 'api' }).role).toBe('api');
  });

  it.each([
    [{ PORT: '70000' }, /^PORT: must be a port number/],
    [{ PORT: '-1' }, /^PORT: /],
    [{ PORT: 'abc' }, /^PORT: /],
    [
      { DATABASE_URL: 'not a url', REDIS_URL: 'redis://h:1', GEOREP_SECRET_KEY: 'k'.repeat(32) },
      /^DATABASE_URL: not a valid URL/,
    ],
    [
      { DATABASE_URL: 'mysql://h/db', REDIS_URL: 'redis://h:1', GEOREP_SECRET_KEY: 'k'.repeat(32) },
      /^DATABASE_URL: scheme must be postgres or postgresql/,
    ],
    [
      { DATABASE_URL: 'postgres://h/db', REDIS_URL: 'http://h', GEOREP_SECRET_KEY: 'k'.repeat(32) },
      /^REDIS_URL: scheme/,
    ],
    [{ DATABASE_URL: 'postgres://h/db', GEOREP_SECRET_KEY: 'k'.repeat(32) }, /^DATABASE_URL and REDIS_URL: set both/],
    [{ GEOREP_ADMIN_USER: 'admin' }, /^GEOREP_ADMIN_USER: must look like user@domain/],
    [{ GEOREP_ADMIN_PASSWORD: 'short' }, /^GEOREP_ADMIN_PASSWORD: must be at least 8/],
    [{ GEOREP_SECRET_KEY: 'short' }, /^GEOREP_SECRET_KEY: must be at least 32/],
    [{ DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:1' }, /^GEOREP_SECRET_KEY: required when DATABASE_URL/],
    [{ GEOREP_DATA_DIR: 'relative/dir' }, /^GEOREP_DATA_DIR: must be an absolute path/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of/],
    [{ GEOREP_ROLE: 'both' }, /^GEOREP_ROLE: must be one of api, worker, all/],
    [{ GEOREP_TOKEN_TTL_MINUTES: '0' }, /^GEOREP_TOKEN_TTL_MINUTES: must be at least 1/],
    [{ GEOREP_TOKEN_TTL_MINUTES: '1h' }, /^GEOREP_TOKEN_TTL_MINUTES: must be a whole number/],
    [{ GEOREP_LOGIN_MAX_FAILURES: '0' }, /^GEOREP_LOGIN_MAX_FAILURES: must be at least 1/],
    [{ GEOREP_LOGIN_WINDOW_SECONDS: 'x' }, /^GEOREP_LOGIN_WINDOW_SECONDS: must be a whole number/],
    [{ GEOREP_TLS_CERT_FILE: '/etc/c.pem' }, /^GEOREP_TLS_CERT_FILE and GEOREP_TLS_KEY_FILE: set both/],
    [
      { GEOREP_TLS_CERT_FILE: 'c.pem', GEOREP_TLS_KEY_FILE: '/k.pem' },
      /^GEOREP_TLS_CERT_FILE: must be an absolute path/,
    ],
    [
      { GEOREP_SYNC_INTERVAL_SECONDS: '1m' },
      /^GEOREP_SYNC_INTERVAL_SECONDS: must be a whole number between 0 and 86400/,
    ],
    [
      { GEOREP_SYNC_INTERVAL_SECONDS: '86401' },
      /^GEOREP_SYNC_INTERVAL_SECONDS: must be a whole number between 0 and 86400/,
    ],
    [{ GEOREP_DR_POLL_INTERVAL_MS: '5s' }, /^GEOREP_DR_POLL_INTERVAL_MS: must be a whole number between 0 and 600000/],
    [{ GEOREP_DR_POLL_INTERVAL_MS: '50' }, /^GEOREP_DR_POLL_INTERVAL_MS: must be at least 100/],
    [{ GEOREP_TLS_SELF_SIGNED: 'maybe' }, /^GEOREP_TLS_SELF_SIGNED: must be true or false/],
    [
      { GEOREP_TLS_SELF_SIGNED: 'true', GEOREP_TLS_CERT_FILE: '/c.pem', GEOREP_TLS_KEY_FILE: '/k.pem' },
      /^GEOREP_TLS_SELF_SIGNED: cannot be combined/,
    ],
  ])('refuses %j with one clear line', (env, line) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(line);
  });

  it('has auth defaults: 24 h tokens, a 5 min Basic cache, 5 failures per user and 20 per address in 5 min, no TLS', () => {
    const c = loadConfig({ GEOREP_DATA_DIR: '/tmp/x' });
    expect(c).toMatchObject({
      tokenTtlMs: 86_400_000,
      credentialCacheMs: 300_000,
      loginMaxFailuresPerUser: 5,
      loginMaxFailuresPerAddress: 20,
      loginWindowMs: 300_000,
    });
    expect(c.tls).toBeUndefined();
  });

  it('reads GEOREP_METRICS_TOKEN, and never repeats a refused one in its message', () => {
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).metricsToken).toBeUndefined();
    const token = 'm'.repeat(40);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_METRICS_TOKEN: token }).metricsToken).toBe(token);
    for (const [bad, line] of [
      ['short-metrics-token', /^GEOREP_METRICS_TOKEN: must be at least 32 characters$/],
      [`${'s'.repeat(20)} ${'t'.repeat(20)}`, /^GEOREP_METRICS_TOKEN: printable characters only, no spaces/],
    ] as const) {
      const problems = problemsOf({ GEOREP_METRICS_TOKEN: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(line);
      expect(problems[0]).not.toContain(bad.slice(0, 10));
    }
  });

  it("reads the worker's metrics port: only for the worker role, and only with the metrics token", () => {
    const token = 'm'.repeat(40);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).workerMetricsPort).toBeUndefined();
    expect(
      loadConfig({
        GEOREP_DATA_DIR: '/tmp/x',
        GEOREP_ROLE: 'worker',
        GEOREP_METRICS_TOKEN: token,
        GEOREP_METRICS_PORT: '9464',
      }).workerMetricsPort,
    ).toBe(9464);
    expect(problemsOf({ GEOREP_ROLE: 'api', GEOREP_METRICS_TOKEN: token, GEOREP_METRICS_PORT: '9464' })).toEqual([
      'GEOREP_METRICS_PORT: only for the worker role (api and all serve /metrics on PORT)',
    ]);
    expect(problemsOf({ GEOREP_ROLE: 'worker', GEOREP_METRICS_PORT: '9464' })).toEqual([
      'GEOREP_METRICS_PORT: needs GEOREP_METRICS_TOKEN (the only credential that port takes)',
    ]);
    expect(problemsOf({ GEOREP_ROLE: 'worker', GEOREP_METRICS_TOKEN: token, GEOREP_METRICS_PORT: 'x' })).toEqual([
      'GEOREP_METRICS_PORT: must be a port number between 1 and 65535, or 0 for any free port (got "x")',
    ]);
  });

  it('reads the notification settings: an SMTP relay needs a sender, and a refused URL is never repeated', () => {
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).notifications).toEqual({
      attempts: 5,
      retryDelayMs: 10_000,
      webhookTimeoutMs: 10_000,
    });
    const relay = {
      GEOREP_SMTP_URL: 'smtp://mailer:s3cret-pass@relay.example:2525',
      GEOREP_SMTP_FROM: 'georep@example.org',
    };
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', ...relay }).notifications).toMatchObject({
      smtpUrl: relay.GEOREP_SMTP_URL,
      smtpFrom: 'georep@example.org',
    });
    expect(problemsOf({ GEOREP_SMTP_URL: relay.GEOREP_SMTP_URL })).toEqual([
      'GEOREP_SMTP_FROM: required with GEOREP_SMTP_URL (the sender of notification e-mail)',
    ]);
    for (const [bad, line] of [
      ['http://mailer:s3cret-pass@relay.example', /^GEOREP_SMTP_URL: scheme must be smtp or smtps$/],
      ['s3cret-pass no url', /^GEOREP_SMTP_URL: not a valid URL/],
    ] as const) {
      const problems = problemsOf({ GEOREP_SMTP_URL: bad, GEOREP_SMTP_FROM: 'georep@example.org' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(line);
      expect(problems[0]).not.toContain('s3cret');
    }
    expect(problemsOf({ GEOREP_SMTP_FROM: 'Georep <georep@example.org>' })[0]).toMatch(
      /^GEOREP_SMTP_FROM: must be an e-mail address/,
    );
    expect(problemsOf({ GEOREP_NOTIFY_RETRY_DELAY_MS: '10' })).toEqual([
      'GEOREP_NOTIFY_RETRY_DELAY_MS: must be at least 100',
    ]);
    expect(problemsOf({ GEOREP_NOTIFY_ATTEMPTS: '0' })).toEqual(['GEOREP_NOTIFY_ATTEMPTS: must be at least 1']);
  });

  it('syncs every cluster each 60 s by default; 0 disables the periodic sync', () => {
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).syncIntervalMs).toBe(60_000);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_SYNC_INTERVAL_SECONDS: '0' }).syncIntervalMs).toBe(0);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_SYNC_INTERVAL_SECONDS: '300' }).syncIntervalMs).toBe(300_000);
  });

  it('polls a DR run every 5 s by default', () => {
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).drPollIntervalMs).toBe(5000);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_DR_POLL_INTERVAL_MS: '250' }).drPollIntervalMs).toBe(250);
  });

  it('serves HTTPS from given files, or from a self-signed pair in the data dir', () => {
    expect(loadConfig({ GEOREP_TLS_CERT_FILE: '/etc/c.pem', GEOREP_TLS_KEY_FILE: '/etc/k.pem' }).tls).toEqual({
      certFile: '/etc/c.pem',
      keyFile: '/etc/k.pem',
      selfSigned: false,
    });
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_TLS_SELF_SIGNED: 'true' }).tls).toEqual({
      certFile: '/tmp/x/tls/cert.pem',
      keyFile: '/tmp/x/tls/key.pem',
      selfSigned: true,
    });
    expect(loadConfig({ GEOREP_TLS_SELF_SIGNED: 'false' }).tls).toBeUndefined();
  });

  it('reports every bad value, one line each, without control characters', () => {
    const problems = problemsOf({ PORT: '65536', LOG_LEVEL: 'x\u001b[31m', GEOREP_ROLE: 'nope' });
    expect(problems).toHaveLength(3);
    for (const p of problems) expect([...p].filter((ch) => ch.charCodeAt(0) < 0x20)).toEqual([]);
  });

  it('never echoes a password or secret value', () => {
    const problems = problemsOf({ GEOREP_ADMIN_PASSWORD: 'sekret', GEOREP_SECRET_KEY: 'tooshortsecret' });
    expect(problems.join('\n')).not.toMatch(/sekret|tooshortsecret/);
  });
});

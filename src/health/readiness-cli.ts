import IORedis from 'ioredis';
import { Client } from 'pg';
import { ConfigError, loadConfig } from '../config/config';

/**
 * `node dist/src/health/readiness-cli.js`: readiness of a process that serves no HTTP (the worker), for
 * container health checks. Exit 0 when PostgreSQL and Redis answer within 3 s, 1 otherwise.
 */
async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl || !config.redisUrl)
    throw new ConfigError(['DATABASE_URL and REDIS_URL: required for the readiness check']);
  const pg = new Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 3000 });
  const redis = new IORedis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const problems: string[] = [];
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch {
    problems.push('database: not reachable');
  } finally {
    await pg.end().catch(() => undefined);
  }
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    problems.push('redis: not reachable');
  } finally {
    redis.disconnect();
  }
  process.stdout.write(problems.length ? `not ready: ${problems.join('; ')}\n` : 'ready\n');
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : 'readiness check failed');
    process.exit(1);
  },
);

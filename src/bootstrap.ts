import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadTlsMaterial } from './auth/tls';
import { AppConfig, ConfigError } from './config/config';
import { ensureDataDir, resolveSecretKey } from './config/data-files';
import { ResolvedServices } from './core.module';
import { dataSourceOptions, runMigrations } from './data-source';
import { EmbeddedPostgres } from './embedded/embedded-postgres';
import { EmbeddedRedis } from './embedded/embedded-redis';
import { HttpMetrics } from './metrics/http.metrics';
import { apiDocument } from './openapi/api-document';
import { configureOvirtHttp } from './ovirt/http-setup';
import { AdminBootstrapResult, bootstrapAdmin } from './users/admin-bootstrap';

export interface BackingServices {
  services: ResolvedServices;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'georep';

/** With DATABASE_URL/REDIS_URL set this starts nothing; otherwise PostgreSQL and redis-server run as children, data in the data dir. */
export async function startBackingServices(config: AppConfig, log: (msg: string) => void): Promise<BackingServices> {
  if (config.databaseUrl && config.redisUrl) {
    return {
      services: { databaseUrl: config.databaseUrl, redisUrl: config.redisUrl },
      embedded: false,
      stop: async () => undefined,
    };
  }
  ensureDataDir(config);
  const pg = new EmbeddedPostgres({ baseDir: path.join(config.dataDir, 'postgres') });
  const redis = new EmbeddedRedis(path.join(config.dataDir, 'redis'));
  const stop = async () => {
    await Promise.all([pg.stop(), redis.stop()]);
  };
  try {
    await Promise.all([pg.start(), redis.start()]);
    await ensureDatabase(pg.url, EMBEDDED_DATABASE);
  } catch (e) {
    await stop();
    throw e;
  }
  log(
    `embedded PostgreSQL on 127.0.0.1:${pg.port}, redis-server on 127.0.0.1:${redis.port}, data in ${config.dataDir}`,
  );
  return { services: { databaseUrl: pg.urlFor(EMBEDDED_DATABASE), redisUrl: redis.url }, embedded: true, stop };
}

export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0)
      await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await client.end();
  }
}

/** Names the host and port only: a DATABASE_URL carries a password. */
function describeDb(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured address';
  }
}

/** Connects, migrates and makes sure the admin exists. A database that cannot be reached is a configuration error. */
export async function prepareDatabase(config: AppConfig, databaseUrl: string): Promise<AdminBootstrapResult> {
  const ds = new DataSource(dataSourceOptions(databaseUrl, { poolSize: 2 }));
  try {
    await ds.initialize();
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0];
    throw new ConfigError([`DATABASE_URL: cannot connect to PostgreSQL at ${describeDb(databaseUrl)} (${reason})`]);
  }
  try {
    await runMigrations(ds);
    resolveSecretKey(config);
    return await bootstrapAdmin(ds, config);
  } finally {
    await ds.destroy();
  }
}

export async function createNestApp(
  config: AppConfig,
  services: ResolvedServices,
): Promise<INestApplication | INestApplicationContext> {
  const module = AppModule.forRole(config, services);
  if (config.role === 'worker') {
    const ctx = await NestFactory.createApplicationContext(module, { bufferLogs: true, abortOnError: false });
    ctx.useLogger(ctx.get(PinoNestLogger));
    return ctx;
  }
  // HTTPS when a certificate is configured (or a self-signed one asked for): then there is no plain HTTP.
  const tls = await loadTlsMaterial(config);
  // Bodies are read by the oVirt HTTP set-up: raw, size-limited, decoded by the route that wants them.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
    ...(tls ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {}),
  });
  app.useLogger(app.get(PinoNestLogger));
  app.use(app.get(HttpMetrics).middleware);
  configureOvirtHttp(app, apiDocument(app.get(ModulesContainer)));
  return app;
}

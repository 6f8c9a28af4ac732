import { INestApplication } from '@nestjs/common';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createNestApp, ensureDatabase, prepareDatabase } from '../../src/bootstrap';
import { AppConfig, loadConfig, Role } from '../../src/config/config';
import { TEMPLATE_DATABASE, testServices } from './test-env';

export const TEST_ADMIN = { user: 'admin@internal', password: 'test-admin-password' };

export interface TestApp {
  app: INestApplication;
  /** Sends every request as TEST_ADMIN (Basic; a superagent agent keeps `.auth()` as a default). */
  http: TestAgent;
  /** Sends no credentials. */
  anon: TestAgent;
  /** A client authenticated as someone else (Basic). */
  as(user: string, password: string): TestAgent;
  config: AppConfig;
  databaseUrl: string;
  redisUrl: string;
  /** Runs SQL against this test file's own database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh database cloned from the migrated template, for one test file. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const services = testServices();
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  await ensureDatabase(services.adminUrl, name, TEMPLATE_DATABASE);
  return { name, url: services.urlFor(name) };
}

/** The real Nest app on real PostgreSQL and Redis, with its own database and BullMQ prefix. */
export async function startTestApp(
  options: { role?: Role; env?: NodeJS.ProcessEnv; redisUrl?: string } = {},
): Promise<TestApp> {
  const services = testServices();
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(services.baseDir, 'data-'));
  const config = loadConfig({
    GEOREP_ROLE: options.role ?? 'all',
    DATABASE_URL: db.url,
    REDIS_URL: options.redisUrl ?? services.redisUrl,
    GEOREP_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    GEOREP_ADMIN_USER: TEST_ADMIN.user,
    GEOREP_ADMIN_PASSWORD: TEST_ADMIN.password,
    GEOREP_DATA_DIR: dataDir,
    GEOREP_QUEUE_PREFIX: `test-${db.name}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    GEOREP_SHUTDOWN_GRACE_SECONDS: '5',
    // Tests sync on demand (refresh); a file that wants the periodic sync sets it.
    GEOREP_SYNC_INTERVAL_SECONDS: '0',
    ...options.env,
  });
  await prepareDatabase(config, db.url);
  const redisUrl = options.redisUrl ?? services.redisUrl;
  const app = (await createNestApp(config, { databaseUrl: db.url, redisUrl })) as INestApplication;
  await app.init();
  const sql = async <T>(text: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    app,
    http: request.agent(app.getHttpServer()).auth(TEST_ADMIN.user, TEST_ADMIN.password),
    anon: request.agent(app.getHttpServer()),
    as: (user, password) => request.agent(app.getHttpServer()).auth(user, password),
    config,
    databaseUrl: db.url,
    redisUrl,
    sql,
    close: () => app.close(),
  };
}

/**
 * The environment for another process of the service (a worker, a second API) joining `t`: the same
 * database, Redis, secret key and queue prefix, a data dir of its own, and TEST_ADMIN as the admin (a
 * process starting up sets the admin's password, so any other one would lock the tests out). `extra`
 * adds variables or overrides these.
 */
export function serviceEnvFor(t: TestApp, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: t.databaseUrl,
    REDIS_URL: t.redisUrl,
    GEOREP_SECRET_KEY: t.config.secretKey,
    GEOREP_ADMIN_USER: TEST_ADMIN.user,
    GEOREP_ADMIN_PASSWORD: TEST_ADMIN.password,
    GEOREP_QUEUE_PREFIX: t.config.queuePrefix,
    GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'service-')),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

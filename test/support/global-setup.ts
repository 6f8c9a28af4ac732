import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ensureDatabase } from '../../src/bootstrap';
import { dataSourceOptions, runMigrations } from '../../src/data-source';
import { EmbeddedPostgres } from '../../src/embedded/embedded-postgres';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { TEMPLATE_DATABASE } from './test-env';

/**
 * Once per test run: a real PostgreSQL and a real redis-server on free ports, and a template
 * database with every migration applied, which each test file clones into its own database.
 */
export default async function globalSetup(): Promise<void> {
  // /tmp rather than a home directory: as root PostgreSQL runs as an unprivileged user.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-test-'));
  fs.chmodSync(base, 0o711);
  const pg = new EmbeddedPostgres({ baseDir: path.join(base, 'postgres') });
  const redis = new EmbeddedRedis(path.join(base, 'redis'));
  await Promise.all([pg.start(), redis.start()]);

  await ensureDatabase(pg.url, TEMPLATE_DATABASE);
  const ds = new DataSource(dataSourceOptions(pg.urlFor(TEMPLATE_DATABASE), { poolSize: 1 }));
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();

  process.env.GEOREP_TEST_PG_ADMIN_URL = pg.url;
  process.env.GEOREP_TEST_PG_URL_PREFIX = pg.urlFor('');
  process.env.GEOREP_TEST_REDIS_URL = redis.url;
  process.env.GEOREP_TEST_BASE_DIR = base;
  (globalThis as Record<string, unknown>).__georepTestServices = { pg, redis, base };
}

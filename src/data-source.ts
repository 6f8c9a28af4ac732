import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { ENTITIES } from './entities';

/**
 * How long a query may wait for a pooled connection (pg counts the wait for a busy pool and a new
 * connection's set-up alike) before it fails as "database not reachable" (503). A server that is down
 * refuses at once, so this only bounds waiting behind a busy pool: under 200 clients on 2 cores the
 * wait reached 10 s, and a loaded service should answer late rather than 503 (docs/reliability.md).
 */
const POOL_WAIT_MS = 30_000;

/** One definition for the app and the migration CLI. The schema only ever changes through migrations. */
export function dataSourceOptions(url: string, extra: { poolSize?: number } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // runMigrations holds one connection for its lock while TypeORM migrates on another.
    poolSize: Math.max(2, extra.poolSize ?? 10),
    extra: { connectionTimeoutMillis: POOL_WAIT_MS, application_name: 'georep-api' },
  };
}

const MIGRATION_LOCK_KEY = 7_404_311_001;

/** Runs pending migrations; an advisory lock keeps replicas that start together from racing. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

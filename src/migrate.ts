import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config/config';
import { dataSourceOptions, runMigrations } from './data-source';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (for deploys that migrate before rollout). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl)
    throw new ConfigError(['DATABASE_URL: required for `npm run migrate` (the embedded default migrates at start-up)']);
  const ds = new DataSource(dataSourceOptions(config.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : `migration failed: ${(e as Error).message}`);
  process.exit(1);
});

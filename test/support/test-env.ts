export const TEMPLATE_DATABASE = 'georep_template';

export interface TestServiceUrls {
  adminUrl: string;
  urlFor(database: string): string;
  redisUrl: string;
  baseDir: string;
}

/** Where the global set-up started PostgreSQL and Redis for this run. */
export function testServices(): TestServiceUrls {
  const adminUrl = process.env.GEOREP_TEST_PG_ADMIN_URL;
  const prefix = process.env.GEOREP_TEST_PG_URL_PREFIX;
  const redisUrl = process.env.GEOREP_TEST_REDIS_URL;
  const baseDir = process.env.GEOREP_TEST_BASE_DIR;
  if (!adminUrl || prefix === undefined || !redisUrl || !baseDir)
    throw new Error('integration tests must run under jest with test/support/global-setup.ts');
  return { adminUrl, urlFor: (db) => `${prefix}${db}`, redisUrl, baseDir };
}

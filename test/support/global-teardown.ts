import * as fs from 'node:fs';
import { EmbeddedPostgres } from '../../src/embedded/embedded-postgres';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__georepTestServices as
    { pg: EmbeddedPostgres; redis: EmbeddedRedis; base: string } | undefined;
  if (!services) return;
  await Promise.all([services.pg.stop(), services.redis.stop()]);
  fs.rmSync(services.base, { recursive: true, force: true });
}

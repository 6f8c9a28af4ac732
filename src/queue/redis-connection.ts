import IORedis, { RedisOptions } from 'ioredis';

/**
 * Producers fail fast when Redis is down (no offline queue, one try per command), so an API
 * request answers 503 instead of hanging. Workers use blocking commands and must keep retrying.
 */
export function createRedisConnection(url: string, purpose: 'producer' | 'worker' | 'probe'): IORedis {
  const common: RedisOptions = { lazyConnect: false, connectTimeout: 3000, connectionName: `georep-${purpose}` };
  if (purpose === 'worker') {
    return new IORedis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true });
  }
  return new IORedis(url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
